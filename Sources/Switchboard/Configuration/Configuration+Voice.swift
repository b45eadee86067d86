import Foundation

extension Configuration.Channel {
    /// The channel's `voice` key (CONTRACT.md §3 "Voice."): what an incoming call is answered with.
    public struct Voice: Sendable, Codable, Equatable {
        /// The bot that answers first; `nil` parks the caller on hold and notifies agents at once.
        public var bot: Bot?
        /// What the caller hears while waiting (Twilio `<Say>`).
        public var holdMessage: String
        /// The provider-side hold queue and the routing queue; defaults to the channel's queue.
        public var queue: String?

        public struct Bot: Sendable, Codable, Equatable {
            /// Twilio `<VirtualAgent connectorName>`.
            public var connectorName: String?
            /// ACS: the bot's ACS user id or E.164 number.
            public var target: String?
            public init(connectorName: String? = nil, target: String? = nil) {
                self.connectorName = connectorName
                self.target = target
            }
        }

        public static let defaultHoldMessage = "Please hold for an agent."

        public init(bot: Bot? = nil, holdMessage: String = Voice.defaultHoldMessage, queue: String? = nil) {
            self.bot = bot
            self.holdMessage = holdMessage
            self.queue = queue
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                bot: try c.decodeIfPresent(Bot.self, forKey: .bot),
                holdMessage: try c.decodeIfPresent(String.self, forKey: .holdMessage) ?? Self.defaultHoldMessage,
                queue: try c.decodeIfPresent(String.self, forKey: .queue))
        }
    }

    /// The queue a call of this channel waits in.
    public var voiceQueue: String { voice?.queue ?? queue }
}
