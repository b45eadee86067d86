import Crypto
import Foundation
import Testing

@testable import Providers

@Suite struct TelnyxSignatureTests {
    /// providers.md §4.2, stored byte for byte (405 bytes, no trailing newline).
    static let vectorBody =
        #"{"data":{"event_type":"message.received","id":"b301ed3f-1490-491f-995f-6e64e69674d4","occurred_at":"2024-01-01T00:00:00.000+00:00","payload":{"id":"84cca175-9755-4859-b67f-4730d7f58aa3","direction":"inbound","from":{"phone_number":"+13125550100"},"to":[{"phone_number":"+13125550199"}],"text":"Hello","type":"SMS"},"record_type":"event"},"meta":{"attempt":1,"delivered_to":"https://example.com/webhooks"}}"#
    static let vectorSignature =
        "u8byB7jqVCR/mPzNUms7hvQpKNIRVLmgUEU+rckCm1axUAmvB4d+f0v3nAg1LEY46HV1xLPEKq3LbJOJUjmMDw=="

    @Test func derivedVectorVerifies() {
        #expect(Self.vectorBody.utf8.count == 405)
        #expect(
            TelnyxSignature.isValid(
                signature: Self.vectorSignature, timestamp: "1700000000", body: Array(Self.vectorBody.utf8),
                publicKey: telnyxTestPublicKey))
    }

    @Test func signingReproducesTheVector() {
        #expect(
            TelnyxSignature.sign(timestamp: "1700000000", body: Array(Self.vectorBody.utf8), privateKey: telnyxTestSeed)
                == Self.vectorSignature)
    }

    @Test func rfc8032EmptyMessageSanity() throws {
        let key = try Curve25519.Signing.PrivateKey(
            rawRepresentation: try #require(Data(base64Encoded: telnyxTestSeed)))
        #expect(key.publicKey.rawRepresentation.base64EncodedString() == telnyxTestPublicKey)
        let hex = try key.signature(for: Data()).map { String(format: "%02x", $0) }.joined()
        #expect(hex.hasPrefix("e5564300c360ac72"))
        #expect(hex.hasSuffix("7a100b"))
    }

    @Test func anyChangeInvalidates() {
        let body = Array(Self.vectorBody.utf8)
        let sig = Self.vectorSignature
        #expect(
            !TelnyxSignature.isValid(
                signature: sig, timestamp: "1700000001", body: body, publicKey: telnyxTestPublicKey))
        #expect(
            !TelnyxSignature.isValid(
                signature: sig, timestamp: "1700000000", body: body + [UInt8(ascii: "\n")],
                publicKey: telnyxTestPublicKey))
        #expect(
            !TelnyxSignature.isValid(
                signature: "AAAA", timestamp: "1700000000", body: body, publicKey: telnyxTestPublicKey))
        #expect(!TelnyxSignature.isValid(signature: sig, timestamp: "1700000000", body: body, publicKey: "not base64"))
        #expect(TelnyxSignature.isUsablePublicKey(telnyxTestPublicKey))
        #expect(!TelnyxSignature.isUsablePublicKey("c2hvcnQ="))
    }
}
