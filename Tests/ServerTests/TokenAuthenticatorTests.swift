import HTTPTypes
import Hummingbird
import NIOCore
import Switchboard
import Testing

@testable import Server

/// Bearer tokens to principals (CONTRACT.md §5): each configured token names its holder, anything else — an
/// unknown token, a prefix or an extension of a valid one, an empty one — is `401`.
@Suite("Token authenticator")
struct TokenAuthenticatorTests {
    private static func configuration(mode: Configuration.RouterSettings.Mode = .embedded) -> Configuration {
        var configuration = SMSPathEndToEndTests.configuration(
            twilioAPI: "http://127.0.0.1:9", acsAPI: "http://127.0.0.1:9")
        configuration.agents = [
            .init(id: "alice", name: "Alice", token: "alice-token", queues: ["default"]),
            .init(id: "sam", name: "Sam", token: "sam-token", role: .supervisor, queues: ["default"]),
            .init(id: "nobody", name: "No token", token: "", queues: ["default"]),
        ]
        configuration.router = .init(mode: mode, url: "https://core.example.com/events", token: "core-token")
        return configuration
    }

    private static func request(authorization: String?, query: String = "") -> Request {
        var fields = HTTPFields()
        if let authorization { fields[.authorization] = authorization }
        let head = HTTPRequest(
            method: .get, scheme: "http", authority: "gateway", path: "/v1/agents" + query, headerFields: fields)
        return Request(head: head, body: .init(buffer: ByteBuffer()))
    }

    @Test func eachConfiguredTokenNamesItsHolder() throws {
        let authenticator = TokenAuthenticator(configuration: Self.configuration())
        #expect(try authenticator.principal(of: Self.request(authorization: "Bearer admin-token")) == .admin)
        #expect(try authenticator.principal(of: Self.request(authorization: "Bearer alice-token")) == .agent("alice"))
        #expect(
            try authenticator.principal(of: Self.request(authorization: "bearer  sam-token ")) == .supervisor("sam"))
        #expect(
            try authenticator.principal(of: Self.request(authorization: nil, query: "?access_token=alice-token"))
                == .agent("alice"))
    }

    @Test func anythingElseIsRefused() {
        let authenticator = TokenAuthenticator(configuration: Self.configuration())
        for presented in ["Bearer nope", "Bearer alice-toke", "Bearer alice-token2", "Bearer ", "Bearer core-token"] {
            #expect(throws: SwitchboardError.self, "\(presented)") {
                try authenticator.principal(of: Self.request(authorization: presented))
            }
        }
        #expect(throws: SwitchboardError.self) { try authenticator.principal(of: Self.request(authorization: nil)) }
        #expect(throws: SwitchboardError.self) {
            try authenticator.principal(of: Self.request(authorization: "Basic YWxpY2U6dG9rZW4="))
        }
    }

    @Test func theCoreTokenCountsInRemoteModeOnly() throws {
        let authenticator = TokenAuthenticator(configuration: Self.configuration(mode: .remote))
        #expect(try authenticator.principal(of: Self.request(authorization: "Bearer core-token")) == .core)
    }

    @Test func aTokenConfiguredTwiceNamesItsLastHolder() throws {
        var configuration = Self.configuration()
        configuration.agents.append(.init(id: "bob", name: "Bob", token: "alice-token", queues: ["default"]))
        let authenticator = TokenAuthenticator(configuration: configuration)
        #expect(try authenticator.principal(of: Self.request(authorization: "Bearer alice-token")) == .agent("bob"))
    }
}
