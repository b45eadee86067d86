import Curl
import Foundation
import Switchboard
import Testing

/// Races over real HTTP: concurrent deliveries that must still store once and open one conversation.
@Suite("Webhook races", .timeLimit(.minutes(2)))
struct WebhookRaceTests {
    static let configuration = SMSPathEndToEndTests.configuration(
        twilioAPI: "http://127.0.0.1:9", acsAPI: "http://127.0.0.1:9")

    private func conversations(_ gateway: GatewayHarness, customer: String) async throws -> [JSONValue] {
        let phone = customer.replacingOccurrences(of: "+", with: "%2B")
        let list = try await gateway.api("GET", "/v1/conversations?customerPhone=\(phone)", token: "admin-token")
        guard case .array(let conversations)? = list["conversations"] else { return [] }
        return conversations
    }

    private func inboundMessages(_ gateway: GatewayHarness, customer: String) async throws -> [JSONValue] {
        var messages: [JSONValue] = []
        for conversation in try await conversations(gateway, customer: customer) {
            let id = conversation["id"]?.stringValue ?? ""
            let detail = try await gateway.api("GET", "/v1/conversations/\(id)", token: "admin-token")
            if case .array(let some)? = detail["messages"] {
                messages += some.filter { $0["direction"] == .string("inbound") }
            }
        }
        return messages
    }

    @Test("the same webhook delivered several times at the same moment is stored once")
    func simultaneousRedeliveriesStoreOnce() async throws {
        try await GatewayHarness.with(Self.configuration) { gateway in
            for round in 0..<5 {
                let customer = "+1415555020\(round)"
                let sid = "SM" + String(repeating: "\(round)", count: 32)
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            try await gateway.postTwilioSMS(sid: sid, from: customer, text: "race \(round)").status
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == 200 }, "statuses \(statuses)")
                let stored = try await inboundMessages(gateway, customer: customer)
                #expect(stored.count == 1, "round \(round): stored \(stored.count) times")
            }
        }
    }

    @Test("two first messages from a new number at the same moment open one conversation")
    func simultaneousFirstMessagesOpenOneConversation() async throws {
        try await GatewayHarness.with(Self.configuration) { gateway in
            for round in 0..<5 {
                let customer = "+1415555030\(round)"
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<4 {
                        group.addTask {
                            let sid = "SM\(round)\(index)" + String(repeating: "a", count: 30)
                            return try await gateway.postTwilioSMS(sid: sid, from: customer, text: "first \(index)")
                                .status
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == 200 }, "statuses \(statuses)")
                let opened = try await conversations(gateway, customer: customer)
                #expect(opened.count == 1, "round \(round): \(opened.count) conversations")
                #expect(try await inboundMessages(gateway, customer: customer).count == 4)
            }
        }
    }
}
