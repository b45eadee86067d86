import Curl
import TestHTTPServer
import Testing

@Suite("CurlClient requests and responses", .timeLimit(.minutes(1)))
struct CurlRequestResponseTests {
    @Test("headers sent arrive, and the response's headers come back in order")
    func headersBothWays() async throws {
        let handler: TestHTTPServer.Handler = { _ in
            TestHTTPResponse(
                status: 201,
                headers: [
                    (name: "X-Reply", value: "abc"), (name: "Set-Cookie", value: "a=1"),
                    (name: "Set-Cookie", value: "b=2"),
                ],
                text: "created")
        }
        try await TestHTTPServer.withTestHTTPServer(handler: handler) { server in
            try await CurlClient.withCurlClient { client in
                let response = try await client.execute(
                    CurlRequest(
                        method: "POST", url: server.url("/messages?x=1"),
                        headers: [
                            (name: "Authorization", value: "Basic dXNlcjpwYXNz"),
                            (name: "Content-Type", value: "application/x-www-form-urlencoded"),
                            (name: "X-Empty", value: ""), (name: "X-Trace", value: "t-1"),
                        ],
                        body: Array("To=%2B15551234567&Body=hi".utf8)))
                #expect(response.status == 201)
                #expect(response.body == Array("created".utf8))
                #expect(response.header("x-reply") == "abc")
                #expect(response.headers.filter { $0.name == "Set-Cookie" }.map(\.value) == ["a=1", "b=2"])

                let received = try #require(server.requests.first)
                #expect(received.method == "POST")
                #expect(received.uri == "/messages?x=1")
                #expect(received.header("authorization") == "Basic dXNlcjpwYXNz")
                #expect(received.header("Content-Type") == "application/x-www-form-urlencoded")
                #expect(received.header("X-Empty") == "")
                #expect(received.header("X-Trace") == "t-1")
                #expect(received.header("Content-Length") == "25")
                #expect(received.bodyText == "To=%2B15551234567&Body=hi")
            }
        }
    }

    @Test("a body without Content-Type is sent without one, and never with Expect: 100-continue")
    func noImplicitHeaders() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: echo) { server in
            try await CurlClient.withCurlClient { client in
                _ = try await client.execute(
                    CurlRequest(method: "POST", url: server.url("/raw"), body: randomBytes(2 * 1024 * 1024)))
                let received = try #require(server.requests.first)
                #expect(received.header("Content-Type") == nil)
                #expect(received.header("Expect") == nil)
            }
        }
    }

    @Test("non-2xx statuses are responses, not errors", arguments: [400, 401, 404, 429, 500, 503])
    func errorStatuses(status: Int) async throws {
        try await TestHTTPServer.withTestHTTPServer { _ in
            TestHTTPResponse.json(#"{"code":\#(status)}"#, status: status)
        } _: { server in
            try await CurlClient.withCurlClient { client in
                let response = try await client.execute(CurlRequest(method: "GET", url: server.url("/status")))
                #expect(response.status == status)
                #expect(response.header("Content-Type") == "application/json")
                #expect(String(decoding: response.body, as: UTF8.self) == #"{"code":\#(status)}"#)
            }
        }
    }

    @Test("redirects are not followed")
    func redirectNotFollowed() async throws {
        try await TestHTTPServer.withTestHTTPServer { request in
            request.path == "/old"
                ? TestHTTPResponse(status: 302, headers: [(name: "Location", value: "/new")])
                : TestHTTPResponse(text: "new")
        } _: { server in
            try await CurlClient.withCurlClient { client in
                let response = try await client.execute(CurlRequest(method: "GET", url: server.url("/old")))
                #expect(response.status == 302)
                #expect(response.header("Location") == "/new")
                #expect(server.requests.map(\.path) == ["/old"])
            }
        }
    }

    @Test("every method is sent as given, with exactly the given body")
    func methods() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: echo) { server in
            try await CurlClient.withCurlClient { client in
                let cases: [(method: String, body: [UInt8])] = [
                    ("GET", []), ("POST", []), ("PUT", Array("put-body".utf8)), ("PATCH", Array("{}".utf8)),
                    ("DELETE", []), ("OPTIONS", []), ("HEAD", []),
                ]
                for (method, body) in cases {
                    let response = try await client.execute(
                        CurlRequest(method: method, url: server.url("/\(method)"), body: body))
                    #expect(response.status == 200, "\(method)")
                    #expect(response.header("X-Method") == method)
                    #expect(response.body == (method == "HEAD" ? [] : body), "\(method)")
                }
                let received = server.requests
                #expect(received.map(\.method) == cases.map(\.method))
                #expect(received.map(\.body) == cases.map(\.body))
                // POST, PUT and PATCH always declare their (possibly empty) length; GET and DELETE send none.
                #expect(received[1].header("Content-Length") == "0")
                #expect(received[0].header("Content-Length") == nil)
                #expect(received[4].header("Content-Length") == nil)
            }
        }
    }

    @Test(
        "requests curl must not send are refused before anything is sent",
        arguments: [
            CurlRequest(method: "GET", url: "ftp://127.0.0.1/file"),
            CurlRequest(method: "GET", url: "file:///etc/passwd"),
            CurlRequest(method: "GET", url: "HTTP-NOT-A-URL"),
            CurlRequest(method: "GET", url: "http://"),
            CurlRequest(method: "GET", url: "http:/127.0.0.1/"),
            CurlRequest(method: "GET", url: "httpx://127.0.0.1/"),
            CurlRequest(method: "GET", url: "htt"),
            CurlRequest(method: "GET", url: "http://127.0.0.1:1/", headers: [(name: "X-Bad", value: "a\r\nX-Evil: 1")]),
            CurlRequest(method: "GET", url: "http://127.0.0.1:1/", headers: [(name: "Bad Name", value: "x")]),
            CurlRequest(method: "GET /x HTTP/1.1\r\n", url: "http://127.0.0.1:1/"),
            CurlRequest(method: "GET", url: "http://127.0.0.1:1/", timeout: 0),
            CurlRequest(method: "GET", url: "http://127.0.0.1:1/", connectTimeout: .infinity),
            CurlRequest(method: "HEAD", url: "http://127.0.0.1:1/", body: [1]),
        ])
    func invalidRequests(request: CurlRequest) async throws {
        try await CurlClient.withCurlClient { client in
            let error = try #require(await client.outcome(request).error)
            #expect(error.kind == .invalidRequest, "\(error)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test("the scheme is an http or https URL's in any case")
    func schemeInAnyCase() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: echo) { server in
            try await CurlClient.withCurlClient { client in
                let url = "HtTp://" + server.url("/case").dropFirst("http://".count)
                let response = try await client.execute(CurlRequest(method: "POST", url: url, body: Array("ok".utf8)))
                #expect(response.body == Array("ok".utf8))
            }
        }
    }

    @Test("a request after a cancelled one still works on the same client")
    func clientHealthyAfterErrors() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: echo) { server in
            try await CurlClient.withCurlClient { client in
                _ = await client.outcome(CurlRequest(method: "GET", url: "ftp://x/"))
                let response = try await client.execute(
                    CurlRequest(method: "POST", url: server.url("/after"), body: Array("ok".utf8)))
                #expect(response.body == Array("ok".utf8))
            }
        }
    }
}
