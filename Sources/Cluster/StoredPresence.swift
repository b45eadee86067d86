import Foundation
import Switchboard

/// A `presence` event's data as the log keeps it (``PresenceBody``).
struct StoredPresence: Decodable {
    var agentId: String
    var status: PresenceStatus
    var setBy: PresenceSetter
    var reason: String?
    var since: Date

    static func decode(_ data: String) throws -> StoredPresence {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            return try Date(text, strategy: ContractJSON.timestampStyle)
        }
        return try decoder.decode(StoredPresence.self, from: Data(data.utf8))
    }
}
