import Switchboard

// What the send request builders put on the wire for a message's text and media, the same for every provider.

extension OutboundMessage {
    /// The text field's value, `nil` for a media-only message (MMS without text): the field is then left out
    /// rather than sent empty, as the providers' own MMS examples do.
    var textField: String? { text.isEmpty && !mediaURLs.isEmpty ? nil : text }

    /// The media URLs as a JSON array (Telnyx `media_urls`, Plivo `media_urls`, Bandwidth `media`), `nil` without
    /// media, so an SMS request stays exactly as before.
    var mediaJSON: JSONValue? { mediaURLs.isEmpty ? nil : .array(mediaURLs.map { .string($0) }) }
}
