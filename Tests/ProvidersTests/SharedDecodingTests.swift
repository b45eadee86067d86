import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite struct FormDecodingTests {
    @Test func keepsOrderDuplicatesAndEmptyValues() throws {
        let form = try FormParameters.decode(
            Array("b=2&a=1&b=3&empty=&flag&&c=x".utf8), maxParameters: 100, what: "test")
        #expect(form.pairs.map(\.name) == ["b", "a", "b", "empty", "flag", "c"])
        #expect(form.values("b") == ["2", "3"])
        #expect(form.first("empty") == "")
        #expect(form.first("flag") == "")
        #expect(form.first("missing") == nil)
    }

    @Test func decodesPlusAndPercentEscapesAsUTF8() throws {
        let form = try FormParameters.decode(
            Array("Body=Hi+there%21+%F0%9F%98%80&To=%2B14155550199&a%20b=c+d".utf8), maxParameters: 10, what: "t")
        #expect(form.first("Body") == "Hi there! 😀")
        #expect(form.first("To") == "+14155550199")
        #expect(form.first("a b") == "c d")
    }

    @Test func invalidUTF8Names400InvalidRequestNamingTheParameter() {
        let error = thrownError {
            _ = try FormParameters.decode(
                Array("Body=%FF%FE".utf8), maxParameters: 10, what: "twilio-main inbound webhook")
        }
        #expect(error?.status == 400)
        #expect(error?.code == "invalid-request")
        #expect(error?.field == "Body")
        #expect(error?.message.contains("twilio-main") == true)
        #expect(error?.message.contains("Body") == true)
    }

    @Test func malformedPercentEscapeIs400() {
        for body in ["a=%", "a=%4", "a=%zz", "%G0=1"] {
            let error = thrownError { _ = try FormParameters.decode(Array(body.utf8), maxParameters: 10, what: "t") }
            #expect(error?.code == "invalid-request", "\(body)")
        }
    }

    @Test func malformedPercentEscapeNamesTheParameter() {
        let inValue = thrownError {
            _ = try FormParameters.decode(Array("ok=1&Body=%zz".utf8), maxParameters: 10, what: "t")
        }
        #expect(inValue?.message == "t: form parameter Body has a malformed percent escape")
        let inName = thrownError {
            _ = try FormParameters.decode(Array("ok=1&%G0=1".utf8), maxParameters: 10, what: "t")
        }
        #expect(inName?.message == "t: form parameter #2 has a malformed percent escape")
    }

    /// Bytes that are not UTF-8 without any escape (the path that decodes a component in place) are refused too.
    @Test func rawBytesThatAreNotUTF8Are400() {
        let inValue = thrownError {
            _ = try FormParameters.decode(Array("To=1&".utf8) + [0x42, 0x3D, 0xFF, 0xFE], maxParameters: 10, what: "t")
        }
        #expect(inValue?.code == "invalid-request")
        #expect(inValue?.field == "B")
        let inName = thrownError { _ = try FormParameters.decode([0xC3, 0x3D, 0x31], maxParameters: 10, what: "t") }
        #expect(inName?.message == "t: the name of form parameter #1 is not valid UTF-8")
    }

    /// Any collection of bytes decodes as the same bytes in an array do.
    @Test func aSliceDecodesAsAnArray() throws {
        let body = Array("x=0&Body=Hi+there%21&flag&&To=%2B1415&a=b=c".utf8)
        let fromArray = try FormParameters.decode(body, maxParameters: 10, what: "t")
        #expect(
            try FormParameters.decode(body[4...], maxParameters: 10, what: "t").pairs
                == Array(fromArray.pairs.dropFirst()))
        #expect(try FormParameters.decode(Data(body), maxParameters: 10, what: "t") == fromArray)
        #expect(fromArray.first("a") == "b=c")
        #expect(fromArray.first("flag") == "")
    }

    @Test func moreThanMaxFormParamsIs400LimitExceeded() throws {
        let body = Array("a=1&b=2&c=3".utf8)
        #expect(try FormParameters.decode(body, maxParameters: 3, what: "t").pairs.count == 3)
        let error = thrownError { _ = try FormParameters.decode(body, maxParameters: 2, what: "t") }
        #expect(error?.status == 400)
        #expect(error?.code == "limit-exceeded")
        #expect(error?.field == "maxFormParams")
    }

    @Test func encodingRoundTrips() throws {
        let original = FormParameters([
            .init(name: "Body", value: "Héllo & good+bye = 100% 😀"), .init(name: "To", value: "+14155550100"),
        ])
        let encoded = original.encoded()
        #expect(encoded.hasPrefix("Body=H%C3%A9llo+%26+good%2Bbye+%3D+100%25+%F0%9F%98%80&To=%2B14155550100"))
        #expect(try FormParameters.decode(Array(encoded.utf8), maxParameters: 10, what: "t") == original)
    }
}

