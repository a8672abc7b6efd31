import Testing
import PercpuBoot

/// Small platforms built in code, booted for the report tests.
enum ReportFixtures {
    /// An arm64 device-tree machine: `nodes` nodes of `cpusPerNode` CPUs each,
    /// node n owning `nodeMemory` bytes at `0x40000000 + n * nodeMemory`,
    /// distances 10 local / 20 remote in a numa-distance-map-v1 (or none).
    static func arm64(nodes: Int, cpusPerNode: Int, kernel: KernelVersion = .v6_1, staticSize: UInt64 = 87272,
                      cmdline: String = "", name: String = "test", nrCpus: Int = 256, nodesShift: Int = 4,
                      nodeMemory: UInt64 = 1 << 30, memoryBases: [UInt64]? = nil,
                      distanceMap: Bool = true) -> Platform {
        var config = KernelConfig.defaults(for: .arm64)
        config.nrCpus = nrCpus
        config.nodesShift = nodesShift
        var cpus: [DTCPU] = []
        for node in 0..<nodes {
            for i in 0..<cpusPerNode {
                let id = node * cpusPerNode + i
                cpus.append(DTCPU(path: "/cpus/cpu@\(id)", hardwareID: UInt64(id), numaNodeID: .value(UInt32(node))))
            }
        }
        let memory = (0..<nodes).map { node in
            let base = memoryBases?[node] ?? 0x4000_0000 + UInt64(node) * nodeMemory
            return DTMemoryNode(path: "/memory@\(String(base, radix: 16))",
                                regs: [PhysRange(base: base, size: nodeMemory)], numaNodeID: .value(UInt32(node)))
        }
        var matrix: [UInt32]? = nil
        if distanceMap {
            var cells: [UInt32] = []
            for a in 0..<nodes {
                for b in a..<nodes { cells += [UInt32(a), UInt32(b), a == b ? 10 : 20] }
            }
            matrix = cells
        }
        let firmware = DeviceTreeFirmware(cpus: cpus, memory: memory, distanceMatrix: distanceMap ? .some(matrix) : nil)
        return Platform(name: name, arch: .arm64, kernel: kernel, config: config, staticSize: staticSize,
                        cmdline: cmdline, firmware: .deviceTree(firmware))
    }

    /// An x86_64 ACPI machine, kernel 6.1, static 200000: 6 CPUs, 3 on each of 2 nodes
    /// (SRAT), 1 GiB each (node 0 with the legacy hole at 640 KiB), SLIT distance 21.
    static func x86() -> Platform {
        var config = KernelConfig.defaults(for: .x86_64)
        config.nrCpus = 64
        let processors = (0..<6).map { SRATProcessor(hardwareID: UInt64($0), proximityDomain: $0 < 3 ? 0 : 1) }
        let memory = [SRATMemory(base: 0, length: 0xa0000, proximityDomain: 0),
                      SRATMemory(base: 0x10_0000, length: 0x3ff0_0000, proximityDomain: 0),
                      SRATMemory(base: 0x4000_0000, length: 0x4000_0000, proximityDomain: 1)]
        return Platform(name: "x86", arch: .x86_64, kernel: .v6_1, config: config, staticSize: 200_000,
                        firmware: .acpi(ACPIFirmware(processors: processors, memory: memory, slit: [[10, 21], [21, 10]])))
    }

    /// 4 CPUs on 2 nodes (1 GiB each at 0x40000000 and 0x80000000), static 87272, kernel 6.1.
    static func twoNode(cmdline: String = "") throws -> BootResult {
        try Boot.run(arm64(nodes: 2, cpusPerNode: 2, cmdline: cmdline))
    }

    /// The lines of `text` between the heading `title` (underlined with `=`) and the next heading.
    static func section(_ title: String, in text: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0 == title }) else { return [] }
        var end = start + 2
        while end < lines.count && !(end + 1 < lines.count && lines[end + 1].allSatisfy({ $0 == "=" })
                                     && !lines[end + 1].isEmpty) {
            end += 1
        }
        var section = Array(lines[(start + 2)..<end])
        while section.last?.isEmpty == true { section.removeLast() }
        return section
    }

    /// The rows of a table in `lines` whose first cell is a number.
    static func numberedRows(_ lines: [String]) -> [[String]] {
        lines.map(cells).filter { $0.first.flatMap { Int($0) } != nil }
    }

    /// The cells of a table row (runs of non-blanks).
    static func cells(_ line: String) -> [String] {
        line.split(separator: " ").map(String.init)
    }
}
