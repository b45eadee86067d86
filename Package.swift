// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "switchboard", targets: ["SwitchboardCLI"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        // C libraries
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        .target(
            name: "CPhoneNumber",
            linkerSettings: [.linkedLibrary("phonenumber")]
        ),

        // Swift modules (see DESIGN.md's table)
        .target(name: "Curl", dependencies: ["CCurlShim", "CCurl"]),
        .target(
            name: "Switchboard",
            dependencies: [
                "CPhoneNumber",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Providers",
            dependencies: [
                "Switchboard", "Curl",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The embedded router and, beside it, the remote core (libcurl) as the other `CoreRouter`; the agent-event
        // hub that both the routes and the cluster write streams through.
        .target(
            name: "Router",
            dependencies: ["Switchboard", "Curl", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "Storage",
            dependencies: ["Switchboard", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // PostgreSQL apart from SQLite, so GRDB and postgres-nio never share a module.
        .target(
            name: "PostgresStorage",
            dependencies: [
                "Switchboard",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Several instances on one PostgreSQL database: leader election, forwarding, event fan-out.
        .target(
            name: "Cluster",
            dependencies: [
                "Switchboard", "Router", "PostgresStorage", "Curl",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // HTTP only: each route decodes, calls one use case, encodes.
        .target(
            name: "Server",
            dependencies: [
                "Switchboard", "Router", "Cluster",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            // The agent console's static files and the `/v1` OpenAPI document, compiled into the binary so a
            // copied executable serves them.
            resources: [.embedInCode("Console"), .embedInCode("OpenAPI")]
        ),
        // The composition root (which store, router, providers, cluster), a library so that the `switchboard`
        // executable, the benchmarks and the tests run the same gateway.
        .target(
            name: "GatewayAssembly",
            dependencies: [
                "Server", "Switchboard", "Providers", "Router", "Cluster", "Storage", "PostgresStorage", "Curl",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "SwitchboardCLI",
            dependencies: [
                "GatewayAssembly", "Server", "Switchboard", "Providers", "Storage", "Curl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Benchmarks (`make bench`): loopback only, bounded in time.
        .executableTarget(
            name: "SwitchboardBench",
            dependencies: [
                "GatewayAssembly", "Server", "Switchboard", "Providers", "Router", "Storage", "Curl", "TestHTTPServer",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),

        // Fuzzing the provider adapters: `swift build -c release -Xswiftc -sanitize=fuzzer,address
        // -Xswiftc -DFUZZING --product SwitchboardFuzz`; a normal build replays input files instead.
        .executableTarget(name: "SwitchboardFuzz", dependencies: ["Providers", "Switchboard"]),

        // Test support: a small loopback HTTP server that records what it receives.
        .target(
            name: "TestHTTPServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/TestHTTPServer"
        ),

        .testTarget(name: "CurlTests", dependencies: ["Curl", "TestHTTPServer"]),
        // Test support: the domain's use cases over in-memory stores, scripted providers and one manual clock.
        .target(name: "DomainFakes", dependencies: ["Switchboard"], path: "Tests/DomainFakes"),

        .testTarget(name: "SwitchboardTests", dependencies: ["Switchboard", "DomainFakes"]),
        .testTarget(
            name: "ProvidersTests",
            dependencies: [
                "Providers", "Switchboard", "Curl", "TestHTTPServer", "DomainFakes",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "RouterTests",
            dependencies: [
                "Router", "Switchboard", "DomainFakes",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Storage", "PostgresStorage", "Switchboard", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "GatewayAssembly", "Server", "Switchboard", "DomainFakes", "Providers", "Storage", "PostgresStorage",
                "Router", "Cluster", "Curl", "TestHTTPServer",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
