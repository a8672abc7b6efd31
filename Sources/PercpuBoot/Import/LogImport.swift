/// `pcpu-boot import LOG`: a platform file written from a real boot log.
///
/// Every value is commented with the log line it came from (`# log:123: …`);
/// values the log does not tell are marked `# ASSUMED:` with the reason. The
/// firmware's NUMA description must be in the log: x86 and arm64 ACPI boots print
/// their SRAT's memory affinities and (x86 before 6.12, arm64) CPU affinities;
/// a device-tree boot prints no device tree, so it needs `--dtb`.
public enum LogImport {
    /// What the log lacks for a platform file, said as the user can act on it.
    public struct Missing: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The platform file's text. `logPath` is written as `memblock: from-log:` when the log
    /// holds a MEMBLOCK dump (an absolute path, so the file works from anywhere).
    public static func platformYAML(_ facts: BootLogFacts, logPath: String, name: String) throws(Missing) -> String {
        guard let arch = facts.architecture else {
            throw Missing(description: "cannot tell the architecture from the log (no 'Booting Linux on physical CPU', "
                          + "'BIOS-provided physical RAM map' or riscv lines)")
        }
        guard arch != .riscv64 else {
            throw Missing(description: "a riscv64 boot: the log does not print the device tree; give the machine's DTB with --dtb")
        }
        let noSRAT = facts.memory.isEmpty && arch == .x86_64 && facts.noNUMAConfiguration != nil && facts.allowedCPUs != nil
        if !noSRAT {
            guard !facts.memory.isEmpty else {
                throw Missing(description: "the log has no 'ACPI: SRAT: Node N PXM P [mem …]' lines, so it does not describe "
                              + "the machine's NUMA layout (a device-tree boot prints no device tree): give --dtb FILE or --acpi-tables DIR")
            }
            guard !facts.processors.isEmpty || (facts.allowedCPUs != nil && !facts.smpBootNodes.isEmpty) else {
                throw Missing(description: "the log lists the SRAT's memory but not its CPU affinities ('SRAT: PXM n -> APIC …' "
                              + "is pr_debug since 6.12): give the machine's tables with --acpi-tables DIR, or a platform file")
            }
        }
        guard let staticSize = facts.staticSize else {
            throw Missing(description: "the log has no 'percpu: Embedded …' or '… pages/cpu …' line with the static size")
        }
        var out = Writer()
        out.comment("\(name): imported by pcpu-boot from \(logPath)")
        out.comment("Each value names the log line it was read from; ASSUMED marks what the log does not tell.")
        out.line("name: \(yamlString(name))")
        out.line("description: \(yamlString("imported from a real boot log"))")
        out.line("arch: \(arch.rawValue)")
        if let version = facts.linuxVersion {
            out.line("kernel: \(yamlString(version.value))", evidence: version)
        } else {
            out.line("kernel: \(yamlString(KernelVersion.default.description))",
                     assumed: "the log lost its 'Linux version' line")
        }
        out.line("static-size: \(staticSize.value)", evidence: staticSize)
        if let cmdline = facts.commandLine { out.line("cmdline: \(yamlString(cmdline.value))", evidence: cmdline) }
        config(arch, facts, into: &out)
        firmware(facts, into: &out)
        out.line("memblock:")
        guard facts.hasMemblockDump || !facts.e820Usable.isEmpty else {
            throw Missing(description: "the log has neither a MEMBLOCK configuration dump (boot with memblock=debug) "
                          + "nor a BIOS-e820 map, so the RAM is unknown")
        }
        if !facts.e820Usable.isEmpty {
            out.line("  memory:", note: "the BIOS-e820 usable RAM, for NUMA init")
            for range in facts.e820Usable {
                out.line("    - { base: \(hex(range.value.base)), size: \(hex(range.value.size)), name: \"e820 usable\" }",
                         evidence: range)
            }
        }
        if facts.hasMemblockDump {
            out.line("  from-log: \(yamlString(logPath))", note: "from NUMA init on, the log's MEMBLOCK configuration dump (memblock=debug)")
        }
        return out.text
    }

    private static func config(_ arch: Architecture, _ facts: BootLogFacts, into out: inout Writer) {
        let defaults = KernelConfig.defaults(for: arch)
        out.line("config:")
        if let nr = facts.nrCPUs {
            out.line("  nr-cpus: \(nr.value)", evidence: nr)
        } else {
            out.line("  nr-cpus: \(defaults.nrCpus)", assumed: "the architecture's default; the log names no NR_CPUS")
        }
        out.line("  nodes-shift: \(defaults.nodesShift)", assumed: "the architecture's default; no log line tells NODES_SHIFT")
        if arch == .x86_64 {
            // MAX_PHYSMEM_BITS 52 with 5-level paging, 46 with 4-level: max_arch_pfn = 1 << (bits − 12).
            if let pfn = facts.maxArchPFN, pfn.value == 1 << 40 || pfn.value == 1 << 34 {
                out.line("  paging: \(pfn.value == 1 << 40 ? "5-level" : "4-level")", evidence: pfn)
            } else {
                out.line("  paging: 4-level", assumed: "no 'max_arch_pfn' line tells the paging mode")
            }
        } else {
            out.line("  page-size: 4K", assumed: "4K pages (Debian's arm64 build); the log does not print PAGE_SIZE")
            out.line("  va-bits: \(defaults.vaBits ?? 48)", assumed: "the default VA_BITS; the log does not print it")
        }
    }

