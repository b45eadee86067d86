import Foundation

/// Reads the configuration file and `SWITCHBOARD_*` overrides (CONTRACT.md §1–2), and prints it with secrets
/// masked for `check-config`.
public enum ConfigurationLoader {
    /// What loading produced: the configuration and the warnings a person should see.
    public struct Loaded: Sendable {
        public var configuration: Configuration
        public var warnings: [String]
    }

    /// Optional string keys that have no value by default, so the override cannot take the type from it.
    static let optionalStringKeys: Set<String> = [
        "adminToken", "publicURL", "router.url", "router.secret", "router.token", "cluster.advertiseURL",
        "cluster.secret",
    ]

    /// Optional number keys whose default may be `null` (keep forever): an override reads a number, or `null`.
    static let optionalNumberKeys: Set<String> = [
        "retention.messagesDays", "retention.closedConversationsDays", "retention.dedupeDays",
        "retention.decisionsDays",
    ]

    /// The variable naming the config file when `--config` is not given.
    public static let configVariable = "SWITCHBOARD_CONFIG"
    /// The config file read when neither `--config` nor `SWITCHBOARD_CONFIG` names one, if it exists.
    public static let defaultPath = "switchboard.json"

    /// The config file to read (CONTRACT.md §1): `--config`, else `$SWITCHBOARD_CONFIG`, else `./switchboard.json`
    /// if present; `nil`: the built-in defaults.
    public static func path(
        option: String?, environment: [String: String],
        fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) -> String? {
        if let option { return option }
        if let named = environment[configVariable], !named.isEmpty { return named }
        return fileExists(defaultPath) ? defaultPath : nil
    }

