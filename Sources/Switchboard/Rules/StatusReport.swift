import Foundation

extension Message {
    /// What a status report (a provider's delivery report, or the outbox's own) does to this message: the status
    /// moves forward only (``MessageStatus/advanced(to:)``), and the report's error is kept when the message now has
    /// the status it came with — a late `failed` after `delivered` does not belong to the message.
    ///
    /// - Returns: `nil` when the report changes nothing; else the message to store and whether its status changed
    ///   (a status change adds a row to the message's status history).
    public func applyingReport(
        _ next: MessageStatus, error: ProviderErrorDetail?, at: Date
    ) -> (message: Message, statusChanged: Bool)? {
        var updated = self
        updated.status = status.advanced(to: next)
        let changed = updated.status != status
        if let error, updated.status == next { updated.error = error }
        guard changed || updated.error != self.error else { return nil }
        updated.updatedAt = at
        return (updated, changed)
    }
}
