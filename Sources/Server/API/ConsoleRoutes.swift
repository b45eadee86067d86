import Hummingbird

/// `/console`: the agent console's static page, style sheet and script (issue 8). The page itself needs no
/// token; it signs in with the agent's token and then calls `/v1` like any other client.
struct ConsoleRoutes: Sendable {
    /// A file of the console and the content type it is served with.
    struct File: Sendable {
        let contentType: String
        let bytes: [UInt8]
    }

    /// Embedded at build time (`resources: [.embedInCode("Console")]` in Package.swift).
    static let files: [String: File] = [
        "index.html": File(contentType: "text/html; charset=utf-8", bytes: PackageResources.index_html),
        "console.css": File(contentType: "text/css; charset=utf-8", bytes: PackageResources.console_css),
        "console.js": File(contentType: "text/javascript; charset=utf-8", bytes: PackageResources.console_js),
        "media.js": File(contentType: "text/javascript; charset=utf-8", bytes: PackageResources.media_js),
        "sessions.js": File(contentType: "text/javascript; charset=utf-8", bytes: PackageResources.sessions_js),
        "supervisor.js": File(contentType: "text/javascript; charset=utf-8", bytes: PackageResources.supervisor_js),
        "sw.js": File(contentType: "text/javascript; charset=utf-8", bytes: PackageResources.sw_js),
    ]

    func register(on router: Router<ConnectionContext>) {
        router.get("/console") { request, _ in
            // The page links its files and the API relatively, so it also works behind a proxy's path prefix:
            // `/console` moves to `/console/` first.
            guard request.uri.path.hasSuffix("/") else {
                return Response(status: .movedPermanently, headers: [.location: "console/"])
            }
            return Self.response(for: Self.files["index.html"]!)
        }
        router.get("/console/:file") { _, context in
            let name = try context.parameters.require("file")
            guard let file = Self.files[name] else {
                return Response(
                    status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: "console: no file \(name)\n")))
            }
            return Self.response(for: file)
        }
    }

    static func response(for file: File) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: file.contentType, .cacheControl: "no-cache",
                .init("X-Content-Type-Options")!: "nosniff",
                .contentSecurityPolicy:
                    // `https:` images: thumbnails of messages' media, wherever the provider or agent keeps them.
                    "default-src 'self'; img-src 'self' data: https:; frame-ancestors 'none'; base-uri 'none'",
                .init("Referrer-Policy")!: "no-referrer",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }
}
