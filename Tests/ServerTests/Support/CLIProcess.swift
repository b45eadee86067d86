import Foundation

/// Runs the built `switchboard` executable as a person would, capturing its output.
struct CLIProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The executable `swift build` put beside the test bundle.
    static var executable: URL {
        let products = Bundle.main.bundleURL
        let candidate = products.appendingPathComponent("switchboard")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        return repository.appendingPathComponent(".build/debug/switchboard")
    }

    static func run(
        _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil
    ) async throws
        -> Result
    {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SWITCHBOARD_") }
        env.merge(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        let process = try SpawnedProcess(
            executable: executable.path, arguments: arguments, environment: env, directory: directory?.path,
            stdout: out.fileHandleForWriting.fileDescriptor, stderr: err.fileHandleForWriting.fileDescriptor)
        // The child has its copies: the reads below end when it closes them.
        try out.fileHandleForWriting.close()
        try err.fileHandleForWriting.close()
        // Blocking reads get threads of their own: on the cooperative pool they could starve the in-process fake
        // servers the child talks to.
        async let stdout = onThread { out.fileHandleForReading.readDataToEndOfFile() }
        async let stderr = onThread { err.fileHandleForReading.readDataToEndOfFile() }
        let (o, e) = await (stdout, stderr)
        return Result(
            status: await process.exitStatus(), stdout: String(decoding: o, as: UTF8.self),
            stderr: String(decoding: e, as: UTF8.self))
    }

    private static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}
