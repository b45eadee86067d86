import Foundation
import Switchboard
import Testing

@testable import Providers

/// providers.md §5.2's derived V3 vectors: token `my_auth_token`, nonce `05429567804466091622`.
@Suite struct PlivoSignatureTests {
    static let token = "my_auth_token"
    static let nonce = "05429567804466091622"

    func form(_ pairs: [(String, String)]) -> FormParameters {
        FormParameters(pairs.map { FormParameters.Pair(name: $0.0, value: $0.1) })
    }

    struct Vector: Sendable {
        var method: String
        var url: String
        var params: [(String, String)]
        var signed: String
        var expected: String
    }

    static let vectors: [Vector] = [
        Vector(
            method: "POST", url: "https://example.com/plivo/sms",
            params: [
                ("From", "14155550100"), ("To", "14155550199"), ("Text", "Hello"), ("Type", "sms"),
                ("MessageUUID", "3e8e6b6a-0c1d-11ee-9a3c-0242ac120002"),
            ],
            signed:
                "https://example.com/plivo/sms?From14155550100MessageUUID3e8e6b6a-0c1d-11ee-9a3c-0242ac120002TextHelloTo14155550199Typesms",
            expected: "dzBvsgccobfBQSYEU3D6LP/02C1p6aW6m9BnTpfnkLg="),
        Vector(
            method: "POST", url: "https://example.com/plivo/sms?tenant=acme&a=1",
            params: [("From", "14155550100"), ("To", "14155550199"), ("Text", "Hello")],
            signed: "https://example.com/plivo/sms?a=1&tenant=acme.From14155550100TextHelloTo14155550199",
            expected: "RlHRYAGxzS1jViTKNVMDmZDKk76hAhc/8FLEIDtHIEY="),
        Vector(
            method: "GET", url: "https://example.com/plivo/sms?From=14155550100&To=14155550199&Text=Hello", params: [],
            signed: "https://example.com/plivo/sms?From=14155550100&Text=Hello&To=14155550199",
            expected: "Wqo1CZHAByfzkmL2elLp+FT91hXfmJ17/eo2GMCqAGM="),
        Vector(
            method: "POST", url: "https://example.com/plivo/sms", params: [],
            signed: "https://example.com/plivo/sms", expected: "yIsA1GHk9scLSCaJSIf0eM50BUs1CCoZp/3p+sVCtLk="),
    ]

    @Test(arguments: 0..<4) func derivedVectors(index: Int) {
        let v = Self.vectors[index]
        #expect(PlivoSignature.stringToSign(method: v.method, url: v.url, parameters: form(v.params)) == v.signed)
        #expect(
            PlivoSignature.compute(
                method: v.method, url: v.url, parameters: form(v.params), nonce: Self.nonce, authToken: Self.token)
                == v.expected)
        #expect(
            PlivoSignature.isValid(
                header: v.expected, method: v.method, url: v.url, parameters: form(v.params), nonce: Self.nonce,
                authToken: Self.token))
        #expect(
            !PlivoSignature.isValid(
                header: v.expected, method: v.method, url: v.url, parameters: form(v.params), nonce: Self.nonce,
                authToken: "my_auth_tokens"))
    }

    @Test func anyOfSeveralCommaSeparatedSignatures() {
        let v = Self.vectors[0]
        let header = "bm90LXRoaXMtb25l, \(v.expected),b3RoZXI="
        #expect(
            PlivoSignature.isValid(
                header: header, method: v.method, url: v.url, parameters: form(v.params), nonce: Self.nonce,
                authToken: Self.token))
        #expect(
            !PlivoSignature.isValid(
                header: "bm90LXRoaXMtb25l,b3RoZXI=", method: v.method, url: v.url, parameters: form(v.params),
                nonce: Self.nonce, authToken: Self.token))
        // Another nonce is another signature.
        #expect(
            !PlivoSignature.isValid(
                header: v.expected, method: v.method, url: v.url, parameters: form(v.params), nonce: "1",
                authToken: Self.token))
    }

    @Test func defaultPortVariantsAreAccepted() {
        let v = Self.vectors[0]
        let withPort = PlivoSignature.compute(
            method: "POST", url: "https://example.com:443/plivo/sms", parameters: form(v.params), nonce: Self.nonce,
            authToken: Self.token)
        #expect(
            PlivoSignature.isValid(
                header: withPort, method: "POST", url: v.url, parameters: form(v.params), nonce: Self.nonce,
                authToken: Self.token))
        #expect(
            PlivoSignature.isValid(
                header: v.expected, method: "POST", url: "https://example.com:443/plivo/sms",
                parameters: form(v.params), nonce: Self.nonce, authToken: Self.token))
    }

    @Test func repeatedValuesAreSorted() {
        let p = form([("b", "2"), ("a", "y"), ("a", "x")])
        #expect(PlivoSignature.stringToSign(method: "POST", url: "https://h/p", parameters: p) == "https://h/p?axayb2")
        #expect(
            PlivoSignature.stringToSign(method: "GET", url: "https://h/p?b=2", parameters: form([("a", "1")]))
                == "https://h/p?a=1&b=2")
    }
}