    private static func firmware(_ facts: BootLogFacts, into out: inout Writer) {
        out.line("firmware:")
        out.line("  acpi:")
        if let revision = facts.sratRevision { out.line("    srat-revision: \(revision.value)", evidence: revision) }
        if facts.processors.isEmpty, let allowed = facts.allowedCPUs, let none = facts.noNUMAConfiguration {
            // x86 without an SRAT: the MADT's local APICs are not printed; smpboot says how many.
            let hotplug = facts.hotplugCPUs?.value ?? 0
            let present = max(allowed.value - hotplug, 1)
            out.line("    processors:", note: "no SRAT (log:\(none.line): \(none.text)); ASSUMED: APIC ids 0…\(present - 1) "
                     + "in MADT order, \(present) present of the \(allowed.value) CPUs smpboot allows (log:\(allowed.line))")
            for id in 0..<present { out.line("      - { id: \(id), pxm: 0 }") }
            if hotplug > 0 { out.line("    hotplug-cpus: \(hotplug)", evidence: facts.hotplugCPUs!) }
            out.line("    memory: []")
            return
        }
        if facts.processors.isEmpty, let allowed = facts.allowedCPUs, let first = facts.smpBootNodes.first {
            // 6.12+ prints the SRAT's CPU affinities only at pr_debug; the secondary CPUs'
            // bring-up lines name their nodes, and the SRAT memory lines map nodes to domains.
            var pxmOfNode: [Int: UInt32] = [:]
            for m in facts.memory {
                if let text = m.text.removingPrefix("ACPI: SRAT: Node "), let node = Int(text.prefix { $0.isNumber }) {
                    pxmOfNode[node] = pxmOfNode[node] ?? m.value.pxm
                }
            }
            let hotplug = facts.hotplugCPUs?.value ?? 0
            let present = max(allowed.value - hotplug, 1)
            out.line("    processors:", note: "the SRAT's CPU lines are pr_debug; ASSUMED: APIC ids 0…\(present - 1) in CPU order, "
                     + "CPU 0 on node \(first.value.node) (the first node smpboot brings up)")
            for cpu in 0..<present {
                let bringUp = facts.smpBootNodes.first { $0.value.cpus.contains(cpu) }
                let node = bringUp?.value.node ?? first.value.node
                let pxm = pxmOfNode[node] ?? UInt32(clamping: node)
                if let bringUp {
                    out.line("      - { id: \(cpu), pxm: \(pxm) }", evidence: bringUp)
                } else {
                    out.line("      - { id: \(cpu), pxm: \(pxm) }", note: "ASSUMED: the boot CPU")
                }
            }
            if hotplug > 0 { out.line("    hotplug-cpus: \(hotplug)", evidence: facts.hotplugCPUs!) }
            out.line("    memory:")
            for m in facts.memory {
                out.line("      - { base: \(hex(m.value.base)), size: \(hex(m.value.size)), pxm: \(m.value.pxm)"
                         + (m.value.hotpluggable ? ", hotplug: true" : "") + (m.value.nonVolatile ? ", non-volatile: true" : "") + " }",
                         evidence: m)
            }
            slit(facts, into: &out)
            return
        }
        out.line("    processors:")
        for p in facts.processors {
            out.line("      - { id: \(hex(p.value.hardwareID)), pxm: \(p.value.pxm) }", evidence: p)
        }
        if let hotplug = facts.hotplugCPUs, hotplug.value > 0 {
            out.line("    hotplug-cpus: \(hotplug.value)", evidence: hotplug)
        }
        out.line("    memory:")
        for m in facts.memory {
            var entry = "base: \(hex(m.value.base)), size: \(hex(m.value.size)), pxm: \(m.value.pxm)"
            if m.value.hotpluggable { entry += ", hotplug: true" }
            if m.value.nonVolatile { entry += ", non-volatile: true" }
            out.line("      - { \(entry) }", evidence: m)
        }
        slit(facts, into: &out)
    }

    private static func slit(_ facts: BootLogFacts, into out: inout Writer) {
        if let slit = facts.slitTable {
            let domains = Array(Set(facts.memory.map(\.value.pxm) + facts.processors.map(\.value.pxm))).sorted()
            if let last = domains.last, last < 64 {
                out.line("    slit:", note: "a SLIT is present (log:\(slit.line)); ASSUMED: its values are not printed, "
                         + "20 between domains (only local vs remote groups CPUs)")
                let size = Int(last) + 1
                for i in 0..<size {
                    let row = (0..<size).map { $0 == i ? "10" : "20" }.joined(separator: ", ")
                    out.line("      - [\(row)]")
                }
            }
        }
    }

    private static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

    /// A YAML double-quoted string.
    static func yamlString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Lines with their trailing evidence comments.
    struct Writer {
        var text = ""

        mutating func comment(_ text: String) { self.text += "# \(text)\n" }

        mutating func line(_ yaml: String) { text += yaml + "\n" }

        mutating func line<V>(_ yaml: String, evidence: BootLogFacts.Evidence<V>) {
            line(yaml, note: "log:\(evidence.line): \(Self.cut(evidence.text))")
        }

        mutating func line(_ yaml: String, assumed reason: String) { line(yaml, note: "ASSUMED: \(reason)") }

        mutating func line(_ yaml: String, note: String) { text += yaml + "  # " + note + "\n" }

        /// Log lines are quoted whole up to 120 characters.
        static func cut(_ text: String) -> String {
            let clean = String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.map(Character.init))
            return clean.count > 120 ? String(clean.prefix(117)) + "..." : clean
        }
    }
}
