import Foundation
import Switchboard
import Testing

/// `/console` serves the agent console without a token, each file with its content type (issue 8); the page
/// itself is exercised in a browser by `make test-browser` (Tests/Browser).
@Suite("Console routes", .timeLimit(.minutes(2)))
struct ConsoleRoutesTests {
    static func configuration() -> Configuration {
        SMSPathEndToEndTests.configuration(twilioAPI: "http://127.0.0.1:9", acsAPI: "http://127.0.0.1:9")
    }

    @Test func consoleMovesToItsFolderSoRelativeLinksWorkBehindAPrefix() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let response = try await gateway.request("GET", "/console")
            #expect(response.status == 301)
            #expect(response.header("Location") == "console/")
        }
    }

    @Test func filesAreServedWithTheirContentTypesAndNoToken() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let page = try await gateway.request("GET", "/console/")
            #expect(page.status == 200)
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(page.text.contains(#"<script src="console.js" defer></script>"#))
            #expect(page.header("Content-Security-Policy")?.contains("default-src 'self'") == true)
            // Media thumbnails come from wherever the provider keeps them, over https only.
            #expect(page.header("Content-Security-Policy")?.contains("img-src 'self' data: https:;") == true)
            #expect(page.text.contains(#"<script src="media.js" defer></script>"#))
            let script = try await gateway.request("GET", "/console/console.js")
            #expect(script.status == 200)
            #expect(script.header("Content-Type") == "text/javascript; charset=utf-8")
            #expect(script.text.contains("new EventSource("))
            for name in ["media.js", "sessions.js", "supervisor.js", "sw.js"] {
                let other = try await gateway.request("GET", "/console/\(name)")
                #expect(other.status == 200, "\(name)")
                #expect(other.header("Content-Type") == "text/javascript; charset=utf-8", "\(name)")
            }
            let style = try await gateway.request("GET", "/console/console.css")
            #expect(style.status == 200)
            #expect(style.header("Content-Type") == "text/css; charset=utf-8")
        }
    }

    @Test func unknownFileIs404() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let response = try await gateway.request("GET", "/console/secrets.json")
            #expect(response.status == 404)
        }
    }
}
