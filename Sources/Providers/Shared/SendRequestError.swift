import Switchboard

/// Why a send request could not even be built (no sender, unusable credentials): a permanent failure.
public struct SendRequestError: Error, Sendable, Equatable {
    public var detail: ProviderErrorDetail
    public init(code: String, message: String) {
        detail = ProviderErrorDetail(code: code, message: message)
    }
}