@Suite struct JSONDecodingTests {
    @Test func depthCountsNestingOutsideStrings() {
        #expect(jsonNestingDepth(Array("1".utf8)) == 0)
        #expect(jsonNestingDepth(Array("{}".utf8)) == 1)
        #expect(jsonNestingDepth(Array(#"[{"a":[1,{"b":2}]}]"#.utf8)) == 4)
        #expect(jsonNestingDepth(Array(#"{"a":"[[[[{{{\"]]"}"#.utf8)) == 1)
    }

    @Test func deeperThanMaxJSONDepthIs400LimitExceeded() throws {
        let ok = String(repeating: "[", count: 5) + String(repeating: "]", count: 5)
        #expect(try JSONValue.parse(Array(ok.utf8), maxDepth: 5, what: "t") != .null)
        let deep = String(repeating: "[", count: 6) + String(repeating: "]", count: 6)
        let error = thrownError { _ = try JSONValue.parse(Array(deep.utf8), maxDepth: 5, what: "acs-main") }
        #expect(error?.status == 400)
        #expect(error?.code == "limit-exceeded")
        #expect(error?.field == "maxJSONDepth")
    }

    @Test func malformedJSONIs400InvalidRequest() {
        // (Foundation's decoder tolerates a trailing comma, so `[1,]` is not among these.)
        for body in ["{", "{\"a\":}", "", "[1 2]", "{\"a\" 1}"] {
            let error = thrownError { _ = try JSONValue.parse(Array(body.utf8), maxDepth: 64, what: "acs-main") }
            #expect(error?.code == "invalid-request", "\(body)")
        }
        let invalidUTF8: [UInt8] = [0x22, 0xFF, 0xFE, 0x22]
        #expect(
            thrownError { _ = try JSONValue.parse(invalidUTF8, maxDepth: 64, what: "acs-main") }?.code
                == "invalid-request")
    }

    @Test func readsValuesAndKeysInAnyCase() throws {
        let json = try JSONValue.parse(
            Array(#"{"MessageId":"m1","n":15555555555,"ok":true,"f":1.5,"list":[1],"nil":null}"#.utf8), maxDepth: 8,
            what: "t")
        #expect(json.member(caseInsensitive: "messageId")?.stringValue == "m1")
        #expect(json["messageId"] == nil)
        #expect(json["n"]?.stringValue == "15555555555")
        #expect(json["ok"]?.boolValue == true)
        #expect(json["f"]?.numberValue == 1.5)
        #expect(json["list"]?.arrayValue?.count == 1)
        #expect(json["nil"] == .null)
    }
}

@Suite struct ConstantTimeTests {
    @Test func comparesContentAndLength() {
        #expect(constantTimeEquals("abc", "abc"))
        #expect(!constantTimeEquals("abc", "abd"))
        #expect(!constantTimeEquals("abc", "ab"))
        #expect(!constantTimeEquals("", "a"))
        #expect(constantTimeEquals("", ""))
        #expect(!constantTimeEquals([0, 0], [0]))
    }
}

@Suite struct WireFormatTests {
    @Test func rfc1123() {
        #expect(HTTPDate.rfc1123(utcDate(2022, 4, 13, 18, 9, 12)) == "Wed, 13 Apr 2022 18:09:12 GMT")
        #expect(HTTPDate.rfc1123(utcDate(2019, 4, 1, 6, 22, 3)) == "Mon, 01 Apr 2019 06:22:03 GMT")
    }

    @Test func rfc3339WithAnyFraction() {
        let base = utcDate(2020, 9, 18, 0, 22, 20)
        #expect(HTTPDate.rfc3339("2020-09-18T00:22:20Z") == base)
        let seven = HTTPDate.rfc3339("2020-09-18T00:22:20.2855749Z")!
        #expect(abs(seven.timeIntervalSince(base) - 0.2855749) < 1e-6)
        #expect(HTTPDate.rfc3339("2020-09-18T02:22:20+02:00") == base)
        #expect(HTTPDate.rfc3339("2020-09-18") == nil)
        #expect(HTTPDate.rfc3339("2020-09-18T00:22:20.Z") == nil)
    }

    @Test func urlParts() {
        let parts = URLParts("https://Host.example.com:8443/a/b?x=1")!
        #expect(parts.host == "Host.example.com")
        #expect(parts.port == 8443)
        #expect(parts.authorityWithoutDefaultPort == "Host.example.com:8443")
        #expect(parts.pathAndQuery == "/a/b?x=1")
        #expect(URLParts("https://h.example.com:443")!.authorityWithoutDefaultPort == "h.example.com")
        #expect(URLParts("http://[::1]:8080/sms")!.authorityWithoutDefaultPort == "[::1]:8080")
        #expect(URLParts("https://h.example.com?q=1")!.pathAndQuery == "/?q=1")
        #expect(URLParts("ftp://h/") == nil)
        #expect(URLParts("https://h:notaport/") == nil)
    }

    @Test func mediaTypeIgnoresParametersAndCase() {
        #expect(
            mediaType(of: "Application/X-WWW-Form-URLEncoded; charset=utf-8") == "application/x-www-form-urlencoded")
        #expect(mediaType(of: nil) == nil)
        #expect(mediaType(of: " ") == nil)
    }
}
