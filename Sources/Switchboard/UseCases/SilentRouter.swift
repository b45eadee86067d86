/// A core router that notifies nobody: `switchboard send` runs without agents, and tests of the outbox need none.
public struct SilentRouter: CoreRouter {
    public init() {}
    public func notify(_ request: NotificationRequest) async {}
    public func messageArrived(_ message: Message, in conversation: Conversation) async {}
    public func messageStatusChanged(_ message: Message, in conversation: Conversation) async {}
    public func closeConversation(id: String, reason: ConversationCloseReason) async {}
}
