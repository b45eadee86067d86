import Foundation
import Switchboard
import Synchronization

/// A core router that records what the use cases told it.
public actor RecordingRouter: CoreRouter {
    public private(set) var notified: [NotificationRequest] = []
    public private(set) var arrived: [(message: Message, conversation: Conversation)] = []
    public private(set) var statusChanges: [Message] = []
    public private(set) var closed: [(id: String, reason: ConversationCloseReason)] = []
    /// Conversations whose call did not reach its agent (``CoreRouter/callConnectFailed(conversationID:)``).
    public private(set) var connectFailures: [String] = []
    public private(set) var optChanges: [(optedOut: Bool, conversationID: String)] = []
    /// How often the gateway said the store wrote ``inboundEvents`` with a message.
    public private(set) var inboundEventsWrittenCount = 0
    /// As a remote core router: the events the store writes with each inbound message.
    public nonisolated let inboundEvents: InboundCoreEvents?

    public init(inboundEvents: InboundCoreEvents? = nil) {
        self.inboundEvents = inboundEvents
    }

    public func customerOptChanged(optedOut: Bool, conversationID: String) async {
        optChanges.append((optedOut, conversationID))
    }
    public func inboundEventsWritten() async { inboundEventsWrittenCount += 1 }

    public func notify(_ request: NotificationRequest) async { notified.append(request) }
    public func messageArrived(_ message: Message, in conversation: Conversation) async {
        arrived.append((message, conversation))
    }
    public func messageStatusChanged(_ message: Message, in conversation: Conversation) async {
        statusChanges.append(message)
    }
    public func closeConversation(id: String, reason: ConversationCloseReason) async { closed.append((id, reason)) }
    public func callConnectFailed(conversationID: String) async { connectFailures.append(conversationID) }
}

/// A provider's send API that answers from a script, one outcome a send (the last one repeats), and records the
/// messages and the clock's time of each send.
public final class ScriptedProviderAPI: ProviderAPI, Sendable {
    private let script: Mutex<[SendOutcome]>
    private let record = Mutex<[(message: OutboundMessage, at: Date)]>([])
    private let clock: any WallClock

    public init(_ outcomes: [SendOutcome], clock: any WallClock) {
        script = Mutex(outcomes)
        self.clock = clock
    }

    public var sends: [(message: OutboundMessage, at: Date)] { record.withLock { $0 } }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        let now = clock.now()
        record.withLock { $0.append((message, now)) }
        return script.withLock { script in script.count > 1 ? script.removeFirst() : script[0] }
    }
}

/// Call control that records the calls it was asked to connect or hand to a bot, and fails when told to.
public final class RecordingCallControl: CallControl, Sendable {
    public enum Request: Equatable, Sendable {
        case connect(HeldCall, endpoint: String)
        case bringInBot(HeldCall, target: String)
    }

    private let record = Mutex<[Request]>([])
    private let answers = Mutex<[HeldCall]>([])
    private let failure: SwitchboardError?
    private let connectionPrefix: String?

    /// - Parameters:
    ///   - failure: what every request throws.
    ///   - connectionPrefix: when given, ``answer(_:publicURL:)`` answers each call with the connection
    ///     `<prefix><callID>` (as ACS does); else the call is returned unchanged (as Twilio's TwiML holds it).
    public init(failing failure: SwitchboardError? = nil, answeringWith connectionPrefix: String? = nil) {
        self.failure = failure
        self.connectionPrefix = connectionPrefix
    }

    public var requests: [Request] { record.withLock { $0 } }
    /// The calls the gateway answered, in order.
    public var answered: [HeldCall] { answers.withLock { $0 } }

    public func answer(_ call: HeldCall, publicURL: String) async throws -> HeldCall {
        answers.withLock { $0.append(call) }
        guard let connectionPrefix else { return call }
        var answered = call
        answered.connectionID = connectionPrefix + call.callID
        return answered
    }

    public func connect(_ call: HeldCall, to endpoint: String) async throws {
        record.withLock { $0.append(.connect(call, endpoint: endpoint)) }
        if let failure { throw failure }
    }

    public func bringInBot(_ call: HeldCall, target: String) async throws {
        record.withLock { $0.append(.bringInBot(call, target: target)) }
        if let failure { throw failure }
    }
}
