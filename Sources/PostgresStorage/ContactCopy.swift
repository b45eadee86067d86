import Foundation
import Switchboard

/// Contacts as `COPY … FROM STDIN` text (tab-separated columns, one row a line), the fast path of
/// ``PostgresStore/importContacts(_:)``: building text is cheaper than binding arrays, and the server parses it
/// in bulk.
enum ContactCopy {
    /// Rows per chunk written to the server.
    static let rowsPerChunk = 2000

    /// The rows of `contact_import` (id, name, mobile_phone, mobile_phone_e164, region, attributes, created_at,
    /// position), in chunks of ``rowsPerChunk``.
    static func chunks(_ contacts: [Contact]) throws -> [String] {
        var chunks: [String] = []
        var text = ""
        for (position, contact) in contacts.enumerated() {
            for field in [
                contact.id, contact.name, contact.mobilePhone, contact.mobilePhoneE164, contact.region,
                try StoredJSON.encode(contact.attributes),
            ] {
                appendEscaped(field, to: &text)
                text.append("\t")
            }
            text.append(String(contact.createdAt.storedMilliseconds))
            text.append("\t")
            text.append(String(position))
            text.append("\n")
            if (position + 1) % rowsPerChunk == 0 {
                chunks.append(text)
                text = ""
            }
        }
        if !text.isEmpty { chunks.append(text) }
        return chunks
    }

    /// COPY's text format: backslash, tab, newline and carriage return are escaped; everything else is literal.
    static func appendEscaped(_ field: String, to text: inout String) {
        guard field.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
            text.append(field)
            return
        }
        for character in field.unicodeScalars {
            switch character {
            case "\\": text.append("\\\\")
            case "\t": text.append("\\t")
            case "\n": text.append("\\n")
            case "\r": text.append("\\r")
            default: text.unicodeScalars.append(character)
            }
        }
    }
}
