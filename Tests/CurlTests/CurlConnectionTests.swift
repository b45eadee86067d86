import Curl
import TestHTTPServer
import Testing

@Suite("CurlClient connections and concurrency", .timeLimit(.minutes(2)))
struct CurlConnectionTests {
    @Test("sequential requests to one host reuse one connection")
    func connectionReuse() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: echo) { server in
            try await CurlClient.withCurlClient { client in
                for index in 0..<10 {
                    let body = Array("request \(index)".utf8)
                    let response = try await client.execute(
                        CurlRequest(
                            method: index.isMultiple(of: 2) ? "GET" : "POST", url: server.url("/seq/\(index)"),
                            body: index.isMultiple(of: 2) ? [] : body))
                    #expect(response.status == 200)
                }
                #expect(server.requests.count == 10)
                #expect(server.connectionCount == 1)
                #expect(Set(server.requests.map(\.connectionNumber)) == [1])
            }
        }
    }

    @Test("connections opened by a burst stay open through a quiet spell and serve the next burst")
    func connectionsSurviveADipInConcurrency() async throws {
        // A burst's answers are held back so that every request needs its own connection.
        try await TestHTTPServer.withTestHTTPServer { request in
            TestHTTPResponse(text: request.path, delay: request.path.hasPrefix("/burst") ? .milliseconds(200) : .zero)
        } _: { server in
            try await CurlClient.withCurlClient { client in
                func burst(_ round: Int) async throws {
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        for index in 0..<8 {
                            group.addTask {
                                try await client.execute(
                                    CurlRequest(method: "GET", url: server.url("/burst/\(round)/\(index)"))
                                )
                                .status
                            }
                        }
                        for try await status in group { #expect(status == 200) }
                    }
                }
                try await burst(1)
                #expect(server.connectionCount == 8)
                // One request at a time: curl's default cache would shrink to 4 × 1 transfers and close the rest.
                for index in 0..<10 {
                    #expect(
                        try await client.execute(CurlRequest(method: "GET", url: server.url("/quiet/\(index)"))).status
                            == 200)
                }
                try await burst(2)
                #expect(server.connectionCount == 8, "connections were closed while idle and opened again")
            }
        }
    }

    @Test("1,000 concurrent requests all complete with their own bodies, within the per-host connection limit")
    func thousandConcurrentRequests() async throws {
        let count = 1000
        let maxConnections = 32
        try await TestHTTPServer.withTestHTTPServer { request in
            TestHTTPResponse(text: "answer for \(request.path)")
        } _: { server in
            try await CurlClient.withCurlClient(configuration: .init(maxConnectionsPerHost: maxConnections)) {
                client in
                let answers = try await withThrowingTaskGroup(of: (Int, CurlResponse).self) { group in
                    for index in 0..<count {
                        group.addTask {
                            let response = try await client.execute(
                                CurlRequest(method: "GET", url: server.url("/item/\(index)"), timeout: 60))
                            return (index, response)
                        }
                    }
                    var answers: [Int: CurlResponse] = [:]
                    for try await (index, response) in group { answers[index] = response }
                    return answers
                }
                #expect(answers.count == count)
                for index in 0..<count {
                    #expect(answers[index]?.status == 200)
                    #expect(answers[index]?.body == Array("answer for /item/\(index)".utf8))
                }
                #expect(server.requests.count == count)
                #expect(server.connectionCount <= maxConnections)
            }
        }
    }

    @Test("concurrent requests on several clients and servers stay separate")
    func severalClients() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: echo) { first in
            try await TestHTTPServer.withTestHTTPServer(handler: echo) { second in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for server in [first, second] {
                        group.addTask {
                            try await CurlClient.withCurlClient { client in
                                for index in 0..<20 {
                                    let body = Array("\(server.port)-\(index)".utf8)
                                    let response = try await client.execute(
                                        CurlRequest(method: "PUT", url: server.url("/x"), body: body))
                                    #expect(response.body == body)
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(first.requests.count == 20)
                #expect(second.requests.count == 20)
            }
        }
    }

    @Test("connections closed after every other request are replaced, and every request still completes")
    func closedConnectionsAreReplaced() async throws {
        // Closing connections while others open makes the kernel hand out the closed sockets' numbers again: the
        // loop must watch a new socket that has an old one's number.
        try await TestHTTPServer.withTestHTTPServer(handler: echo) { server in
            try await CurlClient.withCurlClient { client in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<6 {
                        group.addTask {
                            for index in 0..<30 {
                                let body = Array("\(worker)-\(index)".utf8)
                                let headers = index.isMultiple(of: 2) ? [(name: "Connection", value: "close")] : []
                                let response = try await client.execute(
                                    CurlRequest(
                                        method: "POST", url: server.url("/churn"), headers: headers, body: body,
                                        timeout: 5))
                                #expect(response.body == body)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(server.requests.count == 180)
                #expect(server.connectionCount >= 90)
            }
        }
    }
}
