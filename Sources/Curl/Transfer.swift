import CCurlShim

/// One request in flight: an easy handle from the client's pool plus every piece of memory curl points into while
/// it runs.
///
/// curl keeps raw pointers to the error buffer, the header list and this object itself (`CURLOPT_PRIVATE`,
/// `WRITEDATA`, `HEADERDATA`), so all of them live in heap objects, which ``TransferLoop`` keeps alive until the easy
/// handle is out of the multi handle. The handle goes back to the pool when the transfer is released; the next
/// request resets it before setting its own options.
///
/// Thread confinement instead of locks: the caller's task configures the handle and sets ``continuation`` before
/// ``TransferLoop/submit(_:)``; from then on only the loop thread touches the handle, the callbacks' buffers and
/// ``continuation``. ``cancelRequested`` is guarded by the loop's lock. Hence `@unchecked Sendable`.
final class Transfer: @unchecked Sendable {
    let request: CurlRequest
    let easy: UnsafeMutableRawPointer
    private let handle: EasyHandle
    private let pool: EasyHandlePool
    private var errorBuffer: UnsafeMutablePointer<CChar> { handle.errorBuffer }
    private var headerList: UnsafeMutablePointer<curl_slist>?

    /// The response's header lines as curl delivered them, parsed by ``response()`` in the caller's task: the loop
    /// thread, which serves every request, only copies bytes.
    private var rawHeaders: [UInt8] = []
    private var responseBody: [UInt8] = []
    /// The final status code, read by ``complete(_:)``.
    private var status = 0

    /// Resumed exactly once, by ``finish(_:)``, with `nil` when curl completed the transfer.
    var continuation: UnsafeContinuation<CurlError?, Never>?
    /// Set when the caller's task is cancelled; guarded by ``TransferLoop``'s lock.
    var cancelRequested = false

    /// Takes an easy handle and applies every option, so that a bad request fails here, in the caller's task.
    init(request: CurlRequest, configuration: CurlClient.Configuration, pool: EasyHandlePool) throws(CurlError) {
        try Self.validate(request)
        handle = try pool.take()
        self.pool = pool
        self.request = request
        easy = handle.pointer
        try configure(configuration)
    }

    deinit {
        // The loop removes the handle from the multi handle before it lets go of the transfer.
        pool.put(handle)
        curl_slist_free_all(headerList)
    }

    /// Hands the outcome to the waiting caller: `nil` when curl completed the transfer (see ``response()``).
    /// Called once, on the loop thread (or in `submit` when refused).
    func finish(_ error: CurlError?) {
        let continuation = self.continuation
        self.continuation = nil
        continuation?.resume(returning: error)
    }

    /// Finishes a transfer curl reported done with `code`. Loop thread only, before the handle leaves the transfer.
    func complete(_ code: CURLcode) {
        guard code == CURLE_OK else {
            finish(CurlError(code: code, errorBuffer: String(cString: errorBuffer), request: request))
            return
        }
        _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        finish(nil)
    }

    /// The response of a transfer that finished without an error. In the caller's task, after the continuation.
    func response() -> CurlResponse {
        var headers = ResponseHeaderAccumulator()
        rawHeaders.withUnsafeBytes { bytes in
            var start = 0
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.count
                headers.consume(line: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                start = end
            }
        }
        return CurlResponse(status: status, headers: headers.headers, body: responseBody)
    }

    /// The transfer whose `CURLOPT_PRIVATE` is set on `easy`.
    static func from(easy: UnsafeMutableRawPointer) -> Transfer? {
        var pointer: UnsafeMutableRawPointer?
        guard ccurl_easy_getinfo_ptr(easy, CURLINFO_PRIVATE, &pointer) == CURLE_OK, let pointer else { return nil }
        return Unmanaged<Transfer>.fromOpaque(pointer).takeUnretainedValue()
    }
}

// MARK: - Setting up the easy handle

