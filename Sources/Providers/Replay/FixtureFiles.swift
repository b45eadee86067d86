import Foundation

/// Finds fixture files: each path is a `.json` file or a directory searched recursively, sorted by path.
public enum FixtureFiles {
    public static func find(_ paths: [String]) throws(ReplayFailure) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ReplayFailure(reason: "\(path) does not exist")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            var found: [String] = []
            let enumerator = FileManager.default.enumerator(atPath: path)
            while let entry = enumerator?.nextObject() as? String {
                if entry.hasSuffix(".json") { found.append((path as NSString).appendingPathComponent(entry)) }
            }
            files += found.sorted()
        }
        return files
    }
}
