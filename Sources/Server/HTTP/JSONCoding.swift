import Foundation
import Hummingbird
import Switchboard

/// The contract's JSON (``ContractJSON``, in the domain) to and from Hummingbird's buffers.
extension ContractJSON {
    static func encode(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(data: try makeEncoder().encode(value))
    }

    /// Decodes a request body; a body that is not the expected JSON is a 400 naming what was wrong.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer, what: String) throws -> T {
        try decode(type, from: Data(buffer: buffer), what: what)
    }
}

extension Response {
    /// A JSON response with the contract's encoding.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: try ContractJSON.encode(value)))
    }
}

extension Data {
    init(buffer: ByteBuffer) {
        self = buffer.getData(at: buffer.readerIndex, length: buffer.readableBytes) ?? Data()
    }
}
