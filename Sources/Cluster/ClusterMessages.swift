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

    var path: String {
        switch self {
        case .notify: "/internal/cluster/notify"
        case .messageArrived: "/internal/cluster/message-arrived"
        case .messageStatusChanged: "/internal/cluster/message-status-changed"
        case .closeConversation: "/internal/cluster/close-conversation"
        case .callConnectFailed: "/internal/cluster/call-connect-failed"
        case .agentConnected: "/internal/cluster/agent-connected"
        case .agentDisconnected: "/internal/cluster/agent-disconnected"
        case .signIn: "/internal/cluster/sign-in"
        }
    }

    func body() throws -> [UInt8] {
        let encoder = JSONEncoder()
        switch self {
        case .notify(let request): return Array(try encoder.encode(request))
        case .messageArrived(let body), .messageStatusChanged(let body): return Array(try encoder.encode(body))
        case .closeConversation(let body): return Array(try encoder.encode(body))
        case .callConnectFailed(let body): return Array(try encoder.encode(body))
        case .agentConnected(let body), .agentDisconnected(let body): return Array(try encoder.encode(body))
        case .signIn(let body): return Array(try encoder.encode(body))
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