    /// Loads `path` (or the built-in defaults when `path` is nil), reads the secrets given as files
    /// (`<key>File`) and applies the environment's overrides (`SWITCHBOARD_<PATH>`, or `SWITCHBOARD_<PATH>_FILE`
    /// holding the path of a file with the value).
    public static func load(
        path: String?, environment: [String: String], read: (String) -> Data? = ConfigurationLoader.readFile
    ) throws(SwitchboardError) -> Loaded {
        var tree: [String: JSONValue] = [:]
        if let path {
            guard let data = read(path) else {
                throw .invalidRequest("config file \(path) cannot be read")
            }
            // Nothing to resolve or override: the file decodes as it is, without the tree (a file with 10,000
            // agents loads in a tenth of the time, which a reload feels). Any failure takes the path below, which
            // names the problem.
            let overridden = environment.keys.contains { $0.hasPrefix("SWITCHBOARD_") && $0 != configVariable }
            if !overridden, data.firstRange(of: Data(#"File""#.utf8)) == nil,
                let configuration = try? JSONDecoder().decode(Configuration.self, from: data)
            {
                return Loaded(configuration: configuration, warnings: [])
            }
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: data) else {
                throw .invalidRequest("config file \(path) is not valid JSON")
            }
            guard case .object(let object) = value else {
                throw .invalidRequest("config file \(path) must hold a JSON object")
            }
            tree = object
        }
        try resolveSecretFiles(in: &tree, read: read)
        var warnings: [String] = []
        let defaults = defaultTree()
        for (name, value) in environment.sorted(by: { $0.key < $1.key })
        where name.hasPrefix("SWITCHBOARD_") && name != configVariable {
            var segments = name.dropFirst("SWITCHBOARD_".count).split(separator: "_").map(String.init)
            var value = value
            if segments.count > 1, segments.last == "FILE" {
                segments.removeLast()
                value = try secret(fromFile: value, named: name, read: read)
            }
            if !applyOverride(segments: segments, value: value, to: &tree, defaults: defaults) {
                warnings.append("\(name) is not a setting of the configuration; ignored")
            }
        }
        do {
            let data = try JSONEncoder().encode(JSONValue.object(tree))
            return Loaded(configuration: try JSONDecoder().decode(Configuration.self, from: data), warnings: warnings)
        } catch let DecodingError.keyNotFound(key, context) {
            let path = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            throw .invalidRequest("config: \(path) is required", field: path)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw .invalidRequest("config: \(path) has the wrong type", field: path)
        } catch let DecodingError.dataCorrupted(context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw .invalidRequest("config: \(path) has an invalid value (\(context.debugDescription))", field: path)
        } catch {
            throw .invalidRequest("config: \(error)")
        }
    }

    /// The configuration with every default filled in, as a JSON tree: gives each key's type.
    static func defaultTree() -> [String: JSONValue] {
        guard let data = try? JSONEncoder().encode(Configuration()),
            case .object(let tree) = try? JSONDecoder().decode(JSONValue.self, from: data)
        else { return [:] }
        return tree
    }

    /// Sets the scalar at `segments` (matched case-insensitively, outside arrays) to `value` read as that key's type.
    static func applyOverride(
        segments: [String], value: String, to tree: inout [String: JSONValue], defaults: [String: JSONValue],
        path: [String] = []
    ) -> Bool {
        guard let first = segments.first else { return false }
        // Optional keys without a default are absent from `defaults`: name them here so they can be set.
        let optionalHere = optionalStringKeys.compactMap { name -> String? in
            let parts = name.split(separator: ".").map(String.init)
            return parts.count == path.count + 1 && Array(parts.dropLast()) == path ? parts.last : nil
        }
        let keys = Set(defaults.keys).union(tree.keys).union(optionalHere)
        guard let key = keys.first(where: { $0.uppercased() == first.uppercased() }) else { return false }
        let keyPath = path + [key]
        if segments.count == 1 {
            if optionalNumberKeys.contains(keyPath.joined(separator: ".")) {
                guard value.lowercased() != "null" else {
                    tree[key] = .null
                    return true
                }
                guard let number = Double(value) else { return false }
                tree[key] = .number(number)
                return true
            }
            switch tree[key] ?? defaults[key] {
            case .bool:
                guard let bool = Bool(value.lowercased()) else { return false }
                tree[key] = .bool(bool)
            case .number:
                guard let number = Double(value) else { return false }
                tree[key] = .number(number)
            case .string:
                tree[key] = .string(value)
            case nil where optionalStringKeys.contains(keyPath.joined(separator: ".")):
                tree[key] = .string(value)
            default:
                return false
            }
            return true
        }
        var child: [String: JSONValue] = [:]
        switch tree[key] {
        case .object(let object): child = object
        case nil: break
        default: return false
        }
        guard case .object(let childDefaults) = defaults[key] ?? .object([:]) else { return false }
        guard
            applyOverride(
                segments: Array(segments.dropFirst()), value: value, to: &child, defaults: childDefaults, path: keyPath)
        else { return false }
        tree[key] = .object(child)
        return true
    }

    // MARK: Masking

    /// `"***"` + the last 4 characters.
    public static func mask(_ secret: String) -> String { "***" + secret.suffix(4) }

    /// The effective configuration as pretty JSON with every secret masked: the gateway's tokens and secrets,
    /// the database password, and each channel's credentials named in `secretCredentialKeys` (the providers
    /// declare theirs: `Providers.ProviderRegistry.secretCredentialKeys`).
    public static func maskedJSON(_ configuration: Configuration, secretCredentialKeys: Set<String>) throws -> String {
        var masked = configuration
        masked.adminToken = masked.adminToken.map(mask)
        masked.router.secret = masked.router.secret.map(mask)
        masked.router.token = masked.router.token.map(mask)
        masked.cluster.secret = masked.cluster.secret.map(mask)
        masked.database = maskDatabasePassword(masked.database)
        for index in masked.channels.indices {
            for (key, value) in masked.channels[index].credentials where secretCredentialKeys.contains(key) {
                masked.channels[index].credentials[key] = mask(value)
            }
        }
        for index in masked.agents.indices { masked.agents[index].token = masked.agents[index].token.map(mask) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(masked), as: UTF8.self)
    }

    static func maskDatabasePassword(_ url: String) -> String {
        guard url.hasPrefix("postgres"), let at = url.lastIndex(of: "@"),
            let schemeEnd = url.range(of: "://")?.upperBound,
            let colon = url[schemeEnd..<at].firstIndex(of: ":")
        else { return url }
        let password = String(url[url.index(after: colon)..<at])
        return String(url[..<url.index(after: colon)]) + mask(password) + String(url[at...])
    }
}
