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
        let message = OutboundMessageFixture.message
        var channel = teleSignChannel
        channel.credentials = ["customerID": Self.customerID, "apiKey": Self.apiKey]
        let request = TeleSignMessagingAPI.request(for: message, channel: channel)
        #expect(
            request.headers.value("Authorization")
                == "Basic RkZGRkZGRkYtRUVFRS1ERERELTEyMzQtQUIxMjM0NTY3ODkwOkVYQU1QTEUtLS0tVEU4c1RnZzQ1eXVzdW1vTjZCWXNCVmtoK3lSSjVjemdzbkNlaFphT1lsZFBKZG1GaDZOZVg4a3VuWjJ6VTFZV2FVdy8wd1Y2eGZ3PT0="
        )
    }

    @Test func authorizationHeaderParsing() {
        #expect(TeleSignSignature.signature(fromAuthorization: "TSA id:abc=") == "abc=")
        #expect(TeleSignSignature.signature(fromAuthorization: "tsa FFFF-1:abc=") == "abc=")
        #expect(TeleSignSignature.signature(fromAuthorization: "Basic abc") == nil)
        #expect(TeleSignSignature.signature(fromAuthorization: "TSA id:") == nil)
    }
}
