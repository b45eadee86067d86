import Switchboard

/// `POST /v1/conversations/{id}/messages` `{"text"?, "media"?: [url]}`: at least one of them (CONTRACT.md §5).
/// What the URLs may be, and how many, depends on the channel: the gateway checks that (``OutboundMedia``).
struct ReplyInput: Decodable {
    var text: String?
    var media: [String]?

    enum CodingKeys: String, CodingKey {
        case text, media
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        // Any shape but an array of strings is the field `media`'s fault, not that of one of its elements.
        guard c.contains(.media), try !c.decodeNil(forKey: .media) else { return }
        guard let urls = try? c.decode([String].self, forKey: .media) else {
            throw DecodingError.typeMismatch(
                [String].self,
                .init(codingPath: [CodingKeys.media], debugDescription: "media must be an array of URL strings"))
        }
        media = urls
    }

    /// Refuses a body with neither field (`missing-field` `text`) and an empty `media` with no text.
    func checked(what: String) throws -> ReplyInput {
        switch (text, media) {
        case (nil, nil):
            throw SwitchboardError.missingField("text", in: what)
        case (let text, let media?) where media.isEmpty && (text ?? "").isEmpty:
            throw SwitchboardError.invalidRequest(
                "\(what): media is an empty array and there is no text; give media URLs or text", field: "media")
        default:
            return self
        }
    }
}
