extension String {
    /// `bytes` as text, `nil` when they are not UTF-8. ASCII, nearly every field a provider sends, is taken as it is:
    /// the generic validating initializer looked up type metadata at every form field of every webhook.
    init?(utf8Validating bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.allSatisfy({ $0 < 0x80 }) else {
            guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
            self = text
            return
        }
        self = String(decoding: bytes, as: UTF8.self)
    }
}
