import Testing

@testable import Curl

@Suite("Parsing response header lines")
struct ResponseHeaderAccumulatorTests {
    private func parse(_ lines: [String]) -> [(name: String, value: String)] {
        var accumulator = ResponseHeaderAccumulator()
        for line in lines {
            Array(line.utf8).withUnsafeBytes { accumulator.consume(line: $0) }
        }
        return accumulator.headers
    }

    @Test("only the final response's headers survive an interim 100 Continue")
    func resetOnNewStatusLine() {
        let headers = parse([
            "HTTP/1.1 100 Continue\r\n", "X-Interim: yes\r\n", "\r\n",
            "HTTP/1.1 200 OK\r\n", "Content-Type: text/plain\r\n", "Content-Length: 2\r\n", "\r\n",
        ])
        #expect(headers.map(\.name) == ["Content-Type", "Content-Length"])
        #expect(headers.map(\.value) == ["text/plain", "2"])
    }

    @Test("values are trimmed, may contain colons, and folded lines join the previous value")
    func valuesAndFolding() {
        let headers = parse([
            "HTTP/2 200\r\n", "location:  https://example.com:8443/a  \r\n", "X-Long: first\r\n",
            "\t second\r\n", "X-Empty:\r\n", "garbage without colon\r\n", "\r\n",
        ])
        #expect(headers.count == 3)
        #expect(headers[0].name == "location")
        #expect(headers[0].value == "https://example.com:8443/a")
        #expect(headers[1].value == "first second")
        #expect(headers[2].name == "X-Empty")
        #expect(headers[2].value == "")
    }

    @Test("error messages show only scheme, host and port of the URL")
    func originRedactsCredentialsAndPath() {
        let request = CurlRequest(method: "GET", url: "https://AC123:token@api.twilio.com:443/2010-04-01/x?To=+1555")
        #expect(request.origin == "https://api.twilio.com:443")
        #expect(CurlRequest(method: "GET", url: "http://h?q=1").origin == "http://h")
    }
}
