#if canImport(Glibc)
import Glibc
#endif
import KernelSupport

#if PCPU_FUZZER
/// libFuzzer's entry point; the target comes from PCPU_FUZZ_TARGET (yaml, fdt, log).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedTarget.run(bytes)
    return 0
}

/// libFuzzer's driver (LLVM >= 11): SwiftPM links an executable with `main` aliased to
/// `<module>_main`, so libFuzzer's own `main` is not used; this one hands over to it.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

@_cdecl("pcpu_boot_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
}

/// Read once: the environment does not change during a run.
let selectedTarget: FuzzTarget = {
    guard let name = getenv("PCPU_FUZZ_TARGET").map({ String(cString: $0) }), let target = FuzzTarget(rawValue: name) else {
        try? OutputSink.standardError.write("pcpu-boot-fuzz: set PCPU_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue))\n")
        exit(2)
    }
    return target
}()
#else
/// `pcpu-boot-fuzz TARGET FILE...`: replays inputs through one target (no libFuzzer).
@main struct ReplayMain {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            try? OutputSink.standardError.write("usage: pcpu-boot-fuzz yaml|fdt|log FILE...\n")
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let file = fopen(path, "rb") else { try? OutputSink.standardError.write("\(path): cannot open\n"); exit(2) }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = fread(&buffer, 1, buffer.count, file)
                if n <= 0 { break }
                bytes += buffer.prefix(n)
            }
            fclose(file)
            target.run(bytes)
        }
    }
}
#endif
