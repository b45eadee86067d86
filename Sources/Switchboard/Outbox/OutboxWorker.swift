import Foundation
import Logging
import Synchronization

/// Sends queued replies from the durable outbox through each channel's provider API, retrying what can be
/// retried, until `maxAttempts` or `maxAgeSeconds`; resumes after a restart from what the store kept.
public final class OutboxWorker: Sendable {
    let store: any OutboxStore & ConversationStore & OptOutStore
    /// The configuration and each channel's capabilities (its send API, where its delivery reports go), read
    /// per send so that a reload applies to the next one.
    let live: LiveConfiguration
    var configuration: Configuration { live.configuration }
    let router: any CoreRouter
    let clock: any WallClock
    let retryPolicy: RetryPolicy
    let logger: Logger
    /// Longest the worker sleeps between looks at the outbox when nothing wakes it.
    let idlePoll: Duration
    let batchSize: Int
    private let wakeSignal = WakeSignal()
    /// Replies being sent by ``run()``: a due item is started once, however long its rate-limit wait or request.
    private let inFlight = Mutex(Set<String>())
    private let rateLimiter: Mutex<SendRateLimiter>
    /// Called with the outcome of every attempt (`sent`, `retry`, `failed`): metrics.
    let onAttempt: @Sendable (_ provider: ProviderKind, _ outcome: String) -> Void

    public convenience init(
        store: any OutboxStore & ConversationStore & OptOutStore, capabilities: [String: ChannelCapabilities],
        configuration: Configuration,
        router: any CoreRouter,
        clock: any WallClock = SystemWallClock(), retryPolicy: RetryPolicy = .init(),
        logger: Logger = Logger(label: "switchboard.outbox"), idlePoll: Duration = .seconds(5), batchSize: Int = 64,
        onAttempt: @escaping @Sendable (ProviderKind, String) -> Void = { _, _ in }
    ) {
        self.init(
            store: store, live: LiveConfiguration(configuration: configuration, capabilities: capabilities),
            router: router, clock: clock, retryPolicy: retryPolicy, logger: logger, idlePoll: idlePoll,
            batchSize: batchSize, onAttempt: onAttempt)
    }

    /// A worker that reads the configuration and capabilities from `live`, which a reload replaces; call
    /// ``reloaded()`` after a reload so that changed send rates apply.
    public init(
        store: any OutboxStore & ConversationStore & OptOutStore, live: LiveConfiguration, router: any CoreRouter,
        clock: any WallClock = SystemWallClock(), retryPolicy: RetryPolicy = .init(),
        logger: Logger = Logger(label: "switchboard.outbox"), idlePoll: Duration = .seconds(5), batchSize: Int = 64,
        onAttempt: @escaping @Sendable (ProviderKind, String) -> Void = { _, _ in }
    ) {
        self.store = store
        self.live = live
        self.router = router
        self.clock = clock
        self.retryPolicy = retryPolicy
        self.logger = logger
        self.idlePoll = idlePoll
        self.batchSize = batchSize
        self.onAttempt = onAttempt
        rateLimiter = Mutex(SendRateLimiter(rates: Self.rates(of: live.configuration)))
    }

    /// Each channel's `maxSegmentsPerSecond`, by channel id.
    static func rates(of configuration: Configuration) -> [String: Double] {
        Dictionary(
            configuration.channels.compactMap { channel in channel.maxSegmentsPerSecond.map { (channel.id, $0) } },
            uniquingKeysWith: { first, _ in first })
    }

    /// The configuration was reloaded: the channels' send rates apply from the next send, and the outbox is
    /// looked at again (an added channel may have replies waiting).
    public func reloaded() {
        let rates = Self.rates(of: configuration)
        rateLimiter.withLock { $0.setRates(rates) }
        wake()
    }

    /// Asks the worker to look at the outbox now (a reply was queued).
    public func wake() { wakeSignal.signal() }

