import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn`, for the tests that run the built binary.
///
/// Not Foundation's `Process`: on Linux its `run()` (Swift 6.3.1) finds the highest open descriptor by copying
/// each `/proc/self/fd` entry's whole 256-byte name, which now and then reads past glibc's buffer and crashes the
/// test process (swift-corelibs-foundation pull request 5472) — more likely the more descriptors a parallel run
/// holds. Here the child gets `/dev/null`, `stdout` and `stderr`, and every other descriptor is closed in it.
final class SpawnedProcess: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?

    /// - Parameters:
    ///   - stdout, stderr: descriptors the child writes to (the caller closes its own copies when it likes).
    init(
        executable: String, arguments: [String], environment: [String: String], directory: String? = nil,
        stdout: Int32, stderr: Int32
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        guard let closeFrom = Self.addCloseFrom, let changeDirectory = Self.addChdir else {
            throw TestFailure(
                "this C library has no posix_spawn_file_actions_addclosefrom_np/_addchdir_np (glibc 2.34+)")
        }
        _ = closeFrom(&actions, 3)
        if let directory { _ = changeDirectory(&actions, directory) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard result == 0 else {
            throw TestFailure("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    // glibc's extensions, not in Swift's view of <spawn.h>: looked up by name.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let addCloseFrom = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: AddCloseFrom.self)
    }
    private static let addChdir = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map {
        unsafeBitCast($0, to: AddChdir.self)
    }

    /// Whether the child has not ended yet (reaps it when it has).
    var isRunning: Bool { reap() == nil }

    /// Waits (polling, without holding a thread) until the child ends: its exit code, or the signal that ended it.
    func exitStatus() async -> Int32 {
        while true {
            if let status = reap() { return status }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    func send(_ signal: Int32) {
        guard isRunning else { return }
        _ = kill(pid, signal)
    }

    private func reap() -> Int32? {
        lock.withLock {
            if let status { return status }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
            // WIFEXITED: the low seven bits are 0, the code is the next byte; else they are the signal.
            let code = raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f
            status = code
            return code
        }
    }
}
