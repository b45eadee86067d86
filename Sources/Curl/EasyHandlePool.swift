import CCurlShim

/// A curl easy handle and the error buffer it writes into, reused from request to request.
///
/// Creating and destroying an easy handle per request (`curl_easy_init`/`curl_easy_cleanup`, with their buffers)
/// costs more than `curl_easy_reset`, which returns a handle to its default options. Held by one ``Transfer`` at a
/// time, otherwise idle in ``EasyHandlePool``; hence `@unchecked Sendable`.
final class EasyHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    /// `CURLOPT_ERRORBUFFER`: curl keeps this pointer, so it lives as long as the handle.
    let errorBuffer: UnsafeMutablePointer<CChar>

    init() throws(CurlError) {
        guard let pointer = curl_easy_init() else {
            throw CurlError(kind: .other, code: 0, message: "curl_easy_init failed (out of memory?)")
        }
        self.pointer = pointer
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(pointer)
        errorBuffer.deallocate()
    }

    /// Forgets every option of the previous request (URL, method, body, headers, callbacks and their data) and its
    /// error text; live connections stay in the multi handle's cache.
    func reset() {
        curl_easy_reset(pointer)
        errorBuffer[0] = 0
    }
}

/// Idle easy handles of one client, at most ``capacity`` of them.
final class EasyHandlePool: Sendable {
    private let idle = Locked<[EasyHandle]>([])
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// An idle handle reset to curl's defaults, or a new one.
    func take() throws(CurlError) -> EasyHandle {
        if let handle = idle.withLock({ $0.popLast() }) {
            handle.reset()
            return handle
        }
        return try EasyHandle()
    }

    /// Keeps `handle` for a later request; it must no longer be in the multi handle. Beyond ``capacity`` it is freed.
    func put(_ handle: EasyHandle) {
        // One not kept is freed when its last reference goes.
        idle.withLock { idle in
            if idle.count < capacity { idle.append(handle) }
        }
    }
}
