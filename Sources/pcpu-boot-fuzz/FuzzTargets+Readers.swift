import ACPITables
import KernelBuild
import PercpuAlloc
import PercpuBoot

/// The binary ACPI tables. The input is a sequence of tables, each cut by its
/// header's length; a table whose signature is not one pcpu-boot reads takes the
/// next of SRAT, SLIT, APIC, FACP. The harness sets each table's checksum byte so
/// that the fuzzer explores the structures rather than the checksum test (which the
/// seeds and the unit tests cover). The tables that parse then boot an x86_64 and an
/// arm64 machine, so NUMA init meets whatever the SRAT and MADT say; the x86_64 boot
/// also cuts the nodes into fake ones (`numa=fake=`, picked by the input's length).
enum FuzzACPI {
    static let ram = [PhysRange(base: 0, size: 0x8000_0000), PhysRange(base: 0x1_0000_0000, size: 0x1_0000_0000)]
    static let numaFake = ["", "numa=fake=2", "numa=fake=7", "numa=fake=96M", "numa=fake=3:10,20,30,", "numa=fake=1G:10,"]

    static func run(_ bytes: [UInt8]) {
        guard let set = tableSet(bytes) else { return }
        let firmware = ACPITablesFirmware.firmware(set, source: "fuzz")
        for arch in [Architecture.x86_64, .arm64] {
            let cmdline = arch == .x86_64 ? numaFake[bytes.count % numaFake.count] : ""
            let platform = Platform(name: "fuzz", arch: arch, kernel: .v6_1, config: .defaults(for: arch), staticSize: 87272,
                                    cmdline: cmdline, firmware: .acpi(firmware), memblock: MemblockSetup(memory: ram))
            _ = try? Boot.run(platform, dynamicDebug: false)
        }
    }

    /// The tables of one input, cut by their headers' lengths, checksums set.
    static func tableSet(_ bytes: [UInt8]) -> ACPITableSet? {
        var tables: [String: (bytes: [UInt8], fileName: String?)] = [:]
        var fallback = ACPITableSet.signatures.makeIterator()
        var offset = 0
        while offset < bytes.count {
            var table = Array(bytes[offset...])
            if table.count >= 8 {
                let length = Int(table[4]) | Int(table[5]) << 8 | Int(table[6]) << 16 | Int(table[7]) << 24
                if length >= 36 && length < table.count { table = Array(table.prefix(length)) }
            }
            offset += table.count
            if table.count > 9 {
                table[9] = 0
                table[9] = 0 &- table.reduce(0, &+)
            }
            let signature = String(decoding: table.prefix(4), as: UTF8.self)
            if ACPITableSet.signatures.contains(signature) && tables[signature] == nil {
                tables[signature] = (table, nil)
            } else if let next = fallback.next() {
                if tables[next] == nil { tables[next] = (table, nil) }
            } else {
                break
            }
        }
        return try? ACPITableSet(tables: tables)
    }
}

/// The kernel build's files: the same bytes as a vmlinux, a System.map and a
/// .config (plain or gzip, as /proc/config.gz), and the configuration applied for
/// every architecture.
enum FuzzKernelBuild {
    static func run(_ bytes: [UInt8]) {
        if let elf = try? ELF64(bytes, fileName: "fuzz.vmlinux") {
            _ = try? elf.perCPUSection()
            _ = try? elf.symbols(["__per_cpu_start", "__per_cpu_end", "__per_cpu_load"])
        }
        _ = try? SystemMap.perCPUSection(bytes, fileName: "fuzz.map")
        if let config = try? KernelConfigFile.parse(bytes, fileName: "fuzz.config") {
            _ = (KernelBuildConfig.architecture(config), KernelBuildConfig.kernelVersion(config))
            for arch in Architecture.allCases {
                _ = try? KernelBuildConfig.kernelConfig(config, arch: arch, defaults: .defaults(for: arch))
            }
        }
    }
}

/// The dynamic allocator's inputs: a recorded call trace, tracepoint lines, or a
/// workload YAML, each replayed on the allocator of one booted machine (booted
/// once; the allocator is a value, so each input starts from the same state).
enum FuzzCalls {
    static let booted: PcpuAllocator? = {
        let platform = Platform(
            name: "fuzz", arch: .arm64, kernel: .v6_1, config: .defaults(for: .arm64), staticSize: 87272,
            firmware: .acpi(ACPIFirmware(processors: (0..<4).map {
                SRATProcessor(hardwareID: 0, proximityDomain: UInt32($0 / 2), enabled: true, kind: .gicc, uid: UInt32($0))
            }, memory: [SRATMemory(base: 0x4000_0000, length: 0x4000_0000, proximityDomain: 0, enabled: true),
                        SRATMemory(base: 0x8000_0000, length: 0x4000_0000, proximityDomain: 1, enabled: true)])),
            memblock: MemblockSetup(memory: [PhysRange(base: 0x4000_0000, size: 0x8000_0000)]))
        return try? Boot.run(platform, dynamicDebug: false).dynamicAllocator()
    }()

    static func run(_ bytes: [UInt8]) {
        guard let booted else { return }
        let text = String(decoding: bytes, as: UTF8.self)
        if let trace = try? PercpuCallTraceParser.parse(text, file: "fuzz.trace") {
            var allocator = booted
            if (try? allocator.replay(trace)) != nil { _ = allocator.compare(with: trace) }
        }
        if PercpuTracepointParser.looksLikeTracepoints(text) {
            var allocator = booted
            _ = try? allocator.replayObserved(text)
        }
        // A workload of up to 10M allocations is valid and bounded (seconds, a few hundred
        // MiB: PcpuWorkloadTests, the loader's limit); fuzzing replays the small ones, where
        // the allocator's logic is, at thousands of inputs a second.
        if let workload = try? PcpuWorkloadLoader.load(text, file: "fuzz.yaml"), workload.totalAllocations <= 20_000 {
            var allocator = booted
            _ = try? allocator.run(workload)
        }
    }
}
