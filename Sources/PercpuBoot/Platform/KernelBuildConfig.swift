import KernelBuild

/// The kernel build's own configuration (`--config FILE`: `.config`, `/boot/config-*`,
/// `/proc/config.gz`) turned into the `KernelConfig` the emulator uses, with a record of
/// where each value came from.
public enum KernelBuildConfig {
    /// One value: the setting, what it became, and the line or reason behind it.
    public struct Choice: Equatable, Sendable {
        public var setting: String
        public var value: String
        /// `CONFIG_NR_CPUS=256 (line 412)`, or why it was defaulted.
        public var origin: String
        /// Whether the configuration decided it (false: the architecture's default was kept).
        public var fromFile: Bool
    }

    /// The architecture the configuration was made for (`CONFIG_ARM64`, `CONFIG_X86_64`,
    /// `CONFIG_RISCV` with `CONFIG_64BIT`).
    public static func architecture(_ file: KernelConfigFile) -> Architecture? {
        if file["ARM64"] == .yes { return .arm64 }
        if file["X86_64"] == .yes { return .x86_64 }
        if file["RISCV"] == .yes && file["64BIT"] == .yes { return .riscv64 }
        return nil
    }

    /// The release of the header's `# Linux/arm64 6.1.192 Kernel Configuration`; nil when the
    /// header names none, or a release outside 3.10 … 7.2.
    public static func kernelVersion(_ file: KernelConfigFile) -> KernelVersion? {
        guard let version = file.headerVersion else { return nil }
        return try? KernelVersion.parse(version)
    }

    /// Every `KernelConfig` value from the file. A boolean option the file does not list
    /// is off (kconfig writes every visible option, as `=y` or `is not set`; one absent
    /// does not exist in that kernel). Values no kernel can be built with are errors
    /// naming the line.
    public static func kernelConfig(_ file: KernelConfigFile, arch: Architecture,
                                    defaults: KernelConfig) throws(InputError) -> (KernelConfig, [Choice]) {
        var config = defaults
        var choices: [Choice] = []
        func line(_ name: String) -> String { file.values[name].map { " (line \($0.line))" } ?? "" }
        func flag(_ name: String, _ path: WritableKeyPath<KernelConfig, Bool>, _ setting: String) {
            let on = file.isEnabled(name)
            config[keyPath: path] = on
            let origin = switch file[name] {
            case .yes: "CONFIG_\(name)=y\(line(name))"
            case .module: "CONFIG_\(name)=m\(line(name))"
            case nil: "CONFIG_\(name) absent: not an option of this kernel, off"
            default: "CONFIG_\(name) is not set\(line(name))"
            }
            choices.append(Choice(setting: setting, value: on ? "y" : "n", origin: origin, fromFile: true))
        }
        func number(_ name: String, in range: ClosedRange<Int64>) throws(InputError) -> Int? {
            guard let entry = file.values[name] else { return nil }
            guard case .number(let v) = entry.value, range.contains(v) else {
                throw InputError(file: file.fileName, line: entry.line,
                                 message: "CONFIG_\(name) is \(entry.value)", expected: "a number from \(range.lowerBound) to \(range.upperBound)")
            }
            return Int(v)
        }
        func kept(_ setting: String, _ value: String, _ why: String) {
            choices.append(Choice(setting: setting, value: value, origin: why, fromFile: false))
        }

        flag("SMP", \.smp, "smp")
        flag("MMU", \.mmu, "mmu")
        flag("NUMA", \.numa, "numa")
        flag("NEED_PER_CPU_EMBED_FIRST_CHUNK", \.needPerCpuEmbedFirstChunk, "embed-first-chunk")
        flag("NEED_PER_CPU_PAGE_FIRST_CHUNK", \.needPerCpuPageFirstChunk, "page-first-chunk")
        flag("MODULES", \.modules, "modules")
        flag("RANDOM_KMALLOC_CACHES", \.randomKmallocCaches, "random-kmalloc-caches")
        flag("MEM_ALLOC_PROFILING", \.memAllocProfiling, "mem-alloc-profiling")
        flag("LOCKDEP", \.lockdep, "lockdep")
        flag("ACPI_NUMA", \.acpiNuma, "acpi-numa")
        flag("KMSAN", \.kmsan, "kmsan")
        flag("NUMA_EMU", \.numaEmu, "numa-emu")

        if !config.smp {
            config.nrCpus = 1
            kept("nr-cpus", "1", "a UP kernel (CONFIG_SMP off) has NR_CPUS 1")
        } else if let n = try number("NR_CPUS", in: 1...Int64(ConfigSection.maximumNrCpus)) {
            config.nrCpus = n
            choices.append(Choice(setting: "nr-cpus", value: "\(n)", origin: "CONFIG_NR_CPUS=\(n)\(line("NR_CPUS"))", fromFile: true))
        } else {
            kept("nr-cpus", "\(config.nrCpus)", "CONFIG_NR_CPUS absent: the architecture's default")
        }
        if !config.numa {
            config.nodesShift = 0
            kept("nodes-shift", "0", "no NUMA: NODES_SHIFT 0")
        } else if let n = try number("NODES_SHIFT", in: Int64(ConfigSection.nodesShiftRange.lowerBound)...Int64(ConfigSection.nodesShiftRange.upperBound)) {
            config.nodesShift = n
            choices.append(Choice(setting: "nodes-shift", value: "\(n)", origin: "CONFIG_NODES_SHIFT=\(n)\(line("NODES_SHIFT"))", fromFile: true))
        } else {
            kept("nodes-shift", "\(config.nodesShift)", "CONFIG_NODES_SHIFT absent: the architecture's default")
        }
        try pageAndLayout(file, arch: arch, config: &config, choices: &choices, line: line)
        return (config, choices)
    }

