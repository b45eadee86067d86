import Foundation
import Testing

@testable import Providers

/// providers.md §3.2: the vonage-python-sdk v3 and v4 vectors.
@Suite struct VonageSignatureTests {
    static let v3Parameters = [("a", "1"), ("b", "2"), ("timestamp", "1461605396")].map { (name: $0.0, value: $0.1) }

    @Test func canonicalString() {
        #expect(VonageSignature.stringToSign(Self.v3Parameters) == "&a=1&b=2&timestamp=1461605396")
        let shuffled = [("timestamp", "1"), ("sig", "x"), ("b", "a&b=c"), ("a", "1")].map { (name: $0.0, value: $0.1) }
        #expect(VonageSignature.stringToSign(shuffled) == "&a=1&b=a_b_c&timestamp=1")
    }

    @Test(arguments: [
        (VonageSignature.Method.md5hash, "6af838ef94998832dbfc29020b564830"),
        (.md5, "c15c21ced558c93a226c305f58f902f2"),
        (.sha1, "3e19a4e6880fdc2c1426bfd0587c98b9532f0210"),
        (.sha256, "a321e824b9b816be7c3f28859a31749a098713d39f613c80d455bbaffae1cd24"),
        (
            .sha512,
            "812a18f76680fa0fe1b8bd9ee1625466ceb1bd96242e4d050d2cfd9a7b40166c63ed26ec9702168781b6edcf1633db8ff95af9341701004eec3fcf9550572ee8"
        ),
    ])
    func v3Vectors(method: VonageSignature.Method, expected: String) {
        #expect(VonageSignature.compute(Self.v3Parameters, secret: "secret", method: method) == expected)
        #expect(
            VonageSignature.isValid(
                signature: expected, parameters: Self.v3Parameters, secret: "secret", method: method))
        #expect(
            VonageSignature.isValid(
                signature: expected.uppercased(), parameters: Self.v3Parameters, secret: "secret", method: method))
        #expect(
            !VonageSignature.isValid(
                signature: expected, parameters: Self.v3Parameters, secret: "Secret", method: method))
    }

    @Test(arguments: [
        (
            [("param1", "value1"), ("param2", "value2"), ("timestamp", "1234567890")], VonageSignature.Method.sha256,
            "280c4320703dbc98bfa22db676655ed2acfbfe8792b062ff7622e67f1183c287"
        ),
        (
            [("param1", "value1"), ("param2", "value2"), ("timestamp", "1234567890")], .md5,
            "724c2bf6ca423c36e20631b11d1c5753"
        ),
        (
            [("param1", "value&1"), ("param2", "value=2"), ("timestamp", "1234567890")], .md5,
            "2bbf0abafb2c55e5af6231513896a2ac"
        ),
        (
            [("param1", "value1"), ("param2", "value2"), ("timestamp", "12345")], .md5,
            "bc7e95bb4e341090b3a202a2885903a5"
        ),
    ])
    func v4Vectors(parameters: [(String, String)], method: VonageSignature.Method, expected: String) {
        let pairs = parameters.map { (name: $0.0, value: $0.1) }
        #expect(VonageSignature.compute(pairs, secret: "signature_secret", method: method) == expected)
    }

    @Test func v4CheckSignature() {
        let pairs = [("param", "value"), ("timestamp", "1234567890"), ("sig", "655a4d0b7f064dff438defc52b012cf5")]
            .map { (name: $0.0, value: $0.1) }
        #expect(
            VonageSignature.isValid(
                signature: "655a4d0b7f064dff438defc52b012cf5", parameters: pairs, secret: "signature_secret",
                method: .md5))
        #expect(
            !VonageSignature.isValid(
                signature: "655a4d0b7f064dff438defc52b012cf6", parameters: pairs, secret: "signature_secret",
                method: .md5))
    }
}
