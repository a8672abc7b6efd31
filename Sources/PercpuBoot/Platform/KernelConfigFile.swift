/// A kernel's own `.config` (`/boot/config-*`, `usr/lib/modules/*/config`) read for the
/// options `KernelConfig` models, so that a real boot can be checked with the exact
/// configuration that booted (`pcpu-boot check LOG --config FILE`).
///
/// Only `CONFIG_X=value` and `# CONFIG_X is not set` lines matter; an option the file does
/// not mention keeps the value `config` had. Hardware and build facts (`va-bits-actual`,
/// `memblock-free-frame`, `kernel-image-size`, `pg-data-size`) are not in a `.config`.
public enum KernelConfigFile {
    /// The options read, as `.config` spells them.
    static var booleans: [(option: String, path: WritableKeyPath<KernelConfig, Bool>)] { [
        ("SMP", \.smp), ("NUMA", \.numa), ("MODULES", \.modules),
        ("NEED_PER_CPU_EMBED_FIRST_CHUNK", \.needPerCpuEmbedFirstChunk),
        ("NEED_PER_CPU_PAGE_FIRST_CHUNK", \.needPerCpuPageFirstChunk),
        ("RANDOM_KMALLOC_CACHES", \.randomKmallocCaches), ("MEM_ALLOC_PROFILING", \.memAllocProfiling),
        ("LOCKDEP", \.lockdep), ("ACPI_NUMA", \.acpiNuma), ("KMSAN", \.kmsan),
    ] }

    /// `config` with the file's values applied. Throws for a value no kernel could have
    /// (an NR_CPUS of 0, an arm64 VA_BITS that is not a choice), naming file and line.
    public static func apply(_ text: String, fileName: String, to config: KernelConfig,
                             arch: Architecture) throws(InputError) -> KernelConfig {
        var values: [String: (value: String, line: Int)] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(raw)
            if line.last == "\r" { line = line.dropLast() }
            if line.hasPrefix("# CONFIG_"), line.hasSuffix(" is not set") {
                let name = line.dropFirst("# CONFIG_".count).dropLast(" is not set".count)
                values[String(name)] = ("n", index + 1)
            } else if line.hasPrefix("CONFIG_"), let eq = line.firstIndex(of: "=") {
                let name = line[line.index(line.startIndex, offsetBy: "CONFIG_".count)..<eq]
                values[String(name)] = (String(line[line.index(after: eq)...]), index + 1)
            }
        }
        func number(_ option: String, in range: ClosedRange<Int>) throws(InputError) -> Int? {
            guard let entry = values[option] else { return nil }
            guard let value = Int(entry.value), range.contains(value) else {
                throw InputError(file: fileName, line: entry.line, message: "CONFIG_\(option)=\(entry.value) is not usable",
                                 expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }

        var config = config
        for (option, path) in booleans {
            if let entry = values[option] { config[keyPath: path] = entry.value == "y" }
        }
        if let nrCpus = try number("NR_CPUS", in: 1...8192) { config.nrCpus = nrCpus }
        if !config.smp { config.nrCpus = 1 }
        if let shift = try number("NODES_SHIFT", in: 0...10) { config.nodesShift = shift }
        if !config.numa { config.nodesShift = 0 }
        if values["MMU"]?.value == "n" { config.mmu = false }
        guard arch == .arm64 else { return config }
        for (option, size) in [("ARM64_4K_PAGES", 4096), ("ARM64_16K_PAGES", 16384), ("ARM64_64K_PAGES", 65536)]
        where values[option]?.value == "y" {
            config.pageSize = UInt64(size)
        }
        if let bits = try number("ARM64_VA_BITS", in: 36...52) {
            guard [36, 39, 42, 47, 48, 52].contains(bits) else {
                throw InputError(file: fileName, line: values["ARM64_VA_BITS"]?.line,
                                 message: "CONFIG_ARM64_VA_BITS=\(bits) is not an arm64 choice",
                                 expected: "36, 39, 42, 47, 48 or 52")
            }
            config.vaBits = bits
        }
        return config
    }
}
