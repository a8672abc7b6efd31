import KernelSupport

/// One value read from a boot log, with the line it came from (1-based, and the
/// line's text without its timestamp), or nil when it is an assumption.
public struct LogFact<Value: Sendable>: Sendable {
    public var value: Value
    public var line: Int?
    public var text: String?
    /// Why, when the value is assumed rather than read.
    public var assumption: String?

    static func read(_ value: Value, _ index: Int, _ lines: [String]) -> LogFact {
        LogFact(value: value, line: index + 1, text: lines[index], assumption: nil)
    }

    static func assumed(_ value: Value, _ why: String) -> LogFact {
        LogFact(value: value, line: nil, text: nil, assumption: why)
    }
}

/// What a real boot log (serial console or dmesg) says about the machine and the
/// kernel, each fact with its line: the facts `pcpu-boot import` writes into a platform file.
///
/// Read: `Linux version`, the command line, NR_CPUS (x86 `setup_percpu:`, else the
/// `rcu: RCU restricting CPUs from NR_CPUS=` line), the static size (`percpu:`), x86's
/// paging (`max_arch_pfn`), the SRAT's revision (`ACPI: SRAT 0x… (vNN`), its processor
/// lines (x86 6.1 `SRAT: PXM %u -> APIC 0x%02x -> Node %u`, arm64 `ACPI: NUMA: SRAT: PXM
/// %d -> MPIDR 0x%llx -> Node %d`) and memory lines (`ACPI: SRAT: Node %u PXM %u [mem …]`
/// with ` hotplug` / ` non-volatile`), whether there is a SLIT, the present and hotplug
/// CPU counts (`smpboot: Allowing`, v6.9+ `CPU topo: Allowing`), and the RAM and early
/// reservations of the first `MEMBLOCK configuration:` dump.
public struct BootLogFacts: Sendable {
    public var lines: [String]
    public var architecture: LogFact<Architecture>?
    public var kernel: LogFact<KernelVersion>?
    public var commandLine: LogFact<String>?
    public var nrCPUs: LogFact<Int>?
    public var staticSize: LogFact<UInt64>?
    public var paging: LogFact<PagingMode>?
    /// `roundup(sizeof(pg_data_t), …)` of this build: the first `NODE_DATA(%d) allocated
    /// [mem A-B]` line's B + 1 − A (config `pg-data-size`; build dependent, see docs/fidelity.md).
    public var nodeDataSize: LogFact<UInt64>?
    public var sratRevision: LogFact<Int>?
    public var slitListed: LogFact<Bool>?
    public var processors: [LogFact<SRATProcessor>] = []
    public var memory: [LogFact<SRATMemory>] = []
    /// (present, hotplug) CPUs.
    public var cpuCounts: LogFact<(Int, Int)>?
    /// x86 `Hypervisor detected: %s`.
    public var hypervisor: LogFact<Bool>?
    /// arm64: a VA_BITS=52 kernel on a CPU that runs 48 bits (`arm64VA52On48BitHardware`):
    /// `memstart_addr` moved down by `_PAGE_OFFSET(48) - _PAGE_OFFSET(52)`, so `__pa(PAGE_OFFSET)`
    /// — the `from=` of sparse_init's `memmap_alloc` and the other early allocations that ask
    /// for memory above `__pa(MAX_DMA_ADDRESS)` — wraps above 2^63 (`from=0xfff1000040000000`);
    /// with 48 (or 39, 42 …) VA bits it is the DRAM start. Read from the first such
    /// `memblock_alloc…` line before the `percpu:` line.
    public var vaBits52On48: LogFact<Bool>?
    /// Build fact: the image keeps `memblock_free()`'s own frame (Debian's gcc-16 7.2 arm64
    /// build), seen when a free outside the compared per-CPU trace is traced from
    /// `memblock_free+…` (`memblock_phys_free: [...] memblock_free+0x5c/0x80`; a tail call shows
    /// memblock_free's caller instead). Only that positive sighting is read: other callers
    /// prove nothing.
    public var memblockFreeFrame: LogFact<Bool>?

    public init(text: String) { self.init(log: RealBootLog(text: text)) }

