import KernelSupport

/// `pcpu-boot import LOG`: a platform file written from a real boot log, every value
/// followed by a comment quoting the log line it came from, assumptions marked
/// `assumed:`. Only machines whose log describes the firmware's NUMA can be imported:
/// x86 (SRAT lines, or none: no NUMA) and arm64 with ACPI; a device-tree boot prints
/// nothing of its tree, so it needs its DTB (`--dtb`), which the error says.
public enum PlatformImport {
    public struct Missing: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// `kernel`: the release that booted when the log lost its `Linux version` line (`--kernel`).
    public static func render(_ facts: BootLogFacts, logName: String, early: MemblockSetup?,
                              kernel given: KernelVersion? = nil) throws(Missing) -> String {
        guard let arch = facts.architecture else {
            throw Missing(description: "\(logName): cannot tell the architecture (no 'Booting Linux on physical CPU', 'x86/' or 'riscv:' lines)")
        }
        guard let staticSize = facts.staticSize else {
            throw Missing(description: "\(logName): no 'percpu: Embedded … sNNN' line with the static per-CPU size")
        }
        let acpi = arch.value == .x86_64 || facts.sratRevision != nil || !facts.memory.isEmpty
        guard acpi else {
            throw Missing(description: "\(logName): a device-tree boot: the log does not print the device tree's CPUs, memory "
                          + "and distances; import needs the machine's DTB (pcpu-boot check LOG --dtb board.dtb works from it)")
        }
        var y = YAMLLines()
        y.comment("Imported by pcpu-boot import from \(logName). Each value is followed by the log line it was read from;")
        y.comment("'assumed:' marks what the log does not show.")
        y.line("name: " + quoted(baseName(logName)))
        y.line("description: " + quoted("imported from \(baseName(logName))"))
        y.value("arch", arch.value.rawValue, arch)
        let kernel = facts.kernel ?? given.map { .assumed($0, "no 'Linux version' line: --kernel") }
            ?? .assumed(.default, "no 'Linux version' line: the default release")
        y.value("kernel", quoted(kernel.value.description), kernel)
        y.line("config:")
        let nr = facts.nrCPUs ?? .assumed(KernelConfig.defaults(for: arch.value).nrCpus, "the log does not print NR_CPUS: the architecture's default")
        y.value("  nr-cpus", "\(nr.value)", nr)
        y.value("  nodes-shift", "\(KernelConfig.defaults(for: arch.value).nodesShift)",
                LogFact<Int>.assumed(0, "MAX_NUMNODES is never printed: the architecture's default (Debian's build)"))
        if let paging = facts.paging { y.value("  paging", paging.value.rawValue, paging) }
        if let size = facts.nodeDataSize { y.value("  pg-data-size", "0x" + String(size.value, radix: 16), size) }
        if let frame = facts.memblockFreeFrame { y.value("  memblock-free-frame", "true", frame) }
        // __pa(PAGE_OFFSET) wrapped: VA_BITS=52 on a 48-bit CPU; with 4K pages only a kernel with LPA2 builds that.
        if let wrapped = facts.vaBits52On48 {
            if kernel.value.has(.arm64LPA2) {
                y.value("  va-bits", "52", wrapped)
            } else {
                y.comment("not written: va-bits 52 (4K pages) needs a kernel with LPA2, not \(kernel.value) (give --kernel): line \(wrapped.line ?? 0)", indent: 2)
            }
        }
        y.value("static-size", "\(staticSize.value)", staticSize)
        if let cmdline = facts.commandLine { y.value("cmdline", quoted(cmdline.value), cmdline) }
        y.line("firmware:")
        y.line("  acpi:")
        if let revision = facts.sratRevision { y.value("    srat-revision", "\(revision.value)", revision) }
        if let hypervisor = facts.hypervisor { y.value("    hypervisor", "true", hypervisor) }
        writeProcessors(facts, arch: arch.value, into: &y)
        y.line("    memory:" + (facts.memory.isEmpty ? " []" : ""))
        for mem in facts.memory {
            var flags = ""
            if mem.value.hotpluggable { flags += ", hotplug: true" }
            if mem.value.nonVolatile { flags += ", non-volatile: true" }
            y.value("      - { base: \(hex(mem.value.base)), size: \(hex(mem.value.length)), pxm: \(mem.value.proximityDomain)\(flags) }",
                    nil, mem, separator: false)
        }
        let domains = Set(facts.memory.map(\.value.proximityDomain) + facts.processors.map(\.value.proximityDomain))
        // MAX_PXM_DOMAINS (256): a SLIT beyond it would only describe domains without nodes.
        if let slit = facts.slitListed, !facts.memory.isEmpty, let top = domains.max(), top < 256 {
            let count = Int(top) + 1
            y.comment("assumed: the SLIT's distances are not printed, only that there is one (the line below);", indent: 4)
            y.comment("20 between domains: any distance above 10 puts CPUs in separate groups alike", indent: 4)
            y.value("    slit", "[" + (0..<count).map { i in "[" + (0..<count).map { $0 == i ? "10" : "20" }.joined(separator: ", ") + "]" }
                        .joined(separator: ", ") + "]", slit)
        }
        if let early, !early.memory.isEmpty {
            y.line("memblock:")
            y.comment("the RAM and reservations of the log's first 'MEMBLOCK configuration:' dump", indent: 2)
            y.line("  memory:")
            for r in early.memory { y.line("    - { base: \(hex(r.base)), size: \(hex(r.size)) }") }
            y.line("  reserved:")
            for r in early.reserved { y.line("    - { base: \(hex(r.base)), size: \(hex(r.size)) }") }
        }
        return y.text
    }

