import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The PostgreSQL side of the ingest lines: a fresh database per run on the server `make bench` starts
/// (`scripts/postgres-server.sh` with fsync on, so that a commit is as durable as SQLite's).
enum BenchPostgres {
    /// Creates an empty database on the server `url` names and returns its URL.
    static func createDatabase(on url: String) throws -> String {
        guard let scheme = url.range(of: "://"), let slash = url[scheme.upperBound...].firstIndex(of: "/") else {
            throw BenchError("\(url) does not look like postgres://user@host:port/db")
        }
        let name = "bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        guard try psql(url, "CREATE DATABASE \(name)") == 0 else {
            throw BenchError("psql could not create database \(name) on \(url)")
        }
        created.withLock { $0.append((name: name, server: url)) }
        return String(url[..<slash]) + "/" + name
    }

    /// Drops every database ``createDatabase(on:)`` made in this run (their gateways have stopped by then;
    /// `FORCE` ends any connection left), so runs do not pile up databases on the server.
    static func dropCreatedDatabases() {
        let databases = created.withLock { created in
            defer { created = [] }
            return created
        }
        for (name, server) in databases { _ = try? psql(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
    }

    /// Runs one statement with `psql` on the server `url` names; its exit status.
    private static func psql(_ url: String, _ sql: String) throws -> Int32 {
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = [url, "-qc", sql]
        try psql.run()
        psql.waitUntilExit()
        return psql.terminationStatus
    }

    private static let created = Mutex<[(name: String, server: String)]>([])
}

/// A TCP port on 127.0.0.1 that nothing listens on right now (bound, read back, released).
func freeLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw BenchError("socket() failed: errno \(errno)") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
        }
    }
    guard bound else { throw BenchError("cannot bind a loopback port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}
