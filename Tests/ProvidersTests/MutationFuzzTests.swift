import DomainFakes
import Foundation
import Providers
import Switchboard
import Testing

/// A bounded, seeded mutation test of every provider adapter in the registry: the recorded fixtures of each
/// provider are mutated (body bytes, headers, query, method, kind) and handed to the adapter, half of the time
/// re-signed after mutating so the decoders behind the signature check are reached too. No input may crash or
/// hang an adapter, and every refusal must be a ``SwitchboardError`` with a 4xx status.
///
/// `MUTATION_FUZZ_SEED` and `MUTATION_FUZZ_ITERATIONS` repeat or lengthen a run.
@Suite("Provider adapters under mutated input", .timeLimit(.minutes(3)))
struct MutationFuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let seed = environment["MUTATION_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x5EED_2026
    static let iterations = environment["MUTATION_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 20_000
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// One recorded request of a fixture, `{{unique}}` filled in.
    struct Seed {
        var channel: Configuration.Channel
        var method: String
        var kind: String
        var query: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]
    }

    static func seeds() throws -> (seeds: [Seed], context: WebhookContext) {
        let loaded = try ConfigurationLoader.load(
            path: repository.appendingPathComponent("switchboard.example.json").path, environment: [:])
        let configuration = loaded.configuration
        var seeds: [Seed] = []
        let fixtures = repository.appendingPathComponent("Fixtures")
        for provider in try FileManager.default.contentsOfDirectory(atPath: fixtures.path).sorted() {
            let folder = fixtures.appendingPathComponent(provider)
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            where file.hasSuffix(".json") {
                let json = try JSONDecoder().decode(
                    JSONValue.self, from: Data(contentsOf: folder.appendingPathComponent(file)))
                guard let id = json["channel"]?.stringValue, let channel = configuration.channel(id: id) else {
                    continue
                }
                var headers: [(name: String, value: String)] = []
                if case .object(let fields)? = json["headers"] {
                    headers = fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value.stringValue ?? "") }
                }
                let body = (json["body"]?.stringValue ?? "").replacingOccurrences(
                    of: "{{unique}}", with: "0123456789abcdef")
                seeds.append(
                    Seed(
                        channel: channel, method: json["method"]?.stringValue ?? "POST",
                        kind: json["kind"]?.stringValue ?? "inbound", query: json["query"]?.stringValue ?? "",
                        headers: headers, body: Array(body.utf8)))
            }
        }
        return (seeds, WebhookContext(configuration))
    }

    @Test func mutatedRequestsAreHandledOrRefusedWith4xx() throws {
        let (seeds, context) = try Self.seeds()
        let providers = Set(seeds.map(\.channel.provider))
        #expect(providers == Set(ProviderRegistry.providers), "fixtures cover \(providers)")
        let adapters = Dictionary(
            seeds.map { ($0.channel.id, ProviderRegistry.adapter(for: $0.channel, context: context)) }
        ) { first, _ in first }
        let signers = Dictionary(
            seeds.map { ($0.channel.id, ProviderRegistry.signer(for: $0.channel, context: context)) }
        ) { first, _ in first }
        var random = SeededGenerator(seed: Self.seed)
        let now = Date(timeIntervalSince1970: 1_795_591_260)  // 2026-11-25T07:41:00Z, the fixtures' time
        var accepted = 0
        var refusedByStatus: [Int: Int] = [:]
        var failures: [String] = []
        for iteration in 0..<Self.iterations {
            var request = seeds[Int(random.next() % UInt64(seeds.count))]
            let resign = random.next() % 2 == 0
            if !resign || random.next() % 4 != 0 {
                Mutator.mutate(&request, seeds: seeds, random: &random)
            }
            var query = request.query
            var headers = request.headers
            if resign {
                (query, headers) = signers[request.channel.id]!.sign(
                    method: request.method, kind: request.kind, query: query, headers: headers, body: request.body,
                    now: now)
                if random.next() % 4 == 0 { Mutator.mutateHeaders(&headers, random: &random) }
            }
            let webhook = WebhookRequest(
                method: request.method, kind: request.kind, query: query, headers: headers, body: request.body)
            do {
                _ = try adapters[request.channel.id]!.handle(webhook, now: now)
                accepted += 1
            } catch {
                refusedByStatus[error.status, default: 0] += 1
                if !(400..<500).contains(error.status) && failures.count < 10 {
                    failures.append(
                        "iteration \(iteration) (\(request.channel.id) \(request.kind)): \(error.status) \(error.message)"
                    )
                }
            }
        }
        print(
            "mutation fuzz (seed \(Self.seed)): \(Self.iterations) requests over \(seeds.count) fixtures, accepted "
                + "\(accepted), refused by status \(refusedByStatus.sorted { $0.key < $1.key })")
        #expect(failures.isEmpty, "refusals outside 4xx: \(failures)")
        #expect(accepted > 0)
    }
}

