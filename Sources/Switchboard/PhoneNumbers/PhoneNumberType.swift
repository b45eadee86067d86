/// What kind of line a number is, as libphonenumber's metadata knows it.
///
/// Information for the agent, never a gate: the metadata shipped with Debian dates from 2022, so numbers in newer
/// ranges are ``unknown``.
public enum PhoneNumberType: String, Sendable, Hashable, Codable, CaseIterable {
    case mobile
    case fixedLine = "fixed-line"
    /// Where the number alone cannot tell fixed from mobile (the US, Canada, …).
    case fixedLineOrMobile = "fixed-line-or-mobile"
    case tollFree = "toll-free"
    case premiumRate = "premium-rate"
    /// The cost is shared between caller and recipient.
    case sharedCost = "shared-cost"
    case voip
    /// Routed to a mobile or fixed line of one person.
    case personalNumber = "personal-number"
    case pager
    /// Universal access number: one number for a company, routed to its offices.
    case uan
    /// Voicemail access.
    case voicemail
    /// Fits no known pattern of its country (often a range opened after the metadata).
    case unknown
}
