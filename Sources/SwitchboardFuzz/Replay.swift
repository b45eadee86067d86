#if !FUZZING
    import Foundation

    /// Without `-sanitize=fuzzer` (a normal `swift build`): runs each file named on the command line through the
    /// fuzz target once, to reproduce a finding or replay a corpus.
    @main
    struct FuzzReplay {
        static func main() throws {
            let paths = CommandLine.arguments.dropFirst()
            for path in paths {
                FuzzTarget.run(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            }
            print("ran \(paths.count) inputs through the fuzz target")
        }
    }
#endif