    /// Runs until the task is cancelled; sends in flight when it is cancelled are finished first. Each due reply
    /// is sent in a task of its own, so a slow provider or a channel waiting for its rate limit never holds back
    /// the replies of other channels.
    public func run() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                switch await startDueItems(in: &group) {
                case .started: continue
                // Due replies are all being sent: the next look is when one of them finishes.
                case .allInFlight: await wakeSignal.wait(timeout: idlePoll)
                case .none: await wakeSignal.wait(timeout: await sleepDuration())
                }
            }
        }
    }

    private enum StartResult {
        case started
        case allInFlight
        case none
    }

    /// Starts a task for every due reply not already being sent.
    private func startDueItems(in group: inout DiscardingTaskGroup) async -> StartResult {
        let items: [OutboxItem]
        do {
            // Look past the replies already being sent, so that a channel held back by its rate limit does not
            // hide the replies of other channels.
            let busy = inFlight.withLock { $0.count }
            items = try await store.dueOutboxItems(now: clock.now(), limit: batchSize + busy)
        } catch {
            if !Task.isCancelled { logger.error("outbox: cannot read the outbox: \(error)") }
            return .none
        }
        let fresh = inFlight.withLock { inFlight in items.filter { inFlight.insert($0.messageID).inserted } }
        for item in fresh {
            group.addTask {
                // Not cancelled with the worker: a send in flight at shutdown finishes and records its outcome
                // (the group still waits for it), instead of being left `sending` until its lease expires.
                await Task { await self.deliver(item) }.value
                self.inFlight.withLock { _ = $0.remove(item.messageID) }
                self.wakeSignal.signal()
            }
        }
        return !fresh.isEmpty ? .started : items.isEmpty ? .none : .allInFlight
    }

    /// Sends every due item once; returns whether there were any.
    @discardableResult
    public func sendDueItems() async -> Bool {
        let items: [OutboxItem]
        do {
            items = try await store.dueOutboxItems(now: clock.now(), limit: batchSize)
        } catch {
            if !Task.isCancelled { logger.error("outbox: cannot read the outbox: \(error)") }
            return false
        }
        if items.isEmpty { return false }
        await withTaskGroup(of: Void.self) { group in
            for item in items {
                group.addTask { await self.deliver(item) }
            }
        }
        return true
    }

    private func sleepDuration() async -> Duration {
        guard let next = try? await store.nextOutboxAttempt() else { return idlePoll }
        let seconds = next.timeIntervalSince(clock.now())
        if seconds <= 0 { return .milliseconds(1) }
        return min(idlePoll, .milliseconds(Int64(seconds * 1000) + 1))
    }

    func deliver(_ item: OutboxItem) async {
        // One snapshot: a reload in between cannot pair a channel with another version's capabilities.
        let live = live.snapshot
        guard let channel = live.configuration.channel(id: item.channelID),
            let channelCapabilities = live.capabilities[item.channelID]
        else {
            await fail(
                item, status: .failed,
                error: ProviderErrorDetail(
                    code: "channel-missing",
                    message: "channel \(item.channelID) is not configured; the reply cannot be sent"),
                provider: nil)
            return
        }
        guard let api = channelCapabilities.messages else {
            await fail(
                item, status: .failed,
                error: ProviderErrorDetail(
                    code: "cannot-send",
                    message: "channel \(item.channelID) (\(channel.provider.rawValue)) sends no messages"),
                provider: channel.provider)
            return
        }
        // Checked when it was queued; the channel may have changed since (a reload gave it another provider).
        if let refusal = OutboundMedia.refusal(
            of: item.mediaURLs, maxPerMessage: channelCapabilities.maxMediaPerMessage, channelID: channel.id,
            provider: channel.provider)
        {
            await fail(
                item, status: .failed, error: ProviderErrorDetail(code: "cannot-send-media", message: refusal),
                provider: channel.provider)
            return
        }
        // The channel's send-rate limit, counted in segments (fair: each channel has its own schedule).
        let wait = rateLimiter.withLock {
            $0.reserve(channelID: channel.id, segments: SMSSegments.count(item.text), now: clock.now())
        }
        if wait > 0 { try? await clock.sleep(for: .milliseconds(Int64(wait * 1000))) }
        let now = clock.now()
        do {
            // Another worker (another instance) claimed it first: it sends, not us.
            guard try await store.markSending(messageID: item.messageID, at: now) else { return }
        } catch {
            logger.error("outbox: cannot mark \(item.messageID) sending: \(error)")
            return
        }
        let spacing = rateLimiter.withLock {
            $0.departure(channelID: channel.id, segments: SMSSegments.count(item.text), now: clock.now())
        }
        if spacing > 0 { try? await clock.sleep(for: .milliseconds(Int64(spacing * 1000))) }
        await publishStatus(of: item.messageID)
        let message = OutboundMessage(
            messageID: item.messageID, channelID: channel.id, from: channel.numbers.first, to: item.to,
            text: item.text, mediaURLs: item.mediaURLs, idempotencyKey: item.idempotencyKey,
            firstQueuedAt: item.queuedAt,
            statusCallbackURL: channelCapabilities.statusCallbackURL(
                channelID: channel.id, publicURL: configuration.publicURL))
        let outcome = await api.send(message)
        let attempts = item.attempts + 1
        switch outcome {
        case .accepted(let providerMessageID):
            do {
                let sent = try await store.markSent(
                    messageID: item.messageID, providerMessageID: providerMessageID, at: clock.now())
                onAttempt(channel.provider, "sent")
                await publish(sent)
            } catch {
                logger.error("outbox: \(item.messageID) was sent but could not be recorded: \(error)")
            }
        case .permanent(let error, let optedOut):
            await fail(item, status: optedOut ? .optedOut : .failed, error: error, provider: channel.provider)
            if optedOut {
                try? await store.setOptedOut(channelID: channel.id, customer: item.to, optedOut: true, at: clock.now())
                await router.customerOptChanged(optedOut: true, conversationID: item.conversationID)
            }
        case .retryLater(let error, let retryAfter):
            let age = clock.now().timeIntervalSince(item.queuedAt)
            let delay = retryPolicy.delay(afterAttempts: attempts, retryAfter: retryAfter)
            if attempts >= configuration.outbox.maxAttempts || age + delay > configuration.outbox.maxAgeSeconds {
                await fail(item, status: .failed, error: error, provider: channel.provider)
                return
            }
            do {
                try await store.scheduleRetry(
                    messageID: item.messageID, nextAttemptAt: clock.now().addingTimeInterval(delay), error: error)
                onAttempt(channel.provider, "retry")
            } catch {
                logger.error("outbox: cannot schedule a retry of \(item.messageID): \(error)")
            }
            logger.info(
                "outbox: \(channel.id) send of \(item.messageID) will be retried in \(Int(delay.rounded())) s: \(error.code) \(error.message)"
            )
        }
    }

    private func fail(
        _ item: OutboxItem, status: MessageStatus, error: ProviderErrorDetail, provider: ProviderKind?
    )
        async
    {
        do {
            let failed = try await store.markFailed(
                messageID: item.messageID, status: status, error: error, at: clock.now())
            if let provider { onAttempt(provider, "failed") }
            logger.warning(
                "outbox: \(item.channelID) reply \(item.messageID) \(status.rawValue): \(error.code) \(error.message)")
            await publish(failed)
        } catch {
            logger.error("outbox: cannot mark \(item.messageID) failed: \(error)")
        }
    }

    private func publishStatus(of messageID: String) async {
        guard let message = try? await store.message(id: messageID) else { return }
        await publish(message)
    }

    /// Tells the conversation's holder about the status the message has now (as the store returned it, so a
    /// report that overtook the send is not announced twice).
    private func publish(_ message: Message) async {
        guard let conversation = try? await store.conversation(id: message.conversationID) else { return }
        await router.messageStatusChanged(message, in: conversation)
    }
}
