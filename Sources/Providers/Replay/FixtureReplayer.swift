import Curl
import Foundation
import Switchboard

/// Why a fixture failed, as `replay` prints it.
public struct ReplayFailure: Error, Sendable {
    public var reason: String
}

/// Sends one fixture to a gateway the way its provider would, and checks what the fixture expects.
public struct FixtureReplayer: Sendable {
    let configuration: Configuration
    let client: CurlClient
    let target: String

    /// `target`: the gateway's base URL, e.g. `http://127.0.0.1:8080`.
    public init(configuration: Configuration, client: CurlClient, target: String) {
        self.configuration = configuration
        self.client = client
        self.target = target
    }

    /// Sends the fixture and checks its expectations; success carries an optional note.
    public func replay(file: String) async -> Result<String, ReplayFailure> {
        do {
            return .success(try await run(file: file))
        } catch let failure as ReplayFailure {
            return .failure(failure)
        } catch {
            return .failure(ReplayFailure(reason: "\(error)"))
        }
    }

    private func run(file: String) async throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ReplayFailure(reason: "cannot read the file")
        }
        let fixture: Fixture
        do {
            fixture = try JSONDecoder().decode(Fixture.self, from: data)
        } catch {
            throw ReplayFailure(reason: "not a fixture: \(error)")
        }
        guard let channel = configuration.channel(id: fixture.channel) else {
            throw ReplayFailure(reason: "channel \(fixture.channel) is not in the configuration")
        }
        let unique = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let body = Array((fixture.body ?? "").replacingOccurrences(of: "{{unique}}", with: unique).utf8)
        var query = (fixture.query ?? "").replacingOccurrences(of: "{{unique}}", with: unique)
        var headers = (fixture.headers ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        let method = fixture.method ?? "POST"
        if fixture.sign == true {
            let signer = ProviderRegistry.signer(
                for: channel, context: WebhookContext(publicURL: configuration.publicURL, limits: configuration.limits))
            let signed = signer.sign(
                method: method, kind: fixture.kind, query: query, headers: headers, body: body, now: Date())
            query = signed.query
            headers = signed.headers
        }
        let customer = fixture.expect.customer ?? fixture.expect.message?["from"].flatMap(\.stringValue)
        var before: [JSONValue] = []
        if let customer { before = try await messages(channel: channel.id, customer: customer) }

        let url = "\(target)/webhooks/\(channel.id)/\(fixture.kind)" + (query.isEmpty ? "" : "?\(query)")
        for attempt in 1...max(1, fixture.repeat ?? 1) {
            let response = try await send(CurlRequest(method: method, url: url, headers: headers, body: body))
            try check(response, against: fixture.expect, attempt: attempt)
        }
        guard let customer else { return "" }
        let after = try await messages(channel: channel.id, customer: customer)
        if let expected = fixture.expect.storedMessages, after.count - before.count != expected {
            throw ReplayFailure(
                reason: "expected \(expected) new message(s) from \(customer), found \(after.count - before.count)")
        }
        if let expected = fixture.expect.message {
            guard let newest = after.last, case .object(let message) = newest else {
                throw ReplayFailure(reason: "no message from \(customer) on \(channel.id)")
            }
            for (key, value) in expected where key != "from" {
                guard message[key] == value else {
                    throw ReplayFailure(
                        reason:
                            "message.\(key) is \(message[key].map(describe) ?? "missing"), expected \(describe(value))")
                }
            }
        }
        return ""
    }

    private func check(_ response: CurlResponse, against expect: Fixture.Expectation, attempt: Int) throws {
        let body = String(decoding: response.body, as: UTF8.self)
        let which = attempt > 1 ? " (delivery \(attempt))" : ""
        guard response.status == expect.status else {
            throw ReplayFailure(
                reason: "status \(response.status)\(which), expected \(expect.status): \(body.prefix(300))")
        }
        let json = try? JSONDecoder().decode(JSONValue.self, from: Data(response.body))
        if let code = expect.error, json?["error"]?.stringValue != code {
            throw ReplayFailure(reason: "error \(json?["error"].map(describe) ?? "missing")\(which), expected \(code)")
        }
        if let field = expect.field, json?["field"]?.stringValue != field {
            throw ReplayFailure(reason: "field \(json?["field"].map(describe) ?? "missing")\(which), expected \(field)")
        }
        if let expected = expect.json, json.map({ expected.isContained(in: $0) }) != true {
            throw ReplayFailure(reason: "body\(which) \(body.prefix(300)) does not contain \(describe(expected))")
        }
        for (name, value) in expect.headers ?? [:] where response.header(name) != value {
            throw ReplayFailure(
                reason: "header \(name) is \(response.header(name) ?? "missing")\(which), expected \(value)")
        }
    }

    /// The customer's messages in the newest conversation of (channel, customer), oldest first, read with the admin
    /// token.
    private func messages(channel: String, customer: String) async throws -> [JSONValue] {
        guard let token = configuration.adminToken else {
            throw ReplayFailure(reason: "checking stored messages needs adminToken in the configuration")
        }
        let auth = [(name: "Authorization", value: "Bearer \(token)")]
        let query = "channelId=\(percentEncoded(channel))&customerPhone=\(percentEncoded(customer))"
        let list = try await json(CurlRequest(method: "GET", url: "\(target)/v1/conversations?\(query)", headers: auth))
        guard case .array(let conversations) = list["conversations"], let newest = conversations.first,
            let id = newest["id"]?.stringValue
        else { return [] }
        let conversation = try await json(
            CurlRequest(method: "GET", url: "\(target)/v1/conversations/\(id)", headers: auth))
        guard case .array(let messages) = conversation["messages"] else { return [] }
        // The customer's messages only: a core or an agent may already have answered (the example core does).
        return messages.filter { $0["direction"]?.stringValue == "inbound" }
    }

    private func json(_ request: CurlRequest) async throws -> JSONValue {
        let response = try await send(request)
        guard response.status == 200, let value = try? JSONDecoder().decode(JSONValue.self, from: Data(response.body))
        else {
            throw ReplayFailure(reason: "\(request.method) \(request.url) answered \(response.status)")
        }
        return value
    }

    private func send(_ request: CurlRequest) async throws -> CurlResponse {
        do {
            return try await client.execute(request)
        } catch {
            throw ReplayFailure(reason: "cannot reach the gateway at \(target): \(error.message)")
        }
    }

    private func percentEncoded(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    private func describe(_ value: JSONValue) -> String {
        (try? String(decoding: JSONEncoder().encode(value), as: UTF8.self)) ?? "?"
    }
}
