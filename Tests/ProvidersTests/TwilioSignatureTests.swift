import Switchboard
import Testing

@testable import Providers

/// providers.md §1.4 vectors (twilio-python `tests/unit/test_request_validator.py`), inputs and outputs unchanged.
@Suite struct TwilioSignatureTests {
    let token = "12345"
    let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    let params = FormParameters([
        .init(name: "CallSid", value: "CA1234567890ABCDE"),
        .init(name: "Digits", value: "1234"),
        .init(name: "From", value: "+14158675309"),
        .init(name: "To", value: "+18005551212"),
        .init(name: "Caller", value: "+14158675309"),
    ])

    @Test func stringToSign() {
        #expect(
            TwilioSignature.stringToSign(url: url, parameters: params)
                == "https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+14158675309Digits1234From+14158675309To+18005551212"
        )
    }

    @Test func basic() {
        #expect(
            TwilioSignature.compute(url: url, parameters: params, authToken: token) == "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        #expect(
            TwilioSignature.isValid(
                signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: url, parameters: params, authToken: token))
    }

    @Test func httpsWithExplicit443() {
        let url443 = "https://mycompany.com:443/myapp.php?foo=1&bar=2"
        #expect(
            TwilioSignature.compute(url: url443, parameters: params, authToken: token) == "kvajT1Ptam85bY51eRf/AJRuM3w="
        )
        // A request to the port-less URL validates a signature computed with the default port added…
        #expect(
            TwilioSignature.isValid(
                signature: "kvajT1Ptam85bY51eRf/AJRuM3w=", url: url, parameters: params, authToken: token))
        // …and a request to :443 validates the port-less signature.
        #expect(
            TwilioSignature.isValid(
                signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: url443, parameters: params, authToken: token))
    }

    @Test func httpWith80() {
        let url80 = "http://mycompany.com:80/myapp.php?foo=1&bar=2"
        #expect(
            TwilioSignature.compute(url: url80, parameters: params, authToken: token) == "0ZXoZLH/DfblKGATFgpif+LLRf4=")
        #expect(
            TwilioSignature.isValid(
                signature: "0ZXoZLH/DfblKGATFgpif+LLRf4=", url: "http://mycompany.com/myapp.php?foo=1&bar=2",
                parameters: params, authToken: token))
    }

    @Test func httpWith1234() {
        let url1234 = "http://mycompany.com:1234/myapp.php?foo=1&bar=2"
        #expect(
            TwilioSignature.compute(url: url1234, parameters: params, authToken: token)
                == "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=")
        #expect(
            TwilioSignature.isValid(
                signature: "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=", url: url1234, parameters: params, authToken: token))
    }

    @Test func portStrippedValidation() {
        #expect(
            TwilioSignature.isValid(
                signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: "https://mycompany.com:1234/myapp.php?foo=1&bar=2",
                parameters: params, authToken: token))
    }

    @Test func candidateURLs() {
        #expect(
            TwilioSignature.candidateURLs("https://a.example/x?q")
                == ["https://a.example/x?q", "https://a.example:443/x?q"])
        #expect(
            TwilioSignature.candidateURLs("http://a.example:1234/x") == [
                "http://a.example:1234/x", "http://a.example/x",
            ])
    }

    /// The key made once (as the adapter keeps it) checks as the token does, again and again: checking never
    /// changes the key it starts from.
    @Test func aKeyMadeOnceChecksAsTheTokenEveryTime() {
        let key = TwilioSignature.Key(authToken: token)
        let candidates = TwilioSignature.candidateURLs(url)
        for _ in 0..<3 {
            #expect(
                TwilioSignature.isValid(
                    signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", candidates: candidates, parameters: params, key: key))
        }
        #expect(
            !TwilioSignature.isValid(
                signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", candidates: candidates, parameters: params,
                key: TwilioSignature.Key(authToken: "54321")))
        #expect(
            !TwilioSignature.isValid(
                signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", candidates: ["https://mycompany.com/other.php"],
                parameters: params, key: key))
    }

    @Test func multiValue() {
        let multi = FormParameters([
            .init(name: "Sid", value: "CA123"), .init(name: "SidAccount", value: "AC123"),
            .init(name: "Digits", value: "5678"), .init(name: "Digits", value: "1234"),
            .init(name: "Digits", value: "1234"),
        ])
        #expect(
            TwilioSignature.stringToSign(url: url, parameters: multi) == url
                + "Digits1234Digits5678SidCA123SidAccountAC123")
        #expect(
            TwilioSignature.compute(url: url, parameters: multi, authToken: token) == "IK+Dwps556ElfBT0I3Rgjkr1wJU=")
    }

    @Test func jsonBodySHA256() {
        let body = Array(#"{"property": "value", "boolean": true}"#.utf8)
        let hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
        #expect(TwilioSignature.bodySHA256(body) == hash)
        let jsonURL = url + "&bodySHA256=" + hash
        #expect(
            TwilioSignature.compute(url: jsonURL, parameters: FormParameters(), authToken: token)
                == "a9nBmqA0ju/hNViExpshrM61xv4=")
        #expect(
            TwilioSignature.isValid(
                signature: "a9nBmqA0ju/hNViExpshrM61xv4=", url: jsonURL, jsonBody: body, authToken: token))
        // The signature still matches the URL, but the body is not the one hashed.
        var tampered = body
        tampered[3] = UInt8(ascii: "X")
        #expect(
            !TwilioSignature.isValid(
                signature: "a9nBmqA0ju/hNViExpshrM61xv4=", url: jsonURL, jsonBody: tampered, authToken: token))
        #expect(
            !TwilioSignature.isValid(
                signature: "a9nBmqA0ju/hNViExpshrM61xv4=", url: url, jsonBody: body, authToken: token))
    }

    @Test func wrongTokenOrParametersFail() {
        #expect(
            !TwilioSignature.isValid(
                signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: url, parameters: params, authToken: "54321"))
        var changed = params
        changed.pairs[1].value = "1235"
        #expect(
            !TwilioSignature.isValid(
                signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: url, parameters: changed, authToken: token))
    }

    @Test func sortsByCodePointNotByStringCollation() {
        // "Z" (0x5A) sorts before "a" (0x61) and "é" (U+00E9) after both, as in Python's `sorted`.
        let p = FormParameters([
            .init(name: "é", value: "1"), .init(name: "a", value: "2"), .init(name: "Z", value: "3"),
        ])
        #expect(TwilioSignature.stringToSign(url: "u", parameters: p) == "uZ3a2é1")
    }
}
