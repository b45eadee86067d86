import Foundation
import Testing

@testable import Providers

/// providers.md §2.9 vectors (azure-communication-sms / -identity `tests/test_hmac.py`), inputs and outputs unchanged.
@Suite struct AzureHMACTests {
    let signer = AzureHMACSigner(accessKey: "pw==")!
    let date = utcDate(2022, 4, 13, 18, 9, 12)

    @Test func banana() {
        #expect(signer.computeHMAC("banana") == "88EC05aAS9iXnaimtNO78JLjiPtfWryQB/5QYEzEsu8=")
    }

    @Test func emoji() {
        #expect(signer.computeHMAC("\u{1F600}") == "1rudJKjn2Zi+3hRrBG29wIF6pD6YyAeQR1ZcFtXoKAU=")
    }

    @Test func emptyBodyHash() {
        #expect(AzureHMACSigner.contentHash([]) == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
    }

    @Test(arguments: [
        (
            "https://contoso.communicationservices.azure.com/",
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=88MDmJhUR3m5QhFxb8ztShsSwlGrg7g/6XPnWf7QEO4="
        ),
        (
            "https://contoso.communicationservices.azure.com/testPath",
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=RoCrHjw7fb9fpHSbqvRUY2xa8RBS0YvI1cxI1x8AS38="
        ),
        (
            "https://contoso.communicationservices.azure.com/testPath?testQuery=yes",
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=il99+rd6V5O136roX/zVePCNle78HmvC4B7tu9zRH3I="
        ),
    ])
    func getSignatures(url: String, authorization: String) throws {
        let headers = try #require(signer.headers(method: "GET", url: url, body: [], date: date))
        #expect(headers.value("Authorization") == authorization)
        #expect(headers.value("x-ms-date") == "Wed, 13 Apr 2022 18:09:12 GMT")
        #expect(headers.value("x-ms-content-sha256") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
        #expect(headers.value("Host") == "contoso.communicationservices.azure.com")
    }

    @Test func firstVectorsStringToSign() {
        // The documented string-to-sign, signed directly, gives the first GET vector's signature.
        let stringToSign =
            "GET\n/\nWed, 13 Apr 2022 18:09:12 GMT;contoso.communicationservices.azure.com;47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        #expect(signer.computeHMAC(stringToSign) == "88MDmJhUR3m5QhFxb8ztShsSwlGrg7g/6XPnWf7QEO4=")
    }

    @Test func nonDefaultPortIsPartOfTheSignedHost() throws {
        let headers = try #require(
            signer.headers(method: "POST", url: "http://127.0.0.1:8089/sms?x=1", body: [1], date: date))
        #expect(headers.value("Host") == "127.0.0.1:8089")
        let expected = signer.computeHMAC(
            "POST\n/sms?x=1\nWed, 13 Apr 2022 18:09:12 GMT;127.0.0.1:8089;\(AzureHMACSigner.contentHash([1]))")
        #expect(headers.value("Authorization")?.hasSuffix("&Signature=" + expected) == true)
    }

    @Test func rejectsKeysThatAreNotBase64() {
        #expect(AzureHMACSigner(accessKey: "not base64!") == nil)
    }
}