    /// Page size, arm64 VA bits, x86 paging.
    static func pageAndLayout(_ file: KernelConfigFile, arch: Architecture, config: inout KernelConfig,
                              choices: inout [Choice], line: (String) -> String) throws(InputError) {
        switch arch {
        case .arm64:
            let pages: [(String, UInt64)] = [("ARM64_4K_PAGES", 4096), ("ARM64_16K_PAGES", 16384), ("ARM64_64K_PAGES", 65536)]
            if let (name, size) = pages.first(where: { file[$0.0] == .yes }) {
                config.pageSize = size
                choices.append(Choice(setting: "page-size", value: ConfigSection.sizeText(size),
                                      origin: "CONFIG_\(name)=y\(line(name))", fromFile: true))
            } else {
                choices.append(Choice(setting: "page-size", value: ConfigSection.sizeText(config.pageSize),
                                      origin: "no CONFIG_ARM64_*K_PAGES=y: the default", fromFile: false))
            }
            if let entry = file.values["ARM64_VA_BITS"] {
                guard case .number(let bits) = entry.value, [36, 39, 42, 47, 48, 52].contains(bits) else {
                    throw InputError(file: file.fileName, line: entry.line, message: "CONFIG_ARM64_VA_BITS is \(entry.value)",
                                     expected: "36, 39, 42, 47, 48 or 52")
                }
                config.vaBits = Int(bits)
                choices.append(Choice(setting: "va-bits", value: "\(bits)", origin: "CONFIG_ARM64_VA_BITS=\(bits)\(line("ARM64_VA_BITS"))", fromFile: true))
            } else {
                choices.append(Choice(setting: "va-bits", value: "\(config.vaBits ?? 48)", origin: "CONFIG_ARM64_VA_BITS absent: the default", fromFile: false))
            }
        case .x86_64:
            config.pageSize = 4096
            choices.append(Choice(setting: "page-size", value: "4K", origin: "x86_64 has only 4K pages", fromFile: false))
            // CONFIG_X86_5LEVEL=y runs 5-level paging when the CPU has LA57 (QEMU's -cpu max does),
            // 4-level otherwise: the configuration says what the kernel can do, not what the CPU offers.
            // Kernels without the option at all (it went when 5-level support became unconditional,
            // as in 6.18's config) say it with CONFIG_PGTABLE_LEVELS=5.
            let built = file["X86_5LEVEL"] == .yes
            let always = file["X86_5LEVEL"] == nil && file["PGTABLE_LEVELS"] == .number(5)
            config.pagingMode = built || always ? .level5 : .level4
            choices.append(Choice(setting: "paging", value: built || always ? "5-level" : "4-level",
                                  origin: built ? "CONFIG_X86_5LEVEL=y\(line("X86_5LEVEL")), assuming a CPU with LA57"
                                      : always ? "no CONFIG_X86_5LEVEL, CONFIG_PGTABLE_LEVELS=5\(line("PGTABLE_LEVELS")): 5-level built in, assuming a CPU with LA57"
                                      : "CONFIG_X86_5LEVEL off", fromFile: true))
        case .riscv64:
            config.pageSize = 4096
            choices.append(Choice(setting: "page-size", value: "4K", origin: "riscv64 has only 4K pages", fromFile: false))
            choices.append(Choice(setting: "paging", value: config.pagingMode?.rawValue ?? "sv57",
                                  origin: "the CPU decides (Sv57, else Sv48, else Sv39): the default", fromFile: false))
        }
    }
}
