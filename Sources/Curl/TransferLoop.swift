import CCurlShim

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one thread that owns the curl multi handle and drives every transfer on it.
///
/// Callers never touch the multi handle: they put transfers (and cancellation requests) into a lock-protected
/// inbox and wake the thread through ``SocketPoller/wake()``. The thread (``MultiSocketDriver``) adds and removes easy
/// handles, lets curl act on the sockets that are ready, resumes each finished transfer's continuation, and sleeps
/// until there is socket activity, a curl timer, or a wake-up. A plain thread rather than a Swift task, because the
/// wait blocks.
final class TransferLoop: Sendable {
    private enum Phase {
        case running
        /// Asked to stop: the thread cancels everything outstanding, then cleans up.
        case stopping
        /// The multi handle is gone.
        case stopped
    }

    private struct Inbox {
        var phase = Phase.running
        var submitted: [Transfer] = []
        var cancelled: [Transfer] = []
        /// A wake-up was sent that the thread has not yet answered by emptying the inbox: later submissions need
        /// none, so a burst of requests costs one wake-up, not one each.
        var wakePending = false
        var stopWaiters: [CheckedContinuation<Void, Never>] = []

        /// Whether the caller must wake the thread; call with the lock held.
        mutating func needsWake() -> Bool {
            defer { wakePending = true }
            return !wakePending
        }
    }

    /// `CURLM *` is a raw pointer; only the loop thread uses it.
    private struct MultiHandle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    private let multi: MultiHandle
    private let poller: SocketPoller
    private let inbox = Locked(Inbox())
    /// The longest the thread sleeps without news, only a safety net: every change comes with a wake-up.
    private static let maximumWaitMilliseconds: Int32 = 1000

    /// Creates the multi handle and starts the thread.
    init(configuration: CurlClient.Configuration) throws(CurlError) {
        let initCode = ccurl_global_init_once()
        guard initCode == CURLE_OK else {
            throw CurlError(
                kind: .other, code: Int32(bitPattern: initCode.rawValue),
                message: "curl_global_init failed: \(String(cString: curl_easy_strerror(initCode)))")
        }
        poller = try SocketPoller()
        guard let pointer = curl_multi_init() else {
            throw CurlError(kind: .other, code: 0, message: "curl_multi_init failed (out of memory?)")
        }
        multi = MultiHandle(pointer: pointer)
        // Beyond this many connections to one host, curl queues transfers until a connection is free, and
        // finished transfers leave their connection in the multi handle's cache for the next request.
        _ = ccurl_multi_setopt_long(pointer, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, configuration.maxConnectionsPerHost))
        // curl's default cache holds 4 × the transfers in progress at that moment, so a dip in concurrency closed
        // idle connections that the next burst had to open again (the bench saw one new connection per ~37
        // requests at 64 in flight). Room for every connection the host limit allows, to a few hosts.
        _ = ccurl_multi_setopt_long(pointer, CURLMOPT_MAXCONNECTS, max(1, configuration.maxConnectionsPerHost) * 4)
        try startThread()
    }

    private func startThread() throws(CurlError) {
        let retained = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { context in
                let loop = Unmanaged<TransferLoop>.fromOpaque(context!).takeRetainedValue()
                ccurl_name_current_thread("curl-multi")
                loop.run()
                return nil
            }, retained.toOpaque())
        guard result == 0 else {
            retained.release()
            curl_multi_cleanup(multi.pointer)
            inbox.withLock { $0.phase = .stopped }
            throw CurlError(
                kind: .other, code: 0, message: "could not start the curl thread (pthread_create: \(result))")
        }
        pthread_detach(thread)
    }

    // MARK: Called from any thread

    /// Hands a configured transfer to the loop. Its continuation is resumed exactly once, possibly right here when
    /// the transfer was already cancelled or the loop is stopping.
    func submit(_ transfer: Transfer) {
        let refusal: CurlError? = inbox.withLock { inbox in
            if inbox.phase != .running {
                return .cancelled("CurlClient was shut down", transfer.request)
            }
            if transfer.cancelRequested {
                return .cancelled("the request's task was cancelled", transfer.request)
            }
            inbox.submitted.append(transfer)
            if inbox.needsWake() { poller.wake() }
            return nil
        }
        if let refusal { transfer.finish(refusal) }
    }

    /// Asks the loop to abort `transfer` promptly; a transfer not yet submitted is refused when it is.
    func cancel(_ transfer: Transfer) {
        inbox.withLock { inbox in
            transfer.cancelRequested = true
            guard inbox.phase != .stopped else { return }
            inbox.cancelled.append(transfer)
            if inbox.needsWake() { poller.wake() }
        }
    }

    /// Cancels every outstanding transfer, stops the thread and frees the multi handle; returns when that is done.
    func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let alreadyStopped = inbox.withLock { inbox in
                switch inbox.phase {
                case .stopped:
                    return true
                case .running:
                    inbox.phase = .stopping
                    poller.wake()
                    fallthrough
                case .stopping:
                    inbox.stopWaiters.append(continuation)
                    return false
                }
            }
            if alreadyStopped { continuation.resume() }
        }
    }

    // MARK: The loop thread

    private func run() {
        let driver = MultiSocketDriver(multi: multi.pointer, poller: poller)
        while true {
            let (submitted, cancelled, stopping) = inbox.withLock { inbox in
                defer {
                    inbox.submitted.removeAll()
                    inbox.cancelled.removeAll()
                    inbox.wakePending = false
                }
                return (inbox.submitted, inbox.cancelled, inbox.phase == .stopping)
            }
            for transfer in submitted { driver.start(transfer) }
            // Absent from the driver when it already finished, or was refused before it got there.
            for transfer in cancelled { driver.cancel(transfer) }
            if stopping { break }
            driver.turn(maximumWait: Self.maximumWaitMilliseconds)
        }

        driver.cancelAll()
        let waiters = inbox.withLock { inbox in
            inbox.phase = .stopped
            return inbox.stopWaiters
        }
        // Still inside `driver`'s lifetime: closing cached connections calls its socket callback.
        curl_multi_cleanup(multi.pointer)
        withExtendedLifetime(driver) {}
        for waiter in waiters { waiter.resume() }
    }
}
