import HTTPTypes
import Hummingbird
import Switchboard

extension Router<ConnectionContext> {
    /// CONTRACT.md §9: a method a route does not take is `405 method-not-allowed`, with `Allow` naming those it
    /// takes. Hummingbird answers any method a path lacks with 404, so after every `/v1` route is registered,
    /// this adds the other common methods to each `/v1` path, answering 405 (`HEAD` too: the router does not
    /// generate it from `GET`).
    func answerMethodNotAllowed(under prefix: String) {
        var byPath: [String: (path: RouterPath, methods: Set<HTTPRequest.Method>)] = [:]
        for route in routes where route.path.description.hasPrefix(prefix) {
            byPath[route.path.description, default: (route.path, [])].methods.insert(route.method)
        }
        // QUERY: the safe method with a body of the IETF draft, which clients and fuzzers already send.
        let common: [HTTPRequest.Method] = [
            .get, .head, .post, .put, .patch, .delete, .options, .trace, HTTPRequest.Method("QUERY")!,
        ]
        for (description, (path, taken)) in byPath {
            let allow = common.filter(taken.contains).map(\.rawValue).joined(separator: ", ")
            for method in common where !taken.contains(method) {
                on(path, method: method) { request, _ in
                    var response = SwitchboardError.methodNotAllowed(
                        "\(description) does not take \(request.method.rawValue); it takes \(allow)"
                    ).response
                    response.headers[.allow] = allow
                    return response
                }
            }
        }
    }
}
