import Foundation

/// Secrets read from files (CONTRACT.md §2 "Secrets from files"), the way Kubernetes and Docker mount them: a
/// secret key `K` may be given as `KFile` holding a path; the file's content, one trailing newline removed, is
/// the value.
extension ConfigurationLoader {
    /// What a key whose value is a file's path ends with.
    public static let fileKeySuffix = "File"

    /// Replaces each `<key>File` of a secret by `<key>` with the file's content: `adminToken`, `database`,
    /// `router.secret`, `router.token`, `cluster.secret`, each agent's `token` and every key of each channel's
    /// `credentials` (the domain does not know which credentials are secret: any of them may come from a file).
    /// An unreadable file, or a key given both ways, is a config error naming the key.
    static func resolveSecretFiles(
        in tree: inout [String: JSONValue], read: (String) -> Data? = ConfigurationLoader.readFile
    ) throws(SwitchboardError) {
        try resolveFile(keys: ["adminToken", "database"], in: &tree, at: "", read: read)
        for (section, keys) in [("router", ["secret", "token"]), ("cluster", ["secret"])] {
            guard case .object(var object) = tree[section] else { continue }
            try resolveFile(keys: keys, in: &object, at: section + ".", read: read)
            tree[section] = .object(object)
        }
        if case .array(var agents) = tree["agents"] {
            for index in agents.indices {
                guard case .object(var agent) = agents[index] else { continue }
                try resolveFile(keys: ["token"], in: &agent, at: "agents[\(index)].", read: read)
                agents[index] = .object(agent)
            }
            tree["agents"] = .array(agents)
        }
        if case .array(var channels) = tree["channels"] {
            for index in channels.indices {
                guard case .object(var channel) = channels[index],
                    case .object(var credentials) = channel["credentials"]
                else { continue }
                let keys = credentials.keys.filter { $0.hasSuffix(fileKeySuffix) && $0 != fileKeySuffix }
                    .map { String($0.dropLast(fileKeySuffix.count)) }
                try resolveFile(
                    keys: keys.sorted(), in: &credentials, at: "channels[\(index)].credentials.", read: read)
                channel["credentials"] = .object(credentials)
                channels[index] = .object(channel)
            }
            tree["channels"] = .array(channels)
        }
    }

    private static func resolveFile(
        keys: [String], in object: inout [String: JSONValue], at path: String, read: (String) -> Data?
    ) throws(SwitchboardError) {
        for key in keys {
            let fileKey = key + fileKeySuffix
            guard let reference = object[fileKey] else { continue }
            let name = path + key
            if let value = object[key], value != .null {
                throw .invalidRequest(
                    "config: \(name) and \(name)\(fileKeySuffix) are both given; give one", field: name)
            }
            guard case .string(let file) = reference, !file.isEmpty else {
                throw .invalidRequest(
                    "config: \(name)\(fileKeySuffix) must be the path of a file", field: name + fileKeySuffix)
            }
            object[key] = .string(try secret(fromFile: file, named: name + fileKeySuffix, read: read))
            object[fileKey] = nil
        }
    }

    /// The content of `file` without one trailing newline; a file that cannot be read (or is not UTF-8) is a
    /// config error naming `name` and the path.
    static func secret(
        fromFile file: String, named name: String, read: (String) -> Data?
    ) throws(SwitchboardError)
        -> String
    {
        guard let data = read(file), var text = String(data: data, encoding: .utf8) else {
            throw .invalidRequest("config: \(name): cannot read the file \(file)", field: name)
        }
        // `\r\n` is one `Character`: either ending is one newline.
        if let last = text.last, last == "\n" || last == "\r\n" { text.removeLast() }
        return text
    }

    /// A regular file's bytes; `nil` for a directory or a file that cannot be read.
    public static func readFile(_ path: String) -> Data? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue
        else { return nil }
        return FileManager.default.contents(atPath: path)
    }
}
