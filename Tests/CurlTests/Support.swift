import Curl
import TestHTTPServer

extension CurlClient {
    /// `execute` with its outcome as a value, for tests that expect either.
    func outcome(_ request: CurlRequest) async -> Result<CurlResponse, CurlError> {
        do {
            return .success(try await execute(request))
        } catch {
            return .failure(error)
        }
    }
}

extension Result where Failure == CurlError {
    /// The error, or `nil` when the request produced a response.
    var error: CurlError? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// Seconds `body` took on the continuous clock, with its result.
func timed<T>(_ body: () async throws -> T) async rethrows -> (T, seconds: Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try await body()
    let elapsed = clock.now - start
    return (value, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

/// `count` random bytes (NULs and all).
func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            var word = generator.next()
            let length = min(8, buffer.count - offset)
            withUnsafeBytes(of: &word) { wordBytes in
                buffer.baseAddress!.advanced(by: offset).copyMemory(from: wordBytes.baseAddress!, byteCount: length)
            }
            offset += length
        }
    }
    return bytes
}

/// Answers with the request's body and echoes its method in `X-Method`.
let echo: TestHTTPServer.Handler = { request in
    TestHTTPResponse(status: 200, headers: [(name: "X-Method", value: request.method)], body: request.body)
}
