import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the disk took while a latency line ran. The SQLite store's default (`synchronous=normal`) does not sync
/// at commit: the writer syncs when it starts the WAL over, the checkpointer (beside it) at each checkpoint. So the
/// disk is in a webhook's latency only now and then; this says how slow it was, to rule it in or out. A thread of
/// this process appends 4 kB to a file in the same scratch directory and `fdatasync`s it every 20 ms (50 a second).
final class DiskSyncProbe: @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var durations: [Double] = []
    private var stopped = false
    private var finished = false

    /// Starts probing at once; `stop()` ends it and returns what it measured.
    init(directory: URL) throws {
        path = directory.appendingPathComponent("disk-probe").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        let thread = Thread { [self] in
            probe(descriptor)
            close(descriptor)
        }
        thread.name = "disk-probe"
        thread.start()
    }

    private func probe(_ descriptor: Int32) {
        let block = [UInt8](repeating: 0x2A, count: 4_096)
        let clock = ContinuousClock()
        while !lock.withLock({ stopped }) {
            let start = clock.now
            let written = block.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written == block.count, fdatasync(descriptor) == 0 else { break }
            let took = (clock.now - start).seconds
            lock.withLock { durations.append(took) }
            usleep(20_000)
        }
        lock.withLock { finished = true }
    }

    /// Ends the probe (waiting for its last `fdatasync`) and returns each append's write + `fdatasync` time.
    func stop() -> Samples {
        lock.withLock { stopped = true }
        while !lock.withLock({ finished }) { usleep(1_000) }
        return lock.withLock { Samples(durations) }
    }
}

/// The kernel's CPU pressure (`/proc/pressure/cpu`, "some"): the time during which at least one runnable task
/// waited for a CPU, the gateway's and the bench's threads included (machine-wide: in a container, its neighbours'
/// too). Each hop of a latency line (event loop, store writer, router, stream) waits that way when it wakes.
enum CPUPressure {
    /// Microseconds of "some" pressure since boot, or nil without PSI.
    static func total() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/pressure/cpu", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("some ") }),
            let field = line.split(separator: " ").first(where: { $0.hasPrefix("total=") })
        else { return nil }
        return Double(field.dropFirst("total=".count))
    }

    /// The share of `seconds` of wall time under pressure, between two ``total()`` readings.
    static func share(from before: Double?, to after: Double?, over seconds: Double) -> Double? {
        guard let before, let after, seconds > 0 else { return nil }
        return (after - before) / 1e6 / seconds
    }
}