    /// The SRAT's processor lines; on x86, the first `present` of them stand for the MADT's
    /// enabled entries and the rest become `hotplug-cpus` (QEMU lists hot-pluggable CPUs
    /// after the present ones). Without SRAT processor lines, APIC ids 0 … present−1 on
    /// domain 0 are assumed.
    static func writeProcessors(_ facts: BootLogFacts, arch: Architecture, into y: inout YAMLLines) {
        var processors = facts.processors
        var hotplug = 0
        if arch == .x86_64, let counts = facts.cpuCounts {
            let present = counts.value.0
            if processors.isEmpty {
                processors = (0..<max(present, 1)).map { .assumed(SRATProcessor(hardwareID: UInt64($0), proximityDomain: 0),
                                                                  "no SRAT processor lines: APIC id \($0) on domain 0") }
            }
            hotplug = counts.value.1
            if processors.count > present {
                processors = Array(processors.prefix(present))
            }
            y.value("    hotplug-cpus", "\(hotplug)", counts)
        }
        y.line("    processors:" + (processors.isEmpty ? " []" : ""))
        for cpu in processors {
            y.value("      - { id: \(hex(cpu.value.hardwareID)), pxm: \(cpu.value.proximityDomain) }", nil, cpu, separator: false)
        }
    }

    static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func baseName(_ path: String) -> String {
        let parts = path.split(separator: "/")
        let file = parts.last.map(String.init) ?? path
        return file == "console.log" && parts.count >= 2 ? String(parts[parts.count - 2]) : file
    }
}

/// YAML text with trailing provenance comments.
struct YAMLLines {
    var text = ""

    mutating func line(_ s: String) { text += s + "\n" }

    mutating func comment(_ s: String, indent: Int = 0) { text += String(repeating: " ", count: indent) + "# " + s + "\n" }

    /// `key: value   # line N: "…"` (or `# assumed: …`); with `separator: false` the key is the whole entry.
    mutating func value<T>(_ key: String, _ value: String?, _ fact: LogFact<T>?, separator: Bool = true) {
        var s = value.map { separator ? "\(key): \($0)" : key + $0 } ?? key
        if let fact {
            let note = fact.line.map { "line \($0): \"\(fact.text ?? "")\"" } ?? "assumed: \(fact.assumption ?? "")"
            s += "    # " + note.replacingOccurrences(of: "\n", with: " ")
        }
        line(s)
    }
}
