import Foundation
import Switchboard

/// The gateway's router in a cluster: the local router while this instance leads, else the leader's through
/// `/internal/cluster/…`. A call that reaches no leader is logged and dropped: the message is stored, and the
/// next leader offers every open unassigned conversation again when it takes over.
public struct ClusterCoreRouter: CoreRouter {
    let node: ClusterNode

    public init(node: ClusterNode) {
        self.node = node
    }

    public func notify(_ request: NotificationRequest) async {
        await node.callLeader(.notify(request))
    }

    public func messageArrived(_ message: Message, in conversation: Conversation) async {
        await node.callLeader(.messageArrived(MessageInConversation(message: message, conversation: conversation)))
    }

    public func messageStatusChanged(_ message: Message, in conversation: Conversation) async {
        await node.callLeader(
            .messageStatusChanged(MessageInConversation(message: message, conversation: conversation)))
    }

    public func closeConversation(id: String, reason: ConversationCloseReason) async {
        await node.callLeader(.closeConversation(ConversationClosing(id: id, reason: reason)))
    }

    public func callConnectFailed(conversationID: String) async {
        await node.callLeader(.callConnectFailed(ConversationReference(id: conversationID)))
    }
}
