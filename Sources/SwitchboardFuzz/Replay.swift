import Foundation

#if FUZZING
    /// libFuzzer's driver (compiler-rt, `-sanitize=fuzzer`). SwiftPM links every executable's entry point as
    /// `main`, so this program's `main` hands control to libFuzzer instead of libFuzzer providing its own.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    @main
    struct FuzzDriver {
        static func main() {
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzTestOneInput))
        }
    }
#else
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
