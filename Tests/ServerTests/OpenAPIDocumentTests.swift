import Foundation
import Switchboard
import Testing

/// `GET /v1/openapi.json` serves the committed OpenAPI document (issue 14) without a token, and the document
/// has every `/v1` route the gateway's router registers, and nothing it does not. The routes are read from
/// Hummingbird's router itself (``GatewayHarness/routes``), so a new route without its documentation fails
/// here. `make test-openapi` (scripts/openapi-check.sh) validates the document and fuzzes the live gateway with
/// Schemathesis.
@Suite("OpenAPI document", .timeLimit(.minutes(2)))
struct OpenAPIDocumentTests {
    static func configuration() -> Configuration {
        SMSPathEndToEndTests.configuration(twilioAPI: "http://127.0.0.1:9", acsAPI: "http://127.0.0.1:9")
    }

    /// The committed file, `Sources/Server/OpenAPI/openapi.json`.
    static var committedDocument: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Server/OpenAPI/openapi.json")
    }

    @Test func documentIsServedAsJSONWithoutAToken() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let response = try await gateway.request("GET", "/v1/openapi.json")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.body == Array(try Data(contentsOf: Self.committedDocument)))
            let document = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            #expect((document?["openapi"] as? String)?.hasPrefix("3.1") == true)
        }
    }

    @Test func everyV1RouteOfTheRouterIsDocumentedAndNothingElse() async throws {
        let registered = try await GatewayHarness.with(Self.configuration()) { gateway in
            Set(gateway.routes.filter { $0.split(separator: " ").last?.hasPrefix("/v1/") == true })
        }
        #expect(registered.contains("GET /v1/agents/{id}/events"), "the router's routes: \(registered.sorted())")
        #expect(registered.contains("GET /v1/openapi.json"))

        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.committedDocument))
        let paths = try #require((document as? [String: Any])?["paths"] as? [String: [String: Any]])
        let methods: Set = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        var documented: Set<String> = []
        for (path, item) in paths {
            for method in item.keys where methods.contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        #expect(
            registered.subtracting(documented).isEmpty,
            "routes missing from Sources/Server/OpenAPI/openapi.json: \(registered.subtracting(documented).sorted())")
        #expect(
            documented.subtracting(registered).isEmpty,
            "documented routes the gateway does not serve: \(documented.subtracting(registered).sorted())")
    }

    /// Found by Schemathesis (`unsupported_method`): Hummingbird answered a method a `/v1` route does not take
    /// with 404; CONTRACT.md §9 wants `405 method-not-allowed`, and HTTP an `Allow` header.
    @Test func aMethodAV1RouteDoesNotTakeIs405WithAllow() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let token = try #require(gateway.configuration.adminToken)
            for (method, path, allow) in [
                ("DELETE", "/v1/agents", "GET"), ("TRACE", "/v1/contacts", "GET, POST"),
                ("GET", "/v1/conversations/c1/close", "POST"), ("PATCH", "/v1/openapi.json", "GET"),
                ("HEAD", "/v1/agents/alice", "GET"), ("QUERY", "/v1/work-items", "GET, POST"),
            ] {
                let response = try await gateway.request(method, path, token: token)
                #expect(response.status == 405, "\(method) \(path)")
                #expect(response.header("Allow") == allow, "\(method) \(path)")
                #expect(response.header("Content-Type") == "application/json")
                if method != "HEAD" {
                    #expect(response.text.contains(#""error":"method-not-allowed""#), "\(response.text)")
                }
            }
            // The routes themselves still answer; an unknown path is still 404.
            #expect(try await gateway.request("GET", "/v1/agents", token: token).status == 200)
            #expect(try await gateway.request("GET", "/v1/nothing", token: token).status == 404)
        }
    }
}
