import Curl
import TestHTTPServer
import Testing

@Suite("CurlClient large bodies", .timeLimit(.minutes(1)))
struct CurlLargeBodyTests {
    @Test("a 5 MiB random request body arrives intact and the 5 MiB echo comes back intact")
    func fiveMebibytesBothWays() async throws {
        let payload = randomBytes(5 * 1024 * 1024)
        try await TestHTTPServer.withTestHTTPServer(handler: echo) { server in
            try await CurlClient.withCurlClient { client in
                let (response, seconds) = try await timed {
                    try await client.execute(
                        CurlRequest(
                            method: "POST", url: server.url("/upload"),
                            headers: [(name: "Content-Type", value: "application/octet-stream")], body: payload))
                }
                #expect(response.status == 200)
                #expect(response.body.count == payload.count)
                #expect(response.body == payload)
                #expect(response.header("Content-Length") == String(payload.count))

                let received = try #require(server.requests.first)
                #expect(received.body == payload)
                #expect(received.header("Content-Length") == String(payload.count))
                #expect(received.header("Expect") == nil)
                // An Expect: 100-continue handshake would stall about a second before the upload.
                #expect(seconds < 10)
            }
        }
    }

    @Test("a 5 MiB download arrives intact")
    func fiveMebibyteDownload() async throws {
        let payload = randomBytes(5 * 1024 * 1024 + 7)
        try await TestHTTPServer.withTestHTTPServer { _ in
            TestHTTPResponse(body: payload)
        } _: { server in
            try await CurlClient.withCurlClient { client in
                let response = try await client.execute(CurlRequest(method: "GET", url: server.url("/download")))
                #expect(response.body == payload)
            }
        }
    }
}
