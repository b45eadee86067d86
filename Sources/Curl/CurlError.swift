import CCurlShim

/// A transfer that did not produce a response. Carries curl's code and message.
///
/// Switch on ``kind`` to decide what to do (for example: retry after ``Kind-swift.enum/connectFailed``, because
/// nothing reached the server); show ``description`` to a person.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely, for deciding how to react.
    public enum Kind: Sendable, Equatable {
        /// No connection could be made (refused, unreachable). Nothing was sent.
        case connectFailed
        /// The host name did not resolve. Nothing was sent.
        case hostNotFound
        /// The TLS handshake or the server's certificate failed (check the CA bundle and the host name).
        case tlsFailed
        /// The connect timeout or the whole-request timeout expired. The request may or may not have been processed.
        case timedOut
        /// The connection broke or the server answered with something that is not HTTP, after the request may
        /// already have been sent.
        case transferFailed
        /// The calling task was cancelled, or the client shut down while the request was outstanding.
        case cancelled
        /// The request itself is unusable (bad URL or scheme, header with a line break, bad timeout); fix the caller.
        case invalidRequest
        /// Anything else; ``CurlError/code`` and ``CurlError/message`` tell more.
        case other
    }

    /// What went wrong, coarsely.
    public var kind: Kind
    /// `CURLcode` (0 when the error did not come from curl).
    public var code: Int32
    /// curl's own error text (its error buffer, else `curl_easy_strerror`) followed by the method and
    /// `scheme://host:port` of the request. Never contains the path, query, credentials or headers.
    public var message: String
    public var description: String { "curl error \(code) (\(kind)): \(message)" }

    /// Creates an error.
    public init(kind: Kind, code: Int32, message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }
}

extension CurlError.Kind {
    /// Classifies a `CURLcode` that ended a transfer.
    init(_ code: CURLcode) {
        switch code {
        case CURLE_COULDNT_CONNECT:
            self = .connectFailed
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            self = .hostNotFound
        case CURLE_OPERATION_TIMEDOUT:
            self = .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED:
            self = .tlsFailed
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_WEIRD_SERVER_REPLY,
            CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_HTTP3, CURLE_BAD_CONTENT_ENCODING:
            self = .transferFailed
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_UNKNOWN_OPTION,
            CURLE_NOT_BUILT_IN:
            self = .invalidRequest
        case CURLE_ABORTED_BY_CALLBACK:
            self = .cancelled
        default:
            self = .other
        }
    }
}

extension CurlError {
    /// An error for a transfer curl ended with `code`, using the transfer's error buffer when curl filled it.
    init(code: CURLcode, errorBuffer: String, request: CurlRequest) {
        let text = errorBuffer.isEmpty ? String(cString: curl_easy_strerror(code)) : errorBuffer
        self.init(
            kind: Kind(code), code: Int32(bitPattern: code.rawValue),
            message: "\(text) (\(request.method) \(request.origin))")
    }

    /// A request refused before curl saw it.
    static func invalidRequest(_ reason: String, _ request: CurlRequest) -> CurlError {
        CurlError(kind: .invalidRequest, code: 0, message: "\(reason) (\(request.method) \(request.origin))")
    }

    /// A request that ended because its task was cancelled or the client shut down.
    static func cancelled(_ reason: String, _ request: CurlRequest) -> CurlError {
        CurlError(kind: .cancelled, code: 0, message: "\(reason) (\(request.method) \(request.origin))")
    }
}
