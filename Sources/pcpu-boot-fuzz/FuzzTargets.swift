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
    /// The console-log readers: RealBootLog (check), BootLogFacts and the platform
    /// file `import` writes, and the memblock dump replay.
    case log
    /// The binary ACPI table reader (SRAT, SLIT, MADT, FADT), then a boot from the tables.
    case acpi
    /// The kernel build readers: ELF64 (vmlinux), System.map, .config and gzip.
    case build
    /// The per-CPU call trace, tracepoint and workload readers, each replayed on a booted allocator.
    case calls

    /// Runs one input. Errors are the expected outcome for most inputs; a trap is a finding.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .yaml: FuzzYAML.run(bytes)
        case .fdt: FuzzFDT.run(bytes)
        case .log: FuzzLog.run(bytes)
        case .acpi: FuzzACPI.run(bytes)
        case .build: FuzzKernelBuild.run(bytes)
        case .calls: FuzzCalls.run(bytes)
        }
    }
}

enum FuzzYAML {
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? PlatformLoader.load(yaml: text, fileName: "fuzz.yaml", baseDirectory: "/nonexistent",
                                     dtbLoader: { (path: String) throws(InputError) -> DeviceTreeFirmware in
                                         throw InputError(file: path, message: "not read while fuzzing")
                                     })
    }
}

enum FuzzFDT {
    static func run(_ bytes: [UInt8]) {
        if let firmware = try? DeviceTreeBlob.firmware(bytes: bytes, fileName: "fuzz.dtb") {
            _ = firmware.fixingUpMemory([BootLoaderMemory(base: 0x4000_0000, size: 1 << 30, origin: "fuzz")])
            _ = firmware.noMemoryExplanation
        }
    }
}

enum FuzzLog {
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let real = RealBootLog(text: text)
        _ = (real.architecture, real.staticSizeLine, real.kernelVersion, real.commandLine,
             real.percpuLines, real.percpuMemblockTrace, real.architectureEvidence)
        let facts = BootLogFacts(log: real)
        var early: MemblockSetup?
        if let arch = facts.architecture?.value {
            early = try? Boot.MemblockLog(text: text, fileName: "fuzz.log")
                .earlyMemblock(arch: arch, kernel: facts.kernel?.value ?? .v6_8, config: .defaults(for: arch))
        }
        _ = try? PlatformImport.render(facts, logName: "fuzz.log", early: early)
        // One kernel's memblock rules per input (picked by its length), not all three: a third of the cost.
        let kernels = [KernelVersion.v6_1, .v6_12, .v7_2]
        for kernel in [kernels[bytes.count % kernels.count]] {
            let profile = MemblockProfile(kernel: kernel, maxNumNodes: 16, smpCacheBytes: 64, pageSize: 4096, numa: true)
            if let replay = try? MemblockLogReplay.parse(ConsoleLogText.normalized(text), fileName: "fuzz.log", profile: profile) {
                var log = KernelLog(recordsDynamicDebug: false)
                _ = try? replay.replay(log: &log)
            }
        }
    }
}
