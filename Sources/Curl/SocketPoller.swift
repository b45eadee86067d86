import CCurlShim

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The sockets curl asks the loop to watch, and a wake-up that any thread may trigger.
///
/// curl's `multi_socket` API tells the loop which sockets to watch; the loop hands each ready socket back to
/// `curl_multi_socket_action`, so curl runs only the transfers whose socket is ready. (`curl_multi_perform` runs every
/// transfer on every turn, and libcurl 7.x polls each one's socket with its own system call to find out.) On Linux
/// this is epoll, elsewhere `poll(2)` over the watched sockets.
///
/// Loop thread only, except ``wake()``; hence `@unchecked Sendable`.
final class SocketPoller: @unchecked Sendable {
    /// One socket that is ready, in curl's terms (`CURL_CSELECT_IN`, `_OUT`, `_ERR` bits).
    typealias Readiness = (socket: curl_socket_t, events: Int32)

    /// What curl currently wants each socket watched for.
    private var watched: [curl_socket_t: Interest] = [:]
    #if os(Linux)
        /// The epoll events each socket is registered with. A socket curl no longer watches stays registered
        /// ("parked") until it closes or turns ready: curl unwatches a connection's socket after every transfer and
        /// watches it again for the next one on it, and parking spares an `epoll_ctl` call per request.
        private var registered: [curl_socket_t: UInt32] = [:]
    #endif
    private let wakeReader: Int32
    private let wakeWriter: Int32
    #if os(Linux)
        private let epoll: Int32
        private let events: UnsafeMutablePointer<epoll_event>
        private static let eventCapacity = 256
    #endif

    struct Interest: Equatable {
        var readable: Bool
        var writable: Bool
    }

    init() throws(CurlError) {
        #if os(Linux)
            let wake = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
            guard wake >= 0 else { throw Self.failure("eventfd") }
            let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
            guard epoll >= 0 else {
                close(wake)
                throw Self.failure("epoll_create1")
            }
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.fd = wake
            guard epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &event) == 0 else {
                close(wake)
                close(epoll)
                throw Self.failure("epoll_ctl")
            }
            self.epoll = epoll
            wakeReader = wake
            wakeWriter = wake
            events = .allocate(capacity: Self.eventCapacity)
        #else
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw Self.failure("pipe") }
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
            wakeReader = fds[0]
            wakeWriter = fds[1]
        #endif
    }

    deinit {
        #if os(Linux)
            close(epoll)
            events.deallocate()
        #else
            close(wakeWriter)
        #endif
        close(wakeReader)
    }

    private static func failure(_ call: String) -> CurlError {
        CurlError(kind: .other, code: 0, message: "could not start the curl thread (\(call): errno \(errno))")
    }

    /// Makes the next (or current) ``wait(timeoutMilliseconds:_:)`` return. Any thread.
    func wake() {
        #if os(Linux)
            _ = eventfd_write(wakeWriter, 1)
        #else
            var byte: UInt8 = 1
            _ = write(wakeWriter, &byte, 1)
        #endif
    }

    /// Watches `socket` for `interest`, or stops watching it when `interest` is `nil` (curl's `CURL_POLL_REMOVE`).
    func watch(_ socket: curl_socket_t, _ interest: Interest?) {
        let wasParked = watched[socket] == nil
        watched[socket] = interest
        #if os(Linux)
            guard let interest else { return }  // parked
            let mask = (interest.readable ? EPOLLIN.rawValue : 0) | (interest.writable ? EPOLLOUT.rawValue : 0)
            switch registered[socket] {
            case mask? where !wasParked:
                return
            case nil:
                // EEXIST cannot happen unless a socket closed behind curl's back; then MOD is what is meant.
                if control(EPOLL_CTL_ADD, socket, mask) != 0 && errno == EEXIST { control(EPOLL_CTL_MOD, socket, mask) }
            case _?:
                // A parked socket's number may belong to a new socket by now (closing the old one took it out of
                // epoll; curl closes some sockets, its resolver's, without telling): MOD, or ADD when epoll has
                // forgotten the number. One call where deleting and adding again took two.
                if control(EPOLL_CTL_MOD, socket, mask) != 0 && errno == ENOENT { control(EPOLL_CTL_ADD, socket, mask) }
            }
            registered[socket] = mask
        #endif
    }

    #if os(Linux)
        @discardableResult
        private func control(_ operation: Int32, _ socket: curl_socket_t, _ mask: UInt32) -> Int32 {
            var event = epoll_event()
            event.events = mask
            event.data.fd = socket
            return epoll_ctl(epoll, operation, socket, &event)
        }
    #endif

    /// Sleeps until a watched socket is ready, ``wake()`` is called, or `timeoutMilliseconds` pass (-1: no limit),
    /// then reports each ready socket to `ready`.
    func wait(timeoutMilliseconds: Int32, _ ready: (Readiness) -> Void) {
        #if os(Linux)
            let count = epoll_wait(epoll, events, Int32(Self.eventCapacity), timeoutMilliseconds)
            guard count > 0 else { return }
            for index in 0..<Int(count) {
                let event = events[index]
                let socket = event.data.fd
                if socket == wakeReader {
                    var value: eventfd_t = 0
                    _ = eventfd_read(wakeReader, &value)
                    continue
                }
                guard watched[socket] != nil else {
                    // A parked connection that turned ready (the server closed it, most likely): stop polling it;
                    // curl checks a cached connection before it reuses it.
                    registered[socket] = nil
                    control(EPOLL_CTL_DEL, socket, 0)
                    continue
                }
                ready((socket, Self.curlEvents(event.events)))
            }
        #else
            var fds = [pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0)]
            for (socket, interest) in watched {
                let events = (interest.readable ? POLLIN : 0) | (interest.writable ? POLLOUT : 0)
                fds.append(pollfd(fd: socket, events: Int16(events), revents: 0))
            }
            guard poll(&fds, nfds_t(fds.count), timeoutMilliseconds) > 0 else { return }
            if fds[0].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 64)
                while read(wakeReader, &buffer, buffer.count) > 0 {}
            }
            for fd in fds.dropFirst() where fd.revents != 0 {
                let revents = Int32(fd.revents)
                var events: Int32 = 0
                if revents & Int32(POLLIN | POLLHUP) != 0 { events |= CURL_CSELECT_IN }
                if revents & Int32(POLLOUT) != 0 { events |= CURL_CSELECT_OUT }
                if revents & Int32(POLLERR | POLLNVAL) != 0 {
                    events |= CURL_CSELECT_ERR | CURL_CSELECT_IN | CURL_CSELECT_OUT
                }
                ready((fd.fd, events))
            }
        #endif
    }

    #if os(Linux)
        private static func curlEvents(_ events: UInt32) -> Int32 {
            var result: Int32 = 0
            // A hung-up peer may still have sent the response: let curl read until it sees the end.
            if events & (EPOLLIN.rawValue | EPOLLHUP.rawValue) != 0 { result |= CURL_CSELECT_IN }
            if events & EPOLLOUT.rawValue != 0 { result |= CURL_CSELECT_OUT }
            // With IN and OUT as well, curl reads or writes and reports the socket's actual error.
            if events & EPOLLERR.rawValue != 0 { result |= CURL_CSELECT_ERR | CURL_CSELECT_IN | CURL_CSELECT_OUT }
            return result
        }
    #endif
}
