import Curl
import TestHTTPServer
import Testing

@Suite("CurlClient cancellation under load", .timeLimit(.minutes(1)))
struct CurlCancellationLoadTests {
    @Test("150 stalled transfers cancelled at once all end promptly while 150 others complete")
    func cancelManyInFlight() async throws {
        try await TestHTTPServer.withTestHTTPServer { request in
            request.path.hasPrefix("/slow")
                ? TestHTTPResponse(text: "late", delay: .seconds(30)) : TestHTTPResponse(text: request.path)
        } _: { server in
            try await CurlClient.withCurlClient(configuration: .init(maxConnectionsPerHost: 400)) { client in
                let slow = (0..<150).map { index in
                    Task {
                        await client.outcome(CurlRequest(method: "GET", url: server.url("/slow/\(index)"), timeout: 50))
                    }
                }
                let fast = (0..<150).map { index in
                    Task { await client.outcome(CurlRequest(method: "GET", url: server.url("/fast/\(index)"))) }
                }
                for (index, task) in fast.enumerated() {
                    let response = try await task.value.get()
                    #expect(response.body == Array("/fast/\(index)".utf8))
                }
                _ = try await server.waitForRequests(count: 300)

                let (outcomes, seconds) = await timed {
                    for task in slow { task.cancel() }
                    var outcomes: [Result<CurlResponse, CurlError>] = []
                    for task in slow { outcomes.append(await task.value) }
                    return outcomes
                }
                #expect(outcomes.allSatisfy { $0.error?.kind == .cancelled })
                #expect(seconds < 5)
            }
        }
    }

    @Test("cancellation racing completion yields exactly one outcome per request")
    func cancellationRacesCompletion() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: echo) { server in
            try await CurlClient.withCurlClient { client in
                let tasks = (0..<300).map { index in
                    Task {
                        await client.outcome(
                            CurlRequest(method: "POST", url: server.url("/race/\(index)"), body: Array("\(index)".utf8))
                        )
                    }
                }
                for (index, task) in tasks.enumerated() where !index.isMultiple(of: 3) {
                    task.cancel()
                }
                for (index, task) in tasks.enumerated() {
                    switch await task.value {
                    case .success(let response):
                        #expect(response.body == Array("\(index)".utf8))
                    case .failure(let error):
                        #expect(error.kind == .cancelled)
                        #expect(!index.isMultiple(of: 3), "request \(index) was never cancelled: \(error)")
                    }
                }
                // The client is still healthy afterwards.
                let after = try await client.execute(CurlRequest(method: "POST", url: server.url("/after"), body: [9]))
                #expect(after.body == [9])
            }
        }
    }
}
