/// What a real boot log says about the machine and kernel that booted, each fact
/// with the log line it was read from (1-based line number and text), so that an
/// imported platform file can quote its evidence.
///
/// The lines read are the kernel's own: `Linux version`, `Command line:` /
/// `Kernel command line:`, `setup_percpu: NR_CPUS:` (x86), `rcu: RCU restricting CPUs
/// from NR_CPUS=` (any arch, when nr_cpu_ids < NR_CPUS), the SRAT lines of
/// drivers/acpi/numa/srat.c (`ACPI: SRAT: Node %u PXM %u [mem %#010Lx-%#010Lx]%s%s`),
/// x86's `SRAT: PXM %u -> APIC 0x%02x -> Node %u` (arch/x86/mm/srat.c, KERN_INFO
/// until 6.12 made it pr_debug), arm64's `ACPI: NUMA: SRAT: PXM %u -> MPIDR 0x%llx ->
/// Node %d` (arch/arm64/kernel/acpi_numa.c), the `ACPI: SLIT` table header, x86's
/// `smpboot: Allowing %d CPUs, %d hotplug CPUs` and `BIOS-e820:` map, x86's
/// `last_pfn = %#lx max_arch_pfn = %#lx` (which tells 4- from 5-level paging), and the
/// `percpu:` summary line's static size.
public struct BootLogFacts: Sendable {
    /// A value and the line it came from.
    public struct Evidence<Value: Sendable>: Sendable {
        public var value: Value
        public var line: Int
        public var text: String
    }

    public struct Processor: Sendable, Equatable {
        public var hardwareID: UInt64
        public var pxm: UInt32
    }

    public struct MemoryAffinity: Sendable, Equatable {
        public var base: UInt64
        public var size: UInt64
        public var pxm: UInt32
        public var hotpluggable: Bool
        public var nonVolatile: Bool
    }

    public var architecture: Architecture?
    public var linuxVersion: Evidence<String>?
    public var commandLine: Evidence<String>?
    public var staticSize: Evidence<UInt64>?
    public var nrCPUs: Evidence<Int>?
    public var processors: [Evidence<Processor>] = []
    public var memory: [Evidence<MemoryAffinity>] = []
    public var slitTable: Evidence<Bool>?
    /// The SRAT header's revision (`ACPI: SRAT 0x… 000130 (v01 BOCHS …`): ≤ 1 means 8-bit domains.
    public var sratRevision: Evidence<Int>?
    public var hotplugCPUs: Evidence<Int>?
    public var allowedCPUs: Evidence<Int>?
    public var e820Usable: [Evidence<PhysRange>] = []
    public var maxArchPFN: Evidence<UInt64>?
    /// x86's `.... node  #1, CPUs:   #3 #4 #5` lines after `x86: Booting SMP configuration:`
    /// (arch/x86/kernel/smpboot.c announce_cpu): the node of each secondary CPU.
    public var smpBootNodes: [Evidence<(node: Int, cpus: [Int])>] = []
    /// `No NUMA configuration found` (x86 numa_init falling back to dummy_numa_init).
    public var noNUMAConfiguration: Evidence<Bool>?
    /// The log holds a `MEMBLOCK configuration:` dump (memblock=debug), so memblock can start from it.
    public var hasMemblockDump = false