/// Mutations that resemble what breaks parsers: bit flips, interesting bytes, truncation, duplication, splices
/// from other fixtures, invalid UTF-8, deep nesting, many parameters, and header and query damage.
enum Mutator {
    static let interesting: [[UInt8]] = [
        [0], [0xFF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98], Array("%".utf8), Array("%zz".utf8), Array("&".utf8),
        Array("=".utf8), Array("+".utf8), Array("\"".utf8), Array("\\u0000".utf8), Array("\\ud800".utf8),
        Array("[".utf8), Array("{".utf8), Array("}".utf8), Array("]".utf8), Array(",".utf8), Array(":".utf8),
        Array("null".utf8), Array("1e999".utf8), Array("-0".utf8), Array("99999999999999999999999".utf8),
        Array(String(repeating: "[", count: 600).utf8), Array(String(repeating: "a=b&", count: 300).utf8),
        Array("\r\n".utf8), Array("\u{202E}".utf8),
    ]

    static func pick<T>(_ values: [T], _ random: inout SeededGenerator) -> T {
        values[Int(random.next() % UInt64(values.count))]
    }

    static func index(_ count: Int, _ random: inout SeededGenerator) -> Int {
        count == 0 ? 0 : Int(random.next() % UInt64(count))
    }

    static func mutate(
        _ request: inout MutationFuzzTests.Seed, seeds: [MutationFuzzTests.Seed], random: inout SeededGenerator
    ) {
        let rounds = 1 + Int(random.next() % 4)
        for _ in 0..<rounds {
            switch random.next() % 10 {
            case 0...4: mutateBytes(&request.body, seeds: seeds, random: &random)
            case 5: mutateHeaders(&request.headers, random: &random)
            case 6:
                var query = Array(request.query.utf8)
                mutateBytes(&query, seeds: seeds, random: &random)
                request.query = String(decoding: query, as: UTF8.self)
            case 7: request.method = pick(["GET", "POST", "PUT", "OPTIONS", "HEAD", "", "post"], &random)
            case 8: request.kind = pick(["inbound", "status", "events", "voice", "", "../x", "INBOUND"], &random)
            default: request.body = pick(seeds, &random).body
            }
        }
    }

    static func mutateBytes(_ bytes: inout [UInt8], seeds: [MutationFuzzTests.Seed], random: inout SeededGenerator) {
        let at = index(bytes.count + 1, &random)
        switch random.next() % 7 {
        case 0 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] ^= UInt8(1 << (random.next() % 8))
        case 1: bytes.insert(contentsOf: pick(interesting, &random), at: at)
        case 2: bytes.removeSubrange(at..<min(bytes.count, at + 1 + index(16, &random)))
        case 3: bytes = Array(bytes.prefix(at))
        case 4:
            let other = pick(seeds, &random).body
            let from = index(other.count, &random)
            bytes.insert(contentsOf: other[from..<min(other.count, from + 1 + index(64, &random))], at: at)
        case 5 where !bytes.isEmpty:
            let from = index(bytes.count, &random)
            let chunk = bytes[from..<min(bytes.count, from + 1 + index(32, &random))]
            bytes.insert(contentsOf: chunk, at: at)
        default: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: at)
        }
    }

    static func mutateHeaders(_ headers: inout [(name: String, value: String)], random: inout SeededGenerator) {
        switch random.next() % 6 {
        case 0 where !headers.isEmpty: headers.remove(at: index(headers.count, &random))
        case 1 where !headers.isEmpty:
            let i = index(headers.count, &random)
            var value = Array(headers[i].value.utf8)
            if !value.isEmpty { value[index(value.count, &random)] ^= 0x20 }
            headers[i].value = String(decoding: value, as: UTF8.self)
        case 2 where !headers.isEmpty:
            let i = index(headers.count, &random)
            headers[i].value = pick(["", "x", String(repeating: "A", count: 9000), "0", "-1", "\u{0}", "é"], &random)
        case 3 where !headers.isEmpty: headers.append(headers[index(headers.count, &random)])
        case 4:
            headers.append(
                (
                    pick(
                        [
                            "Content-Type", "content-type", "X-Twilio-Signature", "aeg-event-type", "Content-Length",
                            "Authorization",
                        ],
                        &random),
                    pick(
                        ["application/json", "application/x-www-form-urlencoded; charset=utf-8", "text/plain", ""],
                        &random)
                ))
        default: headers.shuffle(using: &random)
        }
    }
}