    /// The facts of a log already read (its lines split and stripped once).
    public init(log: RealBootLog) {
        lines = log.lines
        func first(_ prefix: String) -> Int? { lines.firstIndex { $0.hasPrefix(prefix) } }
        func after(_ line: String, _ marker: String) -> Substring? {
            line.range(of: marker).map { line[$0.upperBound...] }
        }
        if let arch = log.architecture {
            let markers = arch == .x86_64 ? ["BIOS-provided physical RAM map", "x86/"]
                : arch == .arm64 ? ["Booting Linux on physical CPU", "Machine model:", "psci: ", "CPU features: detected"]
                : ["riscv: ", "SBI specification"]
            if let i = lines.firstIndex(where: { line in markers.contains { line.hasPrefix($0) } }) {
                architecture = .read(arch, i, lines)
            }
        }
        if let i = first("Linux version "), case .success(let version)? = log.kernelVersion { kernel = .read(version, i, lines) }
        if let i = first("Kernel command line: ") {
            commandLine = .read(String(lines[i].dropFirst("Kernel command line: ".count)), i, lines)
        } else if let i = first("Command line: ") {
            commandLine = .read(String(lines[i].dropFirst("Command line: ".count)), i, lines)
        }
        if let i = first("setup_percpu: NR_CPUS:"), let n = Int(lines[i].dropFirst("setup_percpu: NR_CPUS:".count).prefix { $0.isNumber }) {
            nrCPUs = .read(n, i, lines)
        } else if let i = lines.firstIndex(where: { $0.containsBytes(of: "RCU restricting CPUs from NR_CPUS=") }),
                  let rest = after(lines[i], "NR_CPUS="), let n = Int(rest.prefix { $0.isNumber }) {
            nrCPUs = .read(n, i, lines)
        }
        if let size = log.staticSize, let i = lines.firstIndex(where: { $0.hasPrefix("percpu: ") && $0.containsBytes(of: " s\(size) ") }) {
            staticSize = .read(size, i, lines)
        }
        if let i = lines.firstIndex(where: { $0.containsBytes(of: "max_arch_pfn = 0x") }), let rest = after(lines[i], "max_arch_pfn = 0x"),
           let pfn = UInt64(rest.prefix { $0.isHexDigit }, radix: 16) {
            // MAX_PHYSMEM_BITS 52 (5-level) or 46 (4-level), in 4 KiB frames.
            paging = .read(pfn > 1 << 34 ? .level5 : .level4, i, lines)
        }
        if let i = first("ACPI: SRAT 0x"), let rest = after(lines[i], "(v"), let rev = Int(rest.prefix(2)) {
            sratRevision = .read(rev, i, lines)
        }
        if let i = lines.firstIndex(where: { $0.hasPrefix("NODE_DATA(") && $0.containsBytes(of: " allocated [mem 0x") }),
           let range = after(lines[i], "[mem 0x"), let dash = range.firstIndex(of: "-"),
           let start = UInt64(range[..<dash], radix: 16),
           let end = UInt64(range[range.index(after: dash)...].dropFirst(2).prefix { $0.isHexDigit }, radix: 16),
           end >= start, case let size = end - start + 1, size >= 64, size <= 1 << 24 {
            nodeDataSize = .read(size, i, lines)
        }
        if let i = first("ACPI: SLIT 0x") { slitListed = .read(true, i, lines) }
        if let i = first("Hypervisor detected: ") { hypervisor = .read(true, i, lines) }
        // Lines before the per-CPU setup: its own memblock calls name pcpu_* functions.
        let percpuStart = lines.firstIndex { $0.hasPrefix("setup_percpu: ") || $0.hasPrefix("percpu: ") || $0.contains(" pcpu_") }
            ?? lines.count
        // The frame shows on any free made through memblock_free(); only lines outside the
        // per-CPU trace `check` compares (up to the `percpu:` summary) are read: before it (the
        // distance table a failed NUMA init frees), or after it (pcpu_free_alloc_info's frees).
        let percpuEnd = lines[percpuStart...].firstIndex { $0.hasPrefix("percpu: ") } ?? lines.count
        func showsFrame(_ line: String) -> Bool { line.hasPrefix("memblock_phys_free: ") && line.contains("] memblock_free+") }
        if let i = lines[..<percpuStart].firstIndex(where: showsFrame) ?? lines[percpuEnd...].firstIndex(where: showsFrame) {
            memblockFreeFrame = .read(true, i, lines)
        }
        if architecture?.value == .arm64 {
            let end = percpuStart
            if let i = lines[..<end].firstIndex(where: { line in
                guard line.hasPrefix("memblock_alloc"), let rest = after(line, " from=0x"),
                      let from = UInt64(rest.prefix { $0.isHexDigit }, radix: 16) else { return false }
                return from >= 1 << 63
            }) { vaBits52On48 = .read(true, i, lines) }
        }
        readSRATLines()
        readCPUCounts()
        if processors.isEmpty { readBringUp() }
    }