extension Transfer {
    private static func validate(_ request: CurlRequest) throws(CurlError) {
        guard hasSchemePrefix(request.url, "http://") || hasSchemePrefix(request.url, "https://") else {
            throw .invalidRequest("only absolute http and https URLs are allowed", request)
        }
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(Self.isTokenByte) else {
            throw .invalidRequest("method \"\(request.method)\" is not an HTTP token", request)
        }
        for (name, value) in request.headers {
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else {
                throw .invalidRequest("header name \"\(name)\" is not an HTTP token", request)
            }
            guard !value.utf8.contains(where: { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") || $0 == 0 })
            else {
                throw .invalidRequest("header \(name) contains a line break", request)
            }
        }
        for (label, seconds) in [("timeout", request.timeout), ("connectTimeout", request.connectTimeout)] {
            guard seconds.isFinite, seconds > 0 else {
                throw .invalidRequest("\(label) must be a positive number of seconds, not \(seconds)", request)
            }
        }
        if request.method == "HEAD" && !request.body.isEmpty {
            throw .invalidRequest("a HEAD request cannot have a body", request)
        }
    }

    /// Whether `url` starts with `prefix` (lower-case ASCII), ignoring case, without a lower-cased copy of the URL.
    private static func hasSchemePrefix(_ url: String, _ prefix: StaticString) -> Bool {
        var bytes = url.utf8.makeIterator()
        for expected in UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount) {
            guard var byte = bytes.next() else { return false }
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte += 0x20 }
            guard byte == expected else { return false }
        }
        return true
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private func configure(_ configuration: CurlClient.Configuration) throws(CurlError) {
        let this = Unmanaged.passUnretained(self).toOpaque()

        try set(CURLOPT_URL, request.url)
        // Without NOSIGNAL curl uses SIGALRM for DNS timeouts, which is unsafe with threads.
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_FOLLOWLOCATION, 0)
        try set(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout))
        try set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout))
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        if let caBundlePath = configuration.caBundlePath {
            try set(CURLOPT_CAINFO, caBundlePath)
        }
        try check(ccurl_easy_setopt_ptr(easy, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")
        try check(ccurl_easy_setopt_ptr(easy, CURLOPT_PRIVATE, this), "CURLOPT_PRIVATE")

        try check(
            ccurl_easy_setopt_writefunction(easy, CURLOPT_WRITEFUNCTION) { buffer, size, count, userdata in
                let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
                transfer.responseBody.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: size * count))
                return size * count
            }, "CURLOPT_WRITEFUNCTION")
        try check(ccurl_easy_setopt_ptr(easy, CURLOPT_WRITEDATA, this), "CURLOPT_WRITEDATA")
        try check(
            ccurl_easy_setopt_writefunction(easy, CURLOPT_HEADERFUNCTION) { buffer, size, count, userdata in
                let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
                transfer.rawHeaders.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: size * count))
                return size * count
            }, "CURLOPT_HEADERFUNCTION")
        try check(ccurl_easy_setopt_ptr(easy, CURLOPT_HEADERDATA, this), "CURLOPT_HEADERDATA")

        try configureMethodAndBody()
        try configureHeaders()
    }

    private func configureMethodAndBody() throws(CurlError) {
        let method = request.method
        let sendsBody = !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(method)
        if method == "HEAD" {
            try set(CURLOPT_NOBODY, 1)
        } else if method == "GET" && !sendsBody {
            try set(CURLOPT_HTTPGET, 1)
        } else {
            if sendsBody {
                // The size first: COPYPOSTFIELDS copies exactly that many bytes (the body may contain NULs).
                try check(
                    ccurl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)),
                    "CURLOPT_POSTFIELDSIZE_LARGE")
                let code =
                    request.body.isEmpty
                    ? ccurl_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, "")
                    : request.body.withUnsafeBytes { bytes in
                        ccurl_easy_setopt_ptr(
                            easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                    }
                try check(code, "CURLOPT_COPYPOSTFIELDS")
            }
            if method != "POST" {
                try set(CURLOPT_CUSTOMREQUEST, method)
            }
        }
    }

    private func configureHeaders() throws(CurlError) {
        var lines: [String] = request.headers.map { name, value in
            // "Name:" would tell curl to remove the header; "Name;" sends it with an empty value.
            value.isEmpty ? "\(name);" : "\(name): \(value)"
        }
        // curl waits up to a second for "100 Continue" before sending large bodies; servers rarely send it.
        if request.header("Expect") == nil { lines.append("Expect:") }
        // curl would label every POST body as a form; send no Content-Type unless the caller chose one.
        if request.header("Content-Type") == nil { lines.append("Content-Type:") }
        for line in lines {
            guard let appended = curl_slist_append(headerList, line) else {
                throw CurlError(kind: .other, code: 0, message: "curl_slist_append failed (out of memory?)")
            }
            headerList = appended
        }
        try check(ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList), "CURLOPT_HTTPHEADER")
    }

    private func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(ccurl_easy_setopt_long(easy, option, value), "option \(option.rawValue)")
    }

    private func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        try check(ccurl_easy_setopt_string(easy, option, value), "option \(option.rawValue)")
    }

    private func check(_ code: CURLcode, _ what: String) throws(CurlError) {
        guard code == CURLE_OK else {
            var error = CurlError(code: code, errorBuffer: String(cString: errorBuffer), request: request)
            error.message = "setting \(what): " + error.message
            throw error
        }
    }

    /// Curl's millisecond timeouts; at least 1, since 0 would mean "no timeout".
    private static func milliseconds(_ seconds: Double) -> Int {
        Int(min(max((seconds * 1000).rounded(.up), 1), Double(Int32.max)))
    }
}
