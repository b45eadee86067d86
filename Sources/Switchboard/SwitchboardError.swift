/// An error that a person can act on, and that knows how it is answered over HTTP (CONTRACT.md §9).
///
/// Every layer throws this type for problems caused by input or state (bad signature, unknown id, a
/// notification that is no longer pending). `Server` turns it into
/// `{"error": code, "message": message, "field": field}` with `status`.
public struct SwitchboardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status this error is answered with.
    public var status: Int
    /// The stable machine-readable code of §9 (`signature-invalid`, `missing-field`, …).
    public var code: String
    /// A sentence naming the channel or resource and the problem. Never contains a secret.
    public var message: String
    /// The offending field or header, named as CONTRACT.md writes it.
    public var field: String?

    public init(status: Int, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { "\(status) \(code): \(message)" }

    // MARK: The codes of CONTRACT.md §9

    public static func invalidRequest(_ message: String, field: String? = nil) -> Self {
        .init(status: 400, code: "invalid-request", message: message, field: field)
    }
    public static func missingField(_ field: String, in what: String) -> Self {
        .init(status: 400, code: "missing-field", message: "\(what): required field \(field) is missing", field: field)
    }
    public static func limitExceeded(_ message: String, limit: String) -> Self {
        .init(status: 400, code: "limit-exceeded", message: message, field: limit)
    }
    public static func unauthorized(_ message: String) -> Self {
        .init(status: 401, code: "unauthorized", message: message)
    }
    public static func forbidden(_ message: String) -> Self {
        .init(status: 403, code: "forbidden", message: message)
    }
    public static func signatureMissing(_ message: String, field: String) -> Self {
        .init(status: 403, code: "signature-missing", message: message, field: field)
    }
    public static func signatureInvalid(_ message: String, field: String) -> Self {
        .init(status: 403, code: "signature-invalid", message: message, field: field)
    }
    public static func timestampOutsideWindow(_ message: String, field: String) -> Self {
        .init(status: 403, code: "timestamp-outside-window", message: message, field: field)
    }
    public static func notFound(_ message: String) -> Self {
        .init(status: 404, code: "not-found", message: message)
    }
    public static func methodNotAllowed(_ message: String) -> Self {
        .init(status: 405, code: "method-not-allowed", message: message)
    }
    public static func conflict(_ code: String, _ message: String) -> Self {
        .init(status: 409, code: code, message: message)
    }
    public static func unsupportedMediaType(_ message: String) -> Self {
        .init(status: 415, code: "unsupported-media-type", message: message)
    }
    public static func unavailable(_ message: String) -> Self {
        .init(status: 503, code: "unavailable", message: message)
    }
}
