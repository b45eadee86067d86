import Curl
import TestHTTPServer
import Testing

/// The client reuses easy handles from request to request; nothing of one request may leak into the next.
@Suite("CurlClient easy-handle reuse", .timeLimit(.minutes(1)))
struct CurlHandleReuseTests {
    @Test("requests one after the other each send only their own method, headers and body")
    func nothingLeaksIntoTheNextRequest() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: echo) { server in
            try await CurlClient.withCurlClient { client in
                for round in 0..<10 {
                    let post = try await client.execute(
                        CurlRequest(
                            method: "POST", url: server.url("/post/\(round)"),
                            headers: [
                                (name: "Authorization", value: "Basic c2VjcmV0"),
                                (name: "Content-Type", value: "text/plain"), (name: "X-First", value: "one"),
                            ],
                            body: Array("first \(round)".utf8)))
                    #expect(post.body == Array("first \(round)".utf8))
                    let get = try await client.execute(CurlRequest(method: "GET", url: server.url("/get/\(round)")))
                    #expect(get.header("X-Method") == "GET")
                    #expect(get.body.isEmpty)
                    let put = try await client.execute(CurlRequest(method: "PUT", url: server.url("/put/\(round)")))
                    #expect(put.header("X-Method") == "PUT")
                    let head = try await client.execute(CurlRequest(method: "HEAD", url: server.url("/head/\(round)")))
                    #expect(head.status == 200)
                    let delete = try await client.execute(
                        CurlRequest(
                            method: "DELETE", url: server.url("/delete/\(round)"),
                            headers: [(name: "X-Second", value: "two")]))
                    #expect(delete.header("X-Method") == "DELETE")
                    let plainPost = try await client.execute(
                        CurlRequest(method: "POST", url: server.url("/plain/\(round)"), body: [0, 1, 2]))
                    #expect(plainPost.header("X-Method") == "POST")
                    #expect(plainPost.body == [0, 1, 2])
                }

                let requests = server.requests
                #expect(requests.count == 60)
                for request in requests where !request.path.hasPrefix("/post/") {
                    #expect(request.header("Authorization") == nil, "\(request.method) \(request.uri)")
                    #expect(request.header("X-First") == nil, "\(request.method) \(request.uri)")
                    #expect(request.header("Content-Type") == nil, "\(request.method) \(request.uri)")
                }
                for request in requests {
                    let expected = String(request.path.dropFirst().prefix { $0 != "/" })
                    let method = expected == "plain" ? "POST" : expected.uppercased()
                    #expect(request.method == method, "\(request.uri)")
                    if request.path.hasPrefix("/delete/") {
                        #expect(request.header("X-Second") == "two")
                    } else {
                        #expect(request.header("X-Second") == nil, "\(request.method) \(request.uri)")
                    }
                    switch expected {
                    case "get", "head", "delete":
                        #expect(request.body.isEmpty, "\(request.method) \(request.uri)")
                        #expect(request.header("Content-Length") == nil, "\(request.method) \(request.uri)")
                    case "put":
                        #expect(request.header("Content-Length") == "0")
                    default:
                        #expect(!request.body.isEmpty)
                    }
                }
            }
        }
    }

    @Test("a short timeout or a failure on one request does not carry over to the next")
    func timeoutsAndErrorsDoNotCarryOver() async throws {
        try await TestHTTPServer.withTestHTTPServer { request in
            TestHTTPResponse(text: request.path, delay: request.path == "/slow" ? .milliseconds(600) : .zero)
        } _: { server in
            try await CurlClient.withCurlClient { client in
                for _ in 0..<3 {
                    let timedOut = await client.outcome(
                        CurlRequest(method: "GET", url: server.url("/slow"), timeout: 0.2))
                    #expect(timedOut.error?.kind == .timedOut)
                    let slowButAllowed = try await client.execute(
                        CurlRequest(method: "GET", url: server.url("/slow"), timeout: 10))
                    #expect(slowButAllowed.body == Array("/slow".utf8))
                    let invalid = await client.outcome(CurlRequest(method: "GET", url: "http://[::1"))
                    #expect(invalid.error?.kind == .invalidRequest)
                    #expect(invalid.error?.message.contains("timed out") == false)
                    let fine = try await client.execute(CurlRequest(method: "GET", url: server.url("/fine")))
                    #expect(fine.body == Array("/fine".utf8))
                }
            }
        }
    }
}
