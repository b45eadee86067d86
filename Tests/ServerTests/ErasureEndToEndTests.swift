import Curl
import Foundation
import Switchboard
import Testing

/// `DELETE /v1/customers/{phone}` (CONTRACT.md §12) and `PATCH`/`DELETE /v1/contacts/{id}` (§5) over loopback HTTP.
@Suite("Erasure and contact changes end to end", .timeLimit(.minutes(2)))
struct ErasureEndToEndTests {
    static func configuration() -> Configuration {
        var configuration = HTTPContractTests.configuration()
        configuration.agents.append(.init(id: "sam", name: "Sam", token: "sam-token", role: .supervisor))
        return configuration
    }

    static let customerA = "+14155550123"
    static let customerB = "+14155550124"

    @Test func erasingWithdrawsOffersReleasesCapacityAndDeletesTheCustomer() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            _ = try await gateway.api(
                "POST", "/v1/contacts", token: "admin-token",
                json: #"{"name": "Ada", "mobilePhone": "\#(Self.customerA)"}"#, expect: 201)
            let alice = try await gateway.events(agent: "alice", token: "alice-token")
            _ = try await alice.next("presence")

            // A: offered to alice, not answered yet.
            #expect(try await gateway.postTwilioSMS(sid: "SMa1", from: Self.customerA, text: "a secret").status == 200)
            let offer = try await alice.next("notification").data
            let conversationA = try #require(offer["conversationId"]?.stringValue)
            let erasedA = try await gateway.api("DELETE", "/v1/customers/%2B14155550123", token: "admin-token")
            #expect(
                erasedA
                    == .object([
                        "erased": .object(["contacts": .number(1), "conversations": .number(1), "messages": .number(1)])
                    ]))
            let closed = try await alice.next("notification.closed").data
            #expect(closed["id"] == offer["id"])
            #expect(closed["outcome"] == .string("withdrawn"))
            #expect(
                try await gateway.request("GET", "/v1/conversations/\(conversationA)", token: "admin-token").status
                    == 404)
            let contacts = try await gateway.api("GET", "/v1/contacts?phone=%2B14155550123", token: "admin-token")
            #expect(contacts["contacts"] == .array([]))

            // B: accepted by alice, so it uses her capacity until erased.
            #expect(try await gateway.postTwilioSMS(sid: "SMb1", from: Self.customerB, text: "b secret").status == 200)
            let offerB = try await alice.next("notification").data
            try await gateway.accept(offerB, token: "alice-token")
            #expect(
                try await gateway.api("GET", "/v1/agents/alice", token: "admin-token")["activeSessions"] == .number(1))
            // A literal `+` in the path is a plus.
            let erasedB = try await gateway.api("DELETE", "/v1/customers/+14155550124", token: "admin-token")
            #expect(erasedB["erased"]?["conversations"] == .number(1))
            let gone = try await alice.next("conversation.closed").data
            #expect(gone["conversationId"] == offerB["conversationId"])
            let agent = try await gateway.api("GET", "/v1/agents/alice", token: "admin-token")
            #expect(agent["activeSessions"] == .number(0))
            #expect(agent["usedCapacity"] == .number(0))
            await alice.close()
        }
    }

    @Test func thePhoneIsReadLikeThePhoneQueryParameter() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            // A leading space (a form-encoded plus), and a national number read with defaultRegion (US).
            for path in ["%2014155550123", "(415)%20555-0123", "4155550123"] {
                _ = try await gateway.api(
                    "POST", "/v1/contacts", token: "admin-token",
                    json: #"{"name": "Ada", "mobilePhone": "\#(Self.customerA)"}"#, expect: 201)
                let erased = try await gateway.api("DELETE", "/v1/customers/\(path)", token: "admin-token")
                #expect(erased["erased"]?["contacts"] == .number(1), "\(path)")
            }
            let nothing = try await gateway.api("DELETE", "/v1/customers/%2B14155550123", token: "admin-token")
            #expect(
                nothing
                    == .object([
                        "erased": .object(["contacts": .number(0), "conversations": .number(0), "messages": .number(0)])
                    ]))
        }
    }

    @Test func erasureIsForTheAdminOnly() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let path = "/v1/customers/%2B14155550123"
            let anonymous = try await gateway.request("DELETE", path)
            #expect(anonymous.status == 401)
            #expect(anonymous.json?["error"] == .string("unauthorized"))
            for token in ["alice-token", "sam-token"] {
                let refused = try await gateway.request("DELETE", path, token: token)
                #expect(refused.status == 403, "\(token)")
                #expect(refused.json?["error"] == .string("forbidden"))
            }
            for bad in ["12", "not-a-number", "%ZZ"] {
                let refused = try await gateway.request("DELETE", "/v1/customers/\(bad)", token: "admin-token")
                #expect(refused.status == 400, "\(bad): \(refused.text)")
                #expect(refused.json?["error"] == .string("invalid-request"))
                #expect(refused.json?["field"] == .string("phone"))
            }
        }
    }

    @Test func supervisorsChangeAndDeleteContacts() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let created = try await gateway.api(
                "POST", "/v1/contacts", token: "alice-token",
                json: #"{"name": "Ada", "mobilePhone": "(415) 555-0123", "attributes": {"tier": "gold"}}"#,
                expect: 201)
            let id = try #require(created["id"]?.stringValue)
            // The customer writes; the conversation links the contact.
            #expect(try await gateway.postTwilioSMS(sid: "SMc1", from: Self.customerA).status == 200)
            let conversations = try await gateway.api(
                "GET", "/v1/conversations?customerPhone=%2B14155550123", token: "admin-token")
            let conversationID = try #require(conversations["conversations"]?.arrayValue?.first?["id"]?.stringValue)

            let changed = try await gateway.api(
                "PATCH", "/v1/contacts/\(id)", token: "sam-token", json: #"{"name": "Ada King"}"#)
            #expect(changed["name"] == .string("Ada King"))
            #expect(changed["mobilePhoneE164"] == .string(Self.customerA))
            #expect(changed["attributes"] == .object(["tier": .string("gold")]))
            let conversation = try await gateway.api("GET", "/v1/conversations/\(conversationID)", token: "admin-token")
            #expect(conversation["contact"]?["name"] == .string("Ada King"))

            // A national number read with the new region.
            let moved = try await gateway.api(
                "PATCH", "/v1/contacts/\(id)", token: "admin-token",
                json: #"{"mobilePhone": "0151 23456789", "region": "DE", "attributes": {}}"#)
            #expect(moved["mobilePhoneE164"] == .string("+4915123456789"))
            #expect(moved["region"] == .string("DE"))
            #expect(moved["attributes"] == .object([:]))
            #expect(try await gateway.api("GET", "/v1/contacts/\(id)", token: "alice-token") == moved)

            for (json, field) in [
                (#"{"mobilePhone": "12"}"#, "mobilePhone"), (#"{"region": "Germany"}"#, "region"),
                (#"{"name": "  "}"#, "name"), (#"{"name": 7}"#, "name"),
            ] {
                let refused = try await gateway.request("PATCH", "/v1/contacts/\(id)", token: "sam-token", json: json)
                #expect(refused.status == 400, "\(json): \(refused.text)")
                #expect(refused.json?["field"] == .string(field), "\(json): \(refused.text)")
            }
            let agent = try await gateway.request("PATCH", "/v1/contacts/\(id)", token: "alice-token", json: "{}")
            #expect(agent.status == 403)
            #expect(try await gateway.request("DELETE", "/v1/contacts/\(id)", token: "alice-token").status == 403)
            #expect(try await gateway.request("DELETE", "/v1/contacts/\(id)").status == 401)
            #expect(
                try await gateway.request("PATCH", "/v1/contacts/ct_nope", token: "sam-token", json: "{}").status == 404
            )

            let deleted = try await gateway.request("DELETE", "/v1/contacts/\(id)", token: "sam-token")
            #expect(deleted.status == 204)
            let again = try await gateway.request("DELETE", "/v1/contacts/\(id)", token: "sam-token")
            #expect(again.status == 404)
            #expect(again.json?["error"] == .string("not-found"))
            let unlinked = try await gateway.api("GET", "/v1/conversations/\(conversationID)", token: "admin-token")
            #expect(unlinked["contact"] == .null)
        }
    }
}
