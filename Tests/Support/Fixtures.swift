import Foundation
import PercpuBoot

/// Paths into Tests/Fixtures, found from this file's location.
public enum Fixtures {
    public static let testsDirectory: URL = {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        while url.lastPathComponent != "Tests" && url.path != "/" { url = url.deletingLastPathComponent() }
        return url
    }()

    public static let kernelBoots = testsDirectory.appendingPathComponent("Fixtures/kernel-boots")
    /// Real per-CPU allocator traces (Tests/Fixtures/percpu-calls, copied from shared/percpu-calls).
    public static let percpuCalls = testsDirectory.appendingPathComponent("Fixtures/percpu-calls")
    public static let repositoryRoot = testsDirectory.deletingLastPathComponent()

    /// The recorded device-tree boots (every folder with a board.dtb).
    public static var deviceTreeCases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: kernelBoots.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: kernelBoots.appendingPathComponent("\($0)/board.dtb").path) }
            .sorted()
    }

    public static func text(_ relative: String) throws -> String {
        try String(contentsOf: kernelBoots.appendingPathComponent(relative), encoding: .utf8)
    }

    /// The case's extra command line: what follows `memblock=debug` in the QEMU `-append`.
    public static func extraCommandLine(_ name: String) throws -> String {
        let command = try text("\(name)/qemu-command.txt")
        guard let range = command.range(of: "memblock=debug") else { return "" }
        let rest = command[range.upperBound...]
        return String(rest.prefix { $0 != "\"" && $0 != "'" }).trimmingCharacters(in: .whitespaces)
    }
}

/// A small device-tree machine built in code: `cpusPerNode[i]` CPUs on node i,
/// `memory[i]` = (base, size) of node i (nil = memory-less), and a distance map.
public func deviceTreePlatform(name: String = "test", kernel: KernelVersion = .v6_8, arch: Architecture = .arm64,
                        cpuNodes: [Int], memory: [(UInt64, UInt64, Int)], distances: [(Int, Int, Int)]? = nil,
                        staticSize: UInt64 = 87272, cmdline: String = "",
                        configure: (inout KernelConfig) -> Void = { _ in }) -> Platform {
    var config = KernelConfig.defaults(for: arch)
    configure(&config)
    let cpus = cpuNodes.enumerated().map { i, node in
        DTCPU(path: "/cpus/cpu@\(i)", hardwareID: UInt64(i), numaNodeID: node < 0 ? .absent : .value(UInt32(node)))
    }
    let mem = memory.enumerated().map { i, m in
        DTMemoryNode(path: "/memory@\(String(m.0, radix: 16))", regs: [PhysRange(base: m.0, size: m.1)],
                     numaNodeID: m.2 < 0 ? .absent : .value(UInt32(m.2)))
    }
    let matrix: [UInt32]?? = distances.map { .some($0.flatMap { [UInt32($0.0), UInt32($0.1), UInt32($0.2)] }) }
    return Platform(name: name, arch: arch, kernel: kernel, config: config, staticSize: staticSize, cmdline: cmdline,
                    firmware: .deviceTree(DeviceTreeFirmware(cpus: cpus, memory: mem, distanceMatrix: matrix)))
}

extension BootResult {
    /// The emulated `percpu:`/`pcpu-alloc:` lines.
    public var percpuLines: [String] { RealBootLog.percpuLines(log.texts()) }
    public var kernelLines: [String] { log.texts([.kernel]) }
}

/// The memblock calls after the line reporting the first chunk (`percpu: Embedded …` or
/// `percpu: N 4K pages/cpu …`) up to the last per-CPU one, `pcpu-alloc:` lines skipped,
/// caller offsets stripped: pcpu_setup_first_chunk's and pcpu_alloc_first_chunk's
/// allocations and the frees that end setup_per_cpu_areas.
public func memblockCallsAfterPercpuLine(_ lines: [String]) -> [String] {
    guard let start = lines.firstIndex(where: { $0.hasPrefix("percpu: ") && $0.contains(" pages/cpu s") }) else {
        return []
    }
    var out: [String] = []
    for line in lines[(start + 1)...] {
        if line.hasPrefix("pcpu-alloc:") { continue }
        guard RealBootLog.isMemblockTrace(line) else { break }
        out.append(RealBootLog.stripCallerOffset(line))
    }
    return out
}
