import Foundation
import Switchboard

/// What the router knows about one configured agent (or supervisor).
struct AgentState: Sendable {
    /// Replaced by a reload (CONTRACT.md §12); the rest of the state stays.
    var profile: Configuration.Agent
    /// Streams open now; the agent signs out `disconnectGraceSeconds` after this drops to 0.
    var openStreams = 0
    var signedIn = false
    var presence: Presence
    /// The presence is the system-computed one and moves with load (set at sign-in, by load or by a reset).
    var followsLoad = false
    /// Capacity each held conversation uses, by conversation id.
    var sessions: [String: Int] = [:]
    /// Pending alerts sent to this agent, oldest first.
    var pendingAlerts: [String] = []
    /// Pending banners (missed, rejected), oldest first; withdrawn when presence is set or reset.
    var banners: [String] = []
    var lastOfferedAt: Date?
    /// When the last stream closed.
    var disconnectedAt: Date?
    /// Presence before a sign-out, restored by a sign-in within `reconnectWindowSeconds` of the disconnect.
    var presenceBeforeSignOut: (presence: Presence, followsLoad: Bool)?

    init(profile: Configuration.Agent, now: Date) {
        self.profile = profile
        presence = Presence(status: .offline, setBy: .system, reason: nil, since: now)
    }

    var id: String { profile.id }
    var usedCapacity: Int { sessions.values.reduce(0, +) }
    var freeCapacity: Int { profile.capacity - usedCapacity }

    /// Whether presence alone lets work be offered: `available`, or `busy` because of load.
    var presenceAcceptsWork: Bool {
        presence.status == .available || (presence.status == .busy && followsLoad)
    }

    /// The status that load gives: nothing used → available, some → busy, full → dnd.
    var statusByLoad: PresenceStatus {
        let used = usedCapacity
        if used == 0 { return .available }
        return used >= profile.capacity ? .dnd : .busy
    }

    /// Whether an accept or a close recomputes presence: it follows load, or is the agent's own `available`.
    var presenceYieldsToLoad: Bool {
        followsLoad || (presence.status == .available && presence.setBy == .agent)
    }
}

/// A conversation the router has been asked to find an agent for, and what became of it.
struct RoutedItem: Sendable {
    var request: NotificationRequest
    /// Capacity the item uses while held.
    let cost: Int
    /// Arrival order, for first in, first out among equal priorities.
    let arrival: Int
    var owner: String?
    var pendingNotificationID: String?
    var offers: [OfferRecord] = []
    var closed = false
    /// Set for a work item (`POST /v1/work-items`).
    var workItem: WorkItemInfo?
    /// The agent it was assigned to while that agent had no open stream, so it never saw the notification;
    /// cleared when the agent opens it.
    var assignedUnseenBy: String?
    /// A transfer to a queue goes to an agent other than the former holder.
    var excludedAgent: String?
    /// When it was assigned (or closed), for the work item's status.
    var assignedAt: Date?
    var closedAt: Date?

    var conversationID: String { request.conversationID }
    var isWaiting: Bool { !closed && owner == nil && pendingNotificationID == nil }

    func offerCount(to agentID: String) -> Int { offers.count { $0.agentId == agentID } }

    /// Its queue's `priority`, set when it is admitted or transferred to a queue.
    var queuePriority = 0

    /// Waiting order: higher queue priority first, then higher item priority, then first in, first out.
    static func servedBefore(_ a: RoutedItem, _ b: RoutedItem) -> Bool {
        if a.queuePriority != b.queuePriority { return a.queuePriority > b.queuePriority }
        return a.request.priority != b.request.priority
            ? a.request.priority > b.request.priority : a.arrival < b.arrival
    }
}

/// What a work item adds to a routed item.
struct WorkItemInfo: Sendable {
    var kind: String
    var title: String
}

/// A notification sent to an agent, kept after it closed so that late answers get `409` rather than `404`.
struct NotificationRecord: Sendable {
    var notification: AgentNotification
    let agentID: String
    var outcome: NotificationOutcome?

    var id: String { notification.id }
    var isPending: Bool { outcome == nil }
}
