import KernelSupport
import Memblock
import PercpuBoot

/// The readers of untrusted input, each as a fuzz target: bytes in, a value or a
/// typed error out, never a trap, a hang or unbounded memory.
///
/// Built with `-sanitize=fuzzer` (scripts/fuzz.sh) libFuzzer drives
/// `LLVMFuzzerTestOneInput`, picking the target from `PCPU_FUZZ_TARGET`. Built
/// normally, `pcpu-boot-fuzz TARGET FILE...` replays inputs (the regression tests
/// run the crash reproducers that way, in-process, through `FuzzTargets.run`).
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// PlatformLoader: a YAML platform file (DTB references are refused, not read).
    case yaml
    /// The FDT reader and the NUMA facts taken from it.
    case fdt
    /// The console-log readers: RealBootLog (check) and the memblock dump replay.
    case log

    /// Runs one input. Errors are the expected outcome for most inputs; a trap is a finding.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .yaml:
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? PlatformLoader.load(yaml: text, fileName: "fuzz.yaml", baseDirectory: "/nonexistent",
                                         dtbLoader: { (path: String) throws(InputError) -> DeviceTreeFirmware in
                                             throw InputError(file: path, message: "not read while fuzzing")
                                         })
        case .fdt:
            if let firmware = try? DeviceTreeBlob.firmware(bytes: bytes, fileName: "fuzz.dtb") {
                _ = firmware.fixingUpMemory([BootLoaderMemory(base: 0x4000_0000, size: 1 << 30, origin: "fuzz")])
                _ = firmware.noMemoryExplanation
            }
        case .log:
            let text = String(decoding: bytes, as: UTF8.self)
            let real = RealBootLog(text: text)
            _ = (real.architecture, real.staticSizeLine, real.kernelVersion, real.commandLine,
                 real.percpuLines, real.percpuMemblockTrace, real.architectureEvidence)
            for kernel in [KernelVersion.v6_1, .v6_12, .v7_2] {
                let profile = MemblockProfile(kernel: kernel, maxNumNodes: 16, smpCacheBytes: 64, pageSize: 4096, numa: true)
                if let replay = try? MemblockLogReplay.parse(ConsoleLogText.normalized(text), fileName: "fuzz.log", profile: profile) {
                    var log = KernelLog(recordsDynamicDebug: false)
                    _ = try? replay.replay(log: &log)
                }
            }
        }
    }
}
