import Curl
import TestHTTPServer
import Testing

@Suite("CurlClient failures, cancellation and shutdown", .timeLimit(.minutes(1)))
struct CurlFailureTests {
    @Test("a closed port fails promptly as connectFailed, with curl's code and message")
    func connectRefused() async throws {
        // A port that was just listening and is now closed: connecting gets a reset at once.
        let server = try await TestHTTPServer.start()
        let url = server.url("/nobody-home?token=secret")
        try await server.shutdown()

        try await CurlClient.withCurlClient { client in
            let (outcome, seconds) = await timed {
                await client.outcome(CurlRequest(method: "GET", url: url, timeout: 20, connectTimeout: 10))
            }
            let error = try #require(outcome.error)
            #expect(error.kind == .connectFailed)
            #expect(error.code == 7)  // CURLE_COULDNT_CONNECT
            #expect(error.message.contains("127.0.0.1"))
            #expect(error.message.contains("GET http://127.0.0.1:\(server.port)"))
            #expect(!error.message.contains("secret"), "the query must not leak into errors")
            #expect(seconds < 5)
        }
    }

    @Test("a server slower than the request timeout fails promptly as timedOut")
    func timeout() async throws {
        try await TestHTTPServer.withTestHTTPServer { _ in
            TestHTTPResponse(text: "too late", delay: .seconds(30))
        } _: { server in
            try await CurlClient.withCurlClient { client in
                let (outcome, seconds) = await timed {
                    await client.outcome(CurlRequest(method: "GET", url: server.url("/slow"), timeout: 0.5))
                }
                let error = try #require(outcome.error)
                #expect(error.kind == .timedOut)
                #expect(error.code == 28)  // CURLE_OPERATION_TIMEDOUT
                #expect(seconds >= 0.45)
                #expect(seconds < 5)
            }
        }
    }

    @Test("cancelling the task mid-request fails it promptly as cancelled, and the client keeps working")
    func cancellationMidRequest() async throws {
        try await TestHTTPServer.withTestHTTPServer { request in
            request.path == "/slow"
                ? TestHTTPResponse(text: "late", delay: .seconds(30)) : TestHTTPResponse(text: "quick")
        } _: { server in
            try await CurlClient.withCurlClient { client in
                let request = CurlRequest(method: "POST", url: server.url("/slow"), body: [1, 2, 3], timeout: 50)
                let task = Task { await client.outcome(request) }
                _ = try await server.waitForRequests(count: 1)  // the transfer is now in flight

                let (outcome, seconds) = await timed {
                    task.cancel()
                    return await task.value
                }
                let error = try #require(outcome.error)
                #expect(error.kind == .cancelled)
                #expect(seconds < 2)

                let next = try await client.execute(CurlRequest(method: "GET", url: server.url("/quick")))
                #expect(next.body == Array("quick".utf8))
            }
        }
    }

    @Test("a task cancelled before it executes never reaches the server")
    func cancelledBeforeStart() async throws {
        try await TestHTTPServer.withTestHTTPServer { server in
            try await CurlClient.withCurlClient { client in
                let task = Task {
                    // Wait (without sleeping) until the test has cancelled this task.
                    while !Task.isCancelled { await Task.yield() }
                    return await client.outcome(CurlRequest(method: "GET", url: server.url("/never")))
                }
                task.cancel()
                let error = try #require(await task.value.error)
                #expect(error.kind == .cancelled)
                #expect(server.requests.isEmpty)
            }
        }
    }

    @Test("leaving withCurlClient with a request outstanding cancels it instead of hanging")
    func shutdownWithOutstandingRequest() async throws {
        try await TestHTTPServer.withTestHTTPServer { _ in
            TestHTTPResponse(text: "late", delay: .seconds(30))
        } _: { server in
            let (outstanding, seconds) = try await timed {
                try await CurlClient.withCurlClient { client in
                    let task = Task {
                        await client.outcome(CurlRequest(method: "GET", url: server.url("/slow"), timeout: 50))
                    }
                    _ = try await server.waitForRequests(count: 1)
                    return task
                }
            }
            // Hanging would take the server's 30 s delay; the margin below it is for a loaded machine.
            #expect(seconds < 20)
            let error = try #require(await outstanding.value.error)
            #expect(error.kind == .cancelled)
        }
    }

    @Test("a client that has shut down refuses new requests at once")
    func requestAfterShutdown() async throws {
        let escaped = try await CurlClient.withCurlClient { client in client }
        let error = try #require(
            await escaped.outcome(CurlRequest(method: "GET", url: "http://127.0.0.1:1/")).error)
        #expect(error.kind == .cancelled)
        #expect(error.message.contains("shut down"))
    }

    @Test("the client shuts down when its body throws, and the error propagates")
    func bodyThrows() async throws {
        struct Marker: Error {}
        await #expect(throws: Marker.self) {
            try await CurlClient.withCurlClient { _ in throw Marker() }
        }
    }
}
