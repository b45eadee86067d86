import Hummingbird

/// `GET /v1/openapi.json` (issue 14): the OpenAPI document of every `/v1` route, served as committed in
/// `Sources/Server/OpenAPI/openapi.json` and compiled into the binary (`.embedInCode("OpenAPI")` in
/// Package.swift). It needs no token.
struct OpenAPIRoutes: Sendable {
    static let path = "/v1/openapi.json"

    func register(on router: Router<ConnectionContext>) {
        router.get(RouterPath(Self.path)) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_json)))
        }
    }
}