    /// Reads `text`; line numbers count `\n` as an editor does (a serial capture's stray
    /// carriage returns and escape sequences stay inside their line).
    public init(text: String) {
        architecture = RealBootLog(text: text).architecture
        var number = 0
        // Split on the byte, not on Characters: "\r\n" is one Character, and a serial
        // capture's escape sequences must not join lines.
        for raw in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            read(RealBootLog.stripTimestamp(String(decoding: raw, as: UTF8.self)), number: number)
        }
    }

    private mutating func read(_ line: String, number: Int) {
        func evidence<V>(_ value: V) -> Evidence<V> { Evidence(value: value, line: number, text: line) }
        if linuxVersion == nil, line.hasPrefix("Linux version "),
           let version = line.dropFirst("Linux version ".count).split(separator: " ").first {
            linuxVersion = evidence(String(version))
        } else if commandLine == nil, let rest = line.removingPrefix("Command line: ") ?? line.removingPrefix("Kernel command line: ") {
            commandLine = evidence(rest.trimmingTrailingSpaces())
        } else if let rest = line.removingPrefix("setup_percpu: NR_CPUS:"), let n = Int(rest.prefix { $0.isNumber }) {
            nrCPUs = evidence(n)
        } else if nrCPUs == nil, let range = line.range(of: "RCU restricting CPUs from NR_CPUS="),
                  let n = Int(line[range.upperBound...].prefix { $0.isNumber }) {
            nrCPUs = evidence(n)
        } else if staticSize == nil, line.hasPrefix("percpu: ") || line.hasPrefix("PERCPU: "),
                  line.contains(" pages/cpu"), let range = line.range(of: " s"),
                  let size = UInt64(line[range.upperBound...].prefix { $0.isNumber }) {
            staticSize = evidence(size)
        } else if let processor = Self.processorAffinity(line) {
            processors.append(evidence(processor))
        } else if let memory = Self.memoryAffinity(line) {
            self.memory.append(evidence(memory))
        } else if line.hasPrefix("ACPI: SRAT 0x"), let range = line.range(of: " (v"),
                  let revision = Int(line[range.upperBound...].prefix { $0.isNumber }) {
            sratRevision = evidence(revision)
        } else if line.hasPrefix("ACPI: SLIT 0x") {
            slitTable = evidence(true)
        } else if let rest = line.removingPrefix(".... node "), let parsed = Self.smpBootNode(rest) {
            smpBootNodes.append(evidence(parsed))
        } else if let rest = line.removingPrefix("CPU topo: Allowing "), let parsed = Self.topoAllowing(rest) {
            allowedCPUs = evidence(parsed.0 + parsed.1)
            hotplugCPUs = evidence(parsed.1)
        } else if let rest = line.removingPrefix("smpboot: Allowing "), let parsed = Self.allowing(rest) {
            allowedCPUs = evidence(parsed.0)
            hotplugCPUs = evidence(parsed.1)
        } else if let range = Self.e820Usable(line) {
            e820Usable.append(evidence(range))
        } else if let range = line.range(of: "max_arch_pfn = 0x"),
                  let pfn = UInt64(line[range.upperBound...].prefix { $0.isHexDigit }, radix: 16) {
            maxArchPFN = evidence(pfn)
        } else if line == "No NUMA configuration found" || line == "NUMA: No NUMA configuration found" {
            noNUMAConfiguration = evidence(true)
        } else if line.hasPrefix("MEMBLOCK configuration:") {
            hasMemblockDump = true
        }
    }

    /// `SRAT: PXM 1 -> APIC 0x03 -> Node 1` (x86) or `ACPI: NUMA: SRAT: PXM 0 -> MPIDR 0x1 -> Node -1` (arm64).
    static func processorAffinity(_ line: String) -> Processor? {
        let body: Substring
        if let rest = line.removingPrefix("SRAT: PXM ") { body = rest } else if let rest = line.removingPrefix("ACPI: NUMA: SRAT: PXM ") {
            body = rest
        } else { return nil }
        let parts = body.split(separator: " ")
        // "<pxm> -> APIC|MPIDR 0x<id> -> Node <n>"
        guard parts.count >= 4, let pxm = UInt32(parts[0]), parts[1] == "->", parts[2] == "APIC" || parts[2] == "MPIDR",
              parts[3].hasPrefix("0x"), let id = UInt64(parts[3].dropFirst(2), radix: 16) else { return nil }
        return Processor(hardwareID: id, pxm: pxm)
    }

    /// `ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x3fffffff]` with optional ` hotplug` / ` non-volatile`.
    static func memoryAffinity(_ line: String) -> MemoryAffinity? {
        guard let rest = line.removingPrefix("ACPI: SRAT: Node "),
              let pxmRange = rest.range(of: " PXM "), let memRange = rest.range(of: " [mem "),
              pxmRange.upperBound <= memRange.lowerBound,
              let pxm = UInt32(rest[pxmRange.upperBound..<memRange.lowerBound]),
              let (start, size, flags) = memRangeText(rest[memRange.upperBound...]) else { return nil }
        return MemoryAffinity(base: start, size: size, pxm: pxm,
                              hotpluggable: flags.contains("hotplug"), nonVolatile: flags.contains("non-volatile"))
    }

    /// `0xSTART-0xLAST]rest` (the kernel's `[mem %#010Lx-%#010Lx]`): start, size and what follows.
    static func memRangeText(_ text: Substring) -> (UInt64, UInt64, Substring)? {
        guard text.hasPrefix("0x"), let dash = text.firstIndex(of: "-") else { return nil }
        let afterDash = text[text.index(after: dash)...]
        guard afterDash.hasPrefix("0x"), let close = afterDash.firstIndex(of: "]"),
              let start = UInt64(text[text.index(text.startIndex, offsetBy: 2)..<dash], radix: 16),
              let last = UInt64(afterDash.dropFirst(2)[..<close], radix: 16),
              last >= start, last < UInt64.max else { return nil }
        return (start, last - start + 1, afterDash[afterDash.index(after: close)...])
    }

    /// ` #1, CPUs:   #3 #4 #5` (after `.... node `).
    static func smpBootNode(_ rest: Substring) -> (node: Int, cpus: [Int])? {
        let words = rest.split(separator: " ")
        guard words.count >= 2, words[0].hasPrefix("#"), let node = Int(words[0].dropFirst().prefix { $0.isNumber }),
              words[1] == "CPUs:" else { return nil }
        let cpus = words.dropFirst(2).compactMap { $0.hasPrefix("#") ? Int($0.dropFirst()) : nil }
        return (node, cpus)
    }

    /// `6 present CPUs plus 0 hotplug CPUs` (6.9+ arch/x86/kernel/cpu/topology.c).
    static func topoAllowing(_ rest: Substring) -> (Int, Int)? {
        let words = rest.split(separator: " ")
        guard words.count >= 6, let present = Int(words[0]), words[1] == "present", let hotplug = Int(words[4]) else { return nil }
        return (present, hotplug)
    }

    /// `6 CPUs, 0 hotplug CPUs`.
    static func allowing(_ rest: Substring) -> (Int, Int)? {
        let words = rest.split(separator: " ")
        guard words.count >= 4, let cpus = Int(words[0]), let hotplug = Int(words[2]) else { return nil }
        return (cpus, hotplug)
    }

    /// `BIOS-e820: [mem 0x0000000000100000-0x000000007ffdffff] usable`.
    static func e820Usable(_ line: String) -> PhysRange? {
        guard let rest = line.removingPrefix("BIOS-e820: [mem "), let (start, size, tail) = memRangeText(rest),
              tail == " usable" else { return nil }
        return PhysRange(base: start, size: size, name: "e820 usable")
    }
}

extension String {
    /// The rest of the line after `prefix`, or nil.
    func removingPrefix(_ prefix: String) -> Substring? {
        hasPrefix(prefix) ? self[index(startIndex, offsetBy: prefix.count)...] : nil
    }
}

extension Substring {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
