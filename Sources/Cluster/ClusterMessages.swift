import Foundation
import Router
import Switchboard

/// The internal calls a follower makes to the leader's router (`POST /internal/cluster/…`), with their JSON
/// bodies. Only instances of one cluster use them, so the format is Foundation's default (dates as numbers).
package enum ClusterCall: Sendable {
    case notify(NotificationRequest)
    case messageArrived(MessageInConversation)
    case messageStatusChanged(MessageInConversation)
    case closeConversation(ConversationClosing)
    case callConnectFailed(ConversationReference)
    case agentConnected(AgentStreams)
    case agentDisconnected(AgentStreams)
    case signIn(StreamSignIn)

    /// The call's name: its route is `POST /internal/cluster/{name}`, its key in a batch (``ClusterCallBatch``).
    var name: String {
        switch self {
        case .notify: "notify"
        case .messageArrived: "message-arrived"
        case .messageStatusChanged: "message-status-changed"
        case .closeConversation: "close-conversation"
        case .callConnectFailed: "call-connect-failed"
        case .agentConnected: "agent-connected"
        case .agentDisconnected: "agent-disconnected"
        case .signIn: "sign-in"
        }
    }

    var path: String { "/internal/cluster/" + name }

    /// The call named `name` with the body `body` decodes (given the body's type); `nil` for an unknown name.
    static func named(_ name: String, body: (any Decodable.Type) throws -> any Decodable) throws -> ClusterCall? {
        func read<Body: Decodable>(_ type: Body.Type) throws -> Body {
            guard let value = try body(type) as? Body else {
                throw DecodingError.typeMismatch(type, .init(codingPath: [], debugDescription: "\(name)"))
            }
            return value
        }
        switch name {
        case "notify": return .notify(try read(NotificationRequest.self))
        case "message-arrived": return .messageArrived(try read(MessageInConversation.self))
        case "message-status-changed": return .messageStatusChanged(try read(MessageInConversation.self))
        case "close-conversation": return .closeConversation(try read(ConversationClosing.self))
        case "call-connect-failed": return .callConnectFailed(try read(ConversationReference.self))
        case "agent-connected": return .agentConnected(try read(AgentStreams.self))
        case "agent-disconnected": return .agentDisconnected(try read(AgentStreams.self))
        case "sign-in": return .signIn(try read(StreamSignIn.self))
        default: return nil
        }
    }

    /// The call's JSON body, alone on its route or as its member of a batch.
    var payload: any Encodable & Sendable {
        switch self {
        case .notify(let request): request
        case .messageArrived(let body), .messageStatusChanged(let body): body
        case .closeConversation(let body): body
        case .callConnectFailed(let body): body
        case .agentConnected(let body), .agentDisconnected(let body): body
        case .signIn(let body): body
        }
    }

    func body() throws -> [UInt8] {
        Array(try JSONEncoder().encode(payload))
    }
}

/// Calls a follower sends the leader in one `POST /internal/cluster/calls`, run in their order: a JSON array of
/// objects with one member each, named as the call and holding its body (`[{"notify": {…}}, {"message-arrived":
/// {…}}]`).
package struct ClusterCallBatch: Codable, Sendable {
    package var calls: [ClusterCall]

    package init(_ calls: [ClusterCall]) {
        self.calls = calls
    }

    private struct Name: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    package init(from decoder: any Decoder) throws {
        var array = try decoder.unkeyedContainer()
        var calls: [ClusterCall] = []
        while !array.isAtEnd {
            let object = try array.nestedContainer(keyedBy: Name.self)
            guard object.allKeys.count == 1, let key = object.allKeys.first else {
                throw DecodingError.dataCorruptedError(
                    in: array, debugDescription: "a call is an object with exactly one member, its name")
            }
            guard let call = try ClusterCall.named(key.stringValue, body: { try object.decode($0, forKey: key) }) else {
                throw DecodingError.dataCorruptedError(
                    in: array, debugDescription: "\(key.stringValue) is not a cluster call")
            }
            calls.append(call)
        }
        self.calls = calls
    }

    package func encode(to encoder: any Encoder) throws {
        var array = encoder.unkeyedContainer()
        for call in calls {
            var object = array.nestedContainer(keyedBy: Name.self)
            try object.encode(call.payload, forKey: Name(stringValue: call.name))
        }
    }
}

package struct MessageInConversation: Codable, Sendable {
    var message: Message
    var conversation: Conversation
}

package struct ConversationClosing: Codable, Sendable {
    var id: String
    var reason: ConversationCloseReason
}

package struct ConversationReference: Codable, Sendable {
    var id: String
}

/// `count` streams of the agent opened or closed (a new leader learns every open stream at once).
package struct AgentStreams: Codable, Sendable {
    var agentID: String
    var count: Int
}
