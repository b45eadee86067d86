import CCurlShim

/// The loop thread's half of ``TransferLoop``: the multi handle driven through curl's `multi_socket` API.
///
/// curl tells this object which sockets to watch (`CURLMOPT_SOCKETFUNCTION`); each turn waits for one of them or for
/// curl's next timeout with ``SocketPoller``, hands curl exactly the sockets that are ready
/// (`curl_multi_socket_action`), runs its timers once they are due, and resumes every transfer that finished in that
/// turn. Loop thread only.
///
/// The timeout comes from `curl_multi_timeout` on every turn rather than from `CURLMOPT_TIMERFUNCTION`: libcurl 7.x
/// rounds the time left down to whole milliseconds and calls that callback only when its earliest timer changes, so
/// a loop that woke a fraction of a millisecond early never heard of that timer again and a transfer waiting on it
/// (a connect timeout, a request timeout) stalled.
final class MultiSocketDriver {
    let multi: UnsafeMutableRawPointer
    private let poller: SocketPoller
    /// Transfers whose easy handle is in the multi handle; holding them here keeps curl's pointers valid.
    private var active: [ObjectIdentifier: Transfer] = [:]

    init(multi: UnsafeMutableRawPointer, poller: SocketPoller) {
        self.multi = multi
        self.poller = poller
        _ = ccurl_multi_setopt_ptr(multi, CURLMOPT_SOCKETDATA, Unmanaged.passUnretained(self).toOpaque())
        _ = ccurl_multi_setopt_socketfunction(multi) { _, socket, what, driver, _ in
            let driver = Unmanaged<MultiSocketDriver>.fromOpaque(driver!).takeUnretainedValue()
            driver.poller.watch(socket, MultiSocketDriver.interest(what))
            return 0
        }
    }

    /// curl's `CURL_POLL_*` as what to wait for; `nil` for `CURL_POLL_REMOVE`.
    private static func interest(_ what: Int32) -> SocketPoller.Interest? {
        guard what != CURL_POLL_REMOVE else { return nil }
        return .init(readable: what & CURL_POLL_IN != 0, writable: what & CURL_POLL_OUT != 0)
    }

    /// Puts a submitted transfer into the multi handle; curl starts it on the next ``turn()``.
    func start(_ transfer: Transfer) {
        let code = curl_multi_add_handle(multi, transfer.easy)
        if code == CURLM_OK {
            active[ObjectIdentifier(transfer)] = transfer
        } else {
            let text = String(cString: curl_multi_strerror(code))
            transfer.finish(CurlError(kind: .other, code: 0, message: "curl_multi_add_handle: \(text)"))
        }
    }

    /// Aborts a transfer whose task was cancelled (closing its connection); nothing when it already finished.
    func cancel(_ transfer: Transfer) {
        guard active.removeValue(forKey: ObjectIdentifier(transfer)) != nil else { return }
        curl_multi_remove_handle(multi, transfer.easy)
        transfer.finish(.cancelled("the request's task was cancelled", transfer.request))
    }

    /// Ends every transfer still running as cancelled, for shutdown.
    func cancelAll() {
        for transfer in active.values {
            curl_multi_remove_handle(multi, transfer.easy)
            transfer.finish(.cancelled("CurlClient shut down while the request was outstanding", transfer.request))
        }
        active.removeAll()
    }

    /// Waits for socket activity, curl's next timeout or a wake-up (at most `maximumWait` milliseconds), lets curl
    /// act on what happened, and resumes the transfers that finished.
    func turn(maximumWait: Int32) {
        var running: Int32 = 0
        let timeout = curlTimeout()
        poller.wait(timeoutMilliseconds: timeout < 0 ? maximumWait : Int32(min(timeout, Int(maximumWait)))) {
            socket, events in
            _ = curl_multi_socket_action(multi, socket, events, &running)
        }
        // 0 only once curl's earliest timer is due (it answers at least 1 while any time is left).
        if curlTimeout() == 0 {
            _ = curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
        }
        var easy: UnsafeMutableRawPointer?
        var code = CURLE_OK
        while ccurl_multi_next_done(multi, &easy, &code) == 1 {
            guard let easy, let transfer = Transfer.from(easy: easy),
                active.removeValue(forKey: ObjectIdentifier(transfer)) != nil
            else { continue }
            curl_multi_remove_handle(multi, easy)
            transfer.complete(code)
        }
    }

    /// Milliseconds until curl's earliest timer is due: 0 when it is, -1 when curl has none.
    private func curlTimeout() -> Int {
        var milliseconds = -1
        guard curl_multi_timeout(multi, &milliseconds) == CURLM_OK else { return -1 }
        return milliseconds
    }
}
