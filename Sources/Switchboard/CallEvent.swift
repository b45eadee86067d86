import Foundation

/// A voice call webhook, decoded (Twilio `voice`, `handoff`, `call-status`; ACS `IncomingCall`, `call-events`).
public struct CallEvent: Sendable, Equatable {
    /// The provider's call id (`CallSid`; ACS `serverCallId` of an incoming call, `callConnectionId` of a
    /// Call Automation callback).
    public var callID: String
    /// The caller as the provider wrote it, when the webhook says.
    public var from: String?
    public var change: Change
    public var receivedAt: Date
    /// The provider's id of this event when it has one (an ACS CloudEvent `id`): a redelivery of it changes nothing.
    public var dedupeKey: String?

    public enum Change: Sendable, Equatable {
        /// A new call: open or continue the caller's voice conversation. `providerContext` is what the provider
        /// needs later to connect the call (ACS `incomingCallContext`); `notifyNow` unless a bot answers first.
        case incoming(providerContext: String?, notifyNow: Bool)
        /// The bot finished: `escalated` when it asked for an agent; `hungUp` when the caller left;
        /// `language` and `variables` (JSON object text) go to the context's `bot`.
        case botFinished(status: String, escalated: Bool, hungUp: Bool, language: String?, variablesJSON: String?)
        /// The call ended (hang-up, busy, failed, …): for a call the gateway transferred away already
        /// (``transferAccepted``), only the gateway's own leg did.
        case ended
        /// The provider put the held call through to the agent (ACS `CallTransferAccepted`).
        case transferAccepted
        /// The provider could not put the held call through to the agent (ACS `CallTransferFailed`): `reason` as
        /// the provider said it.
        case transferFailed(reason: String)
    }

    public init(callID: String, from: String?, change: Change, receivedAt: Date, dedupeKey: String? = nil) {
        self.callID = callID
        self.from = from
        self.change = change
        self.receivedAt = receivedAt
        self.dedupeKey = dedupeKey
    }
}