    /// v6.12 prints the SRAT's processor lines only with dynamic debug; the CPUs' nodes
    /// then show at bring-up (`announce_cpu`: `.... node  #1, CPUs:   #3 #4 #5`). Each CPU
    /// is taken to have APIC id = CPU number and proximity domain = node (QEMU's numbering);
    /// the boot CPU, never announced, is taken to be on the first node announced.
    ///
    /// `announce_cpu` prints each CPU with pr_cont: when another message comes between two
    /// CPUs (each new CPU's `calibrate_delay_direct() failed …` under TCG), the rest of the node
    /// continues on lines of their own (`[    1.101388]  #2`), up to the next `.... node` or
    /// `smp: Brought up`; those count for the node of the last `.... node` line.
    private mutating func readBringUp() {
        var found: [(cpu: Int, node: Int, line: Int)] = []
        var currentNode: Int?
        for (i, line) in lines.enumerated() {
            if line.hasPrefix(".... node ") {
                // `.... node  #1, CPUs:   #3 #4` (announce_cpu); anything else shaped like it is skipped
                // (found fuzzing: a comma before the '#' made an inverted range, a '-' a negative node).
                guard let hash = line.firstIndex(of: "#"), let comma = line[hash...].firstIndex(of: ","),
                      let node = UInt32(line[line.index(after: hash)..<comma]).map(Int.init) else { currentNode = nil; continue }
                currentNode = node
                for word in line[comma...].split(separator: " ") where word.hasPrefix("#") {
                    if let cpu = UInt32(word.dropFirst()).map(Int.init) { found.append((cpu, node, i)) }
                }
            } else if let node = currentNode {
                if line.hasPrefix("smp: Brought up") { currentNode = nil; continue }
                let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
                guard !words.isEmpty, words.allSatisfy({ $0.hasPrefix("#") && UInt32($0.dropFirst()) != nil }) else { continue }
                for word in words { if let cpu = UInt32(word.dropFirst()).map(Int.init) { found.append((cpu, node, i)) } }
            }
        }
        guard let first = found.first else { return }
        let why = "from the bring-up lines: APIC id = CPU number, domain = node (QEMU); "
        processors.append(.assumed(SRATProcessor(hardwareID: 0, proximityDomain: UInt32(first.node)),
                                   why + "the boot CPU on the first node announced, \"\(lines[first.line])\""))
        for entry in found.sorted(by: { $0.cpu < $1.cpu }) {
            processors.append(.assumed(SRATProcessor(hardwareID: UInt64(entry.cpu), proximityDomain: UInt32(entry.node)),
                                       why + "\"\(lines[entry.line])\" (line \(entry.line + 1))"))
        }
    }

    private mutating func readSRATLines() {
        for (i, line) in lines.enumerated() {
            var scanner = Substring(line)
            if scanner.hasPrefix("ACPI: NUMA: ") { scanner = scanner.dropFirst("ACPI: NUMA: ".count) }
            if scanner.hasPrefix("SRAT: PXM "), let cpu = Self.processorLine(scanner.dropFirst("SRAT: PXM ".count)) {
                processors.append(.read(cpu, i, lines))
            }
            if line.hasPrefix("ACPI: SRAT: Node "), let mem = Self.memoryLine(Substring(line)) {
                memory.append(.read(mem, i, lines))
            }
        }
    }

    /// `0 -> APIC 0x00 -> Node 0` / `0 -> MPIDR 0x1 -> Node -1`.
    static func processorLine(_ rest: Substring) -> SRATProcessor? {
        let words = rest.split(separator: " ")
        guard words.count >= 7, let pxm = UInt32(words[0]), words[1] == "->", words[2] == "APIC" || words[2] == "MPIDR",
              words[3].hasPrefix("0x"), let id = UInt64(words[3].dropFirst(2), radix: 16) else { return nil }
        if words.count > 7 { return nil }        // "... skipped apicid that is too big"
        return SRATProcessor(hardwareID: id, proximityDomain: pxm, kind: words[2] == "APIC" ? (id > 0xfe ? .x2APIC : .localAPIC) : .gicc)
    }

    /// `ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff] hotplug non-volatile`.
    static func memoryLine(_ line: Substring) -> SRATMemory? {
        // The `]` searched after the `[` (fuzzing found `... PXM 0 ]mem 0x0-0x1[`: an inverted range).
        guard let open = line.firstIndex(of: "["), let close = line[open...].firstIndex(of: "]") else { return nil }
        let words = line[..<open].split(separator: " ")
        guard words.count >= 6, words[4] == "PXM", let pxm = UInt32(words[5]) else { return nil }
        let range = line[line.index(after: open)..<close]
        guard range.hasPrefix("mem 0x") else { return nil }
        let bounds = range.dropFirst(4).split(separator: "-")
        guard bounds.count == 2, let start = UInt64(bounds[0].dropFirst(2), radix: 16),
              let last = UInt64(bounds[1].dropFirst(2), radix: 16), last >= start, last < UInt64.max else { return nil }
        let flags = line[line.index(after: close)...]
        return SRATMemory(base: start, length: last - start + 1, proximityDomain: pxm,
                          hotpluggable: flags.contains("hotplug"), nonVolatile: flags.contains("non-volatile"))
    }

    private mutating func readCPUCounts() {
        for (i, line) in lines.enumerated()
        where (line.hasPrefix("smpboot: Allowing ") || line.hasPrefix("CPU topo: Allowing ")) && line.hasSuffix(" hotplug CPUs") {
            let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            // More CPUs than any NR_CPUS, or fewer hotplug than possible, is no kernel's line.
            guard numbers.count == 2, numbers.allSatisfy({ $0 <= 65536 }) else { continue }
            if line.hasPrefix("smpboot: Allowing "), line.hasSuffix(" hotplug CPUs"), numbers[1] <= numbers[0] {
                cpuCounts = .read((numbers[0] - numbers[1], numbers[1]), i, lines)    // possible, of which hotplug
                return
            }
            if line.hasPrefix("CPU topo: Allowing "), line.hasSuffix(" hotplug CPUs") {
                cpuCounts = .read((numbers[0], numbers[1]), i, lines)                 // present plus hotplug
                return
            }
        }
    }
}
