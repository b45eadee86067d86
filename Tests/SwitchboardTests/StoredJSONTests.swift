import Foundation
import Switchboard
import Testing

/// The JSON columns both stores share (`StoredValues.swift`): the empty documents read without a decoder, anything
/// else decoded, and what does not decode refused naming its column.
@Suite("Stored JSON columns")
struct StoredJSONTests {
    @Test func idsReadBackAsWritten() throws {
        for ids in [[], ["ct_1"], ["ct_1", "ct_2"]] {
            #expect(try StoredJSON.decodeIDs(from: try StoredJSON.encodeIDs(ids), column: "c") == ids)
        }
        #expect(try StoredJSON.decodeIDs(from: "[ ]", column: "c") == [])
    }

    @Test func mediaReadsBackAsWritten() throws {
        let media = [
            MediaAttachment(url: "https://example.com/a.jpg", contentType: "image/jpeg"),
            MediaAttachment(url: "https://example.com/b", contentType: nil),
        ]
        for stored in [[], media] {
            let text = try StoredJSON.encodeMedia(stored)
            #expect(try StoredJSON.decodeMedia(from: text, column: "message.media") == stored)
            #expect(try StoredJSON.mediaURLs(from: text, column: "message.media") == stored.map(\.url))
        }
    }

    @Test func brokenJSONNamesItsColumn() {
        #expect {
            try StoredJSON.decodeIDs(from: "[1,", column: "conversation.candidate_ids")
        } throws: { error in
            "\(error)".contains("conversation.candidate_ids")
        }
        #expect {
            try StoredJSON.decodeMedia(from: "{}", column: "message.media")
        } throws: { error in
            "\(error)".contains("message.media")
        }
    }
}
