import Curl
import Foundation
import Logging
import Switchboard

/// `router.mode = remote` (CONTRACT.md §2): every notification request is stored in a durable outbox and POSTed
/// as JSON to the external core, signed like §4's bot handoff, retried with backoff until the core answers 2xx.
/// The gateway then sits in front of an existing contact-center core, which notifies its own agents.
public final class RemoteCoreRouter: CoreRouter, Sendable {
    let url: String
    let signer: StandardWebhookSigner
    let store: any CoreNotificationStore
    let client: CurlClient
    let clock: any WallClock
    let retryPolicy: RetryPolicy
    let logger: Logger
    private let wakeSignal = WakeSignal()

    public init(
        url: String, secret: String, store: any CoreNotificationStore, client: CurlClient,
        clock: any WallClock = SystemWallClock(),
        retryPolicy: RetryPolicy = .init(), logger: Logger
    ) {
        self.url = url
        signer = StandardWebhookSigner(secret: secret)
        self.store = store
        self.client = client
        self.clock = clock
        self.retryPolicy = retryPolicy
        self.logger = logger
    }

    public func notify(_ request: NotificationRequest) async {
        let id = RecordID.make("ntfreq")
        do {
            let body = try ContractJSON.string(RemoteNotificationBody(id: id, request: request))
            try await store.enqueueCoreNotification(CoreNotification(id: id, body: body, createdAt: clock.now()))
            wakeSignal.signal()
        } catch {
            logger.error("remote core: cannot queue the notification request for \(request.conversationID): \(error)")
        }
    }

    /// The core learns that a conversation ended (the caller hung up) the same way, as a `conversation.closed`
    /// request from the outbox.
    public func closeConversation(id: String, reason: ConversationCloseReason) async {
        let requestID = RecordID.make("ntfreq")
        do {
            let body = try ContractJSON.string([
                "type": "conversation.closed", "id": requestID, "conversationId": id, "reason": reason.rawValue,
            ])
            try await store.enqueueCoreNotification(CoreNotification(id: requestID, body: body, createdAt: clock.now()))
            wakeSignal.signal()
        } catch {
            logger.error("remote core: cannot queue conversation.closed for \(id): \(error)")
        }
    }

    /// The external core owns its agents' streams: messages and statuses stay readable through `/v1`.
    public func messageArrived(_ message: Message, in conversation: Conversation) async {}
    public func messageStatusChanged(_ message: Message, in conversation: Conversation) async {}

    /// Sends due requests until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            if await sendDue() { continue }
            let next = try? await store.nextCoreNotificationAttempt()
            let wait = next.map { max(0.001, min(5, $0.timeIntervalSince(clock.now()))) } ?? 5
            await wakeSignal.wait(timeout: .milliseconds(Int64(wait * 1000)))
        }
    }

    /// Posts every due request once; returns whether there were any.
    @discardableResult
    public func sendDue() async -> Bool {
        guard let due = try? await store.dueCoreNotifications(now: clock.now(), limit: 32), !due.isEmpty else {
            return false
        }
        await withTaskGroup(of: Void.self) { group in
            for notification in due { group.addTask { await self.post(notification) } }
        }
        return true
    }

    private func post(_ notification: CoreNotification) async {
        let body = Array(notification.body.utf8)
        let timestamp = Int(clock.now().timeIntervalSince1970)
        let request = CurlRequest(
            method: "POST", url: url,
            headers: [(name: "Content-Type", value: "application/json")]
                + signer.headers(id: notification.id, timestamp: timestamp, body: body),
            body: body)
        let problem: String
        var retryAfter: Double?
        do {
            let response = try await client.execute(request)
            if (200..<300).contains(response.status) {
                try? await store.completeCoreNotification(id: notification.id)
                return
            }
            problem = "the core answered HTTP \(response.status)"
            retryAfter = response.header("Retry-After").flatMap(Double.init)
        } catch {
            problem = "the core is unreachable: \(error.message)"
        }
        let delay = retryPolicy.delay(afterAttempts: notification.attempts + 1, retryAfter: retryAfter)
        logger.warning("remote core: \(notification.id) not delivered (\(problem)); retry in \(Int(delay.rounded())) s")
        try? await store.retryCoreNotification(
            id: notification.id, nextAttemptAt: clock.now().addingTimeInterval(delay), error: problem)
    }
}

/// What the external core receives for each notification request.
struct RemoteNotificationBody: Encodable {
    let id: String
    let request: NotificationRequest

    enum CodingKeys: String, CodingKey {
        case type, id, scenario, conversationId, channelId, channel, queue, customer, context, priority, createdAt
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("notification.request", forKey: .type)
        try c.encode(id, forKey: .id)
        try c.encode(request.scenario, forKey: .scenario)
        try c.encode(request.conversationID, forKey: .conversationId)
        try c.encode(request.channelID, forKey: .channelId)
        try c.encode(request.medium, forKey: .channel)
        try c.encode(request.queue, forKey: .queue)
        try c.encode(request.customer, forKey: .customer)
        try c.encodeIfPresent(JSONValue(text: request.contextJSON), forKey: .context)
        try c.encode(request.priority, forKey: .priority)
        try c.encode(request.createdAt, forKey: .createdAt)
    }
}
