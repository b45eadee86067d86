import Foundation
import Testing

@testable import Providers

/// providers.md §6.2's SDK vectors (python_telesign `tests/test_util.py`, `tests/test_rest.py`).
@Suite struct TeleSignSignatureTests {
    static let customerID = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890"
    static let apiKey = "EXAMPLE----TE8sTgg45yusumoN6BYsBVkh+yRJ5czgsnCehZaOYldPJdmFh6NeX8kunZ2zU1YWaUw/0wV6xfw=="

    @Test func keyIsDecodedLeniently() throws {
        #expect(try #require(TeleSignSignature.keyBytes(apiKey: Self.apiKey)).count == 61)
        #expect(TeleSignSignature.keyBytes(apiKey: "----") == nil)
    }

    @Test func callbackVector() {
        let body = Array("{'test': 123}".utf8)
        #expect(
            TeleSignSignature.compute(body: body, apiKey: Self.apiKey) == "B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN744="
        )
        #expect(
            TeleSignSignature.isValid(
                signature: "B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN744=", body: body, apiKey: Self.apiKey))
        #expect(
            !TeleSignSignature.isValid(
                signature: "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=", body: body, apiKey: Self.apiKey))
        #expect(
            TeleSignSignature.authorization(customerID: Self.customerID, body: body, apiKey: Self.apiKey)
                == "TSA \(Self.customerID):B97g3N9lPdVaptvifxRau7bzVAC5hhRBZ6HKXABN744=")
    }

    @Test func basicAuthVector() {
        #expect(
            TeleSignRequestSigning.basicAuthorization(customerID: Self.customerID, apiKey: Self.apiKey)
                == "Basic RkZGRkZGRkYtRUVFRS1ERERELTEyMzQtQUIxMjM0NTY3ODkwOkVYQU1QTEUtLS0tVEU4c1RnZzQ1eXVzdW1vTjZCWXNCVmtoK3lSSjVjemdzbkNlaFphT1lsZFBKZG1GaDZOZVg4a3VuWjJ6VTFZV2FVdy8wd1Y2eGZ3PT0="
        )
    }

    /// python_telesign `tests/test_rest.py`: date `Wed, 14 Dec 2016 18:20:12 GMT`, nonce
    /// `A1592C6F-E384-4CDB-BC42-C3AB970369E9`, resource `/v1/resource`.
    @Test(arguments: [
        ("POST", "test=param", "2xVlmbrxLjYrrPun3G3WMNG6Jon4yKcTeOoK9DjXJ/Q="),
        ("POST", "test=%CF%BF", "h8d4I0RTxErbxYXuzCOtNqb/f0w3Ck8e5SEkGNj01+8="),
        ("GET", "", "aUm7I+9GKl3ww7PNeeJntCT0iS7b+EmRKEE4LnRzChQ="),
    ])
    func requestSigningVectors(method: String, body: String, signature: String) {
        let contentType = method == "GET" ? "" : "application/x-www-form-urlencoded"
        #expect(
            TeleSignRequestSigning.authorization(
                customerID: Self.customerID, apiKey: Self.apiKey, method: method, contentType: contentType,
                date: "Wed, 14 Dec 2016 18:20:12 GMT", nonce: "A1592C6F-E384-4CDB-BC42-C3AB970369E9", body: body,
                resource: "/v1/resource") == "TSA \(Self.customerID):\(signature)")
    }

    @Test func stringToSignMatchesTheReference() {
        #expect(
            TeleSignRequestSigning.stringToSign(
                method: "POST", contentType: "application/x-www-form-urlencoded", date: "Wed, 14 Dec 2016 18:20:12 GMT",
                nonce: "A1592C6F-E384-4CDB-BC42-C3AB970369E9", body: "test=param", resource: "/v1/resource")
                == "POST\napplication/x-www-form-urlencoded\nWed, 14 Dec 2016 18:20:12 GMT\nx-ts-auth-method:HMAC-SHA256\nx-ts-nonce:A1592C6F-E384-4CDB-BC42-C3AB970369E9\ntest=param\n/v1/resource"
        )
    }

    @Test func sendsAreSignedWithTheHMACScheme() {
        var channel = teleSignChannel
        channel.credentials = ["customerID": Self.customerID, "apiKey": Self.apiKey]
        let date = Date(timeIntervalSince1970: 1_481_739_612)  // Wed, 14 Dec 2016 18:20:12 GMT
        let request = TeleSignMessagingAPI.request(
            for: OutboundMessageFixture.message, channel: channel, date: date,
            nonce: "A1592C6F-E384-4CDB-BC42-C3AB970369E9")
        #expect(request.headers.value("Date") == "Wed, 14 Dec 2016 18:20:12 GMT")
        #expect(request.headers.value("x-ts-nonce") == "A1592C6F-E384-4CDB-BC42-C3AB970369E9")
        #expect(request.headers.value("x-ts-auth-method") == "HMAC-SHA256")
        let expected = TeleSignRequestSigning.authorization(
            customerID: Self.customerID, apiKey: Self.apiKey, method: "POST",
            contentType: "application/x-www-form-urlencoded", date: "Wed, 14 Dec 2016 18:20:12 GMT",
            nonce: "A1592C6F-E384-4CDB-BC42-C3AB970369E9", body: String(decoding: request.body, as: UTF8.self),
            resource: "/v1/messaging")
        #expect(request.headers.value("Authorization") == expected)
        #expect(!String(decoding: request.body, as: UTF8.self).contains(Self.apiKey))
    }

    @Test func authorizationHeaderParsing() {
        #expect(TeleSignSignature.signature(fromAuthorization: "TSA id:abc=") == "abc=")
        #expect(TeleSignSignature.signature(fromAuthorization: "tsa FFFF-1:abc=") == "abc=")
        #expect(TeleSignSignature.signature(fromAuthorization: "Basic abc") == nil)
        #expect(TeleSignSignature.signature(fromAuthorization: "TSA id:") == nil)
    }
}
