import Foundation

/// A voice call webhook, decoded (Twilio `voice`, `handoff`, `call-status`; ACS `IncomingCall`).
public struct CallEvent: Sendable, Equatable {
    /// The provider's call id (`CallSid`, ACS `incomingCallContext` is kept in ``context``).
    public var callID: String
    /// The caller as the provider wrote it, when the webhook says.
    public var from: String?
    public var change: Change
    public var receivedAt: Date

    public enum Change: Sendable, Equatable {
        /// A new call: open or continue the caller's voice conversation. `providerContext` is what the provider
        /// needs later to connect the call (ACS `incomingCallContext`); `notifyNow` unless a bot answers first.
        case incoming(providerContext: String?, notifyNow: Bool)
        /// The bot finished: `escalated` when it asked for an agent; `hungUp` when the caller left;
        /// `language` and `variables` (JSON object text) go to the context's `bot`.
        case botFinished(status: String, escalated: Bool, hungUp: Bool, language: String?, variablesJSON: String?)
        /// The call ended (hang-up, busy, failed, …).
        case ended
    }

    public init(callID: String, from: String?, change: Change, receivedAt: Date) {
        self.callID = callID
        self.from = from
        self.change = change
        self.receivedAt = receivedAt
    }
}
