/// The `config:` section: the `CONFIG_*` options that shape per-CPU setup.
///
/// Every key is optional; what is left out comes from
/// `KernelConfig.defaults(for: arch)`, adjusted for consistency (a UP build
/// has `NR_CPUS` 1, a build without NUMA has `NODES_SHIFT` 0). Values that no
/// kernel could be configured with (an 8K page, `va-bits: 39` with 64K pages,
/// Sv48 on x86_64) are errors: they describe no buildable kernel.
enum ConfigSection {
    static let keys = ["nr-cpus", "nodes-shift", "page-size", "va-bits", "paging", "smp", "mmu", "numa",
                       "embed-first-chunk", "page-first-chunk", "modules", "random-kmalloc-caches",
                       "mem-alloc-profiling", "lockdep", "acpi-numa", "kmsan", "numa-emu",
                       "va-bits-actual", "memblock-free-frame", "kernel-image-size", "pg-data-size"]

    /// The largest CONFIG_NR_CPUS any of the three architectures allows (x86_64 MAXSMP).
    static let maximumNrCpus = 8192
    /// CONFIG_NODES_SHIFT's range (arm64 and x86_64 Kconfig: up to 10).
    static let nodesShiftRange = 0...10

    /// The booleans, by key.
    private static var flags: [(key: String, path: WritableKeyPath<KernelConfig, Bool>)] { [
        ("smp", \.smp), ("mmu", \.mmu), ("numa", \.numa),
        ("embed-first-chunk", \.needPerCpuEmbedFirstChunk), ("page-first-chunk", \.needPerCpuPageFirstChunk),
        ("modules", \.modules), ("random-kmalloc-caches", \.randomKmallocCaches),
        ("mem-alloc-profiling", \.memAllocProfiling), ("lockdep", \.lockdep), ("acpi-numa", \.acpiNuma),
        ("kmsan", \.kmsan), ("numa-emu", \.numaEmu),
    ] }

    static func parse(_ field: Field?, arch: Architecture, kernel: KernelVersion) throws(InputError)
        -> KernelConfig {
        var config = KernelConfig.defaults(for: arch)
        let fields = try field?.mapping(keys: keys)
        for (key, path) in flags {
            if let value = fields?[key] { config[keyPath: path] = try value.bool() }
        }

        if let value = fields?["nr-cpus"] {
            let expected = config.smp ? "an integer from 1 to \(maximumNrCpus)" : "1, since smp is false"
            config.nrCpus = try value.int(in: 1...maximumNrCpus, expected: expected)
            if !config.smp, config.nrCpus != 1 {
                throw value.error("a UP kernel (smp: false) has NR_CPUS 1, not \(config.nrCpus)", expected: "1")
            }
        } else if !config.smp {
            config.nrCpus = 1
        }

        if let value = fields?["nodes-shift"] {
            config.nodesShift = try value.int(in: nodesShiftRange)
            if !config.numa, config.nodesShift != 0 {
                throw value.error("a kernel without NUMA (numa: false) has NODES_SHIFT 0, not \(config.nodesShift)",
                                  expected: "0")
            }
        } else if !config.numa {
            config.nodesShift = 0
        }

        if let value = fields?["page-size"] {
            config.pageSize = try pageSize(value, arch: arch)
        }
        if let value = fields?["va-bits"] {
            config.vaBits = try vaBits(value, arch: arch, pageSize: config.pageSize, kernel: kernel)
        }
        if let value = fields?["paging"] {
            config.pagingMode = try pagingMode(value, arch: arch)
        }
        if let value = fields?["va-bits-actual"] {
            config.vaBitsActual = try vaBitsActual(value, arch: arch, vaBits: config.vaBits)
        }
        if let value = fields?["memblock-free-frame"] { config.memblockFreeFrame = try value.bool() }
        if let value = fields?["pg-data-size"] {
            config.pgDataSize = try value.integer(in: 64...(1 << 24),
                                                  expected: "the NODE_DATA size in bytes (64 to 16M), e.g. 0x3740")
        }
        if let value = fields?["kernel-image-size"] {
            guard arch == .arm64 else {
                throw value.error("kernel-image-size applies only to arm64, whose image lives in the vmalloc space",
                                  expected: "no kernel-image-size on \(arch.rawValue)")
            }
            config.kernelImageSize = try value.integer(in: 1...(1 << 34), expected: "_end - _text in bytes, from 1 to 16G, e.g. 0x2500000")
        }
        return config
    }

    // MARK: - Page size, VA bits, paging

    static func pageSize(_ field: Field, arch: Architecture) throws(InputError) -> UInt64 {
        let allowed: [UInt64] = arch == .arm64 ? [4096, 16384, 65536] : [4096]
        let expected = arch == .arm64 ? "4K, 16K or 64K" : "4K (the only page size on \(arch.rawValue))"
        let value = try field.number(expected: expected)
        guard allowed.contains(value) else {
            throw field.error("page size \(sizeText(value)) is not available on \(arch.rawValue)", expected: expected)
        }
        return value
    }

    /// arm64's CONFIG_ARM64_VA_BITS choices and the page sizes each needs.
    static func vaBits(_ field: Field, arch: Architecture, pageSize: UInt64,
                       kernel: KernelVersion) throws(InputError) -> Int {
        guard arch == .arm64 else {
            throw field.error("va-bits applies only to arm64; \(arch.rawValue) chooses its layout with 'paging'",
                              expected: "no va-bits on \(arch.rawValue)", suggestion: "paging")
        }
        let expected = "36, 39, 42, 47, 48 or 52"
        let bits = try field.int(in: 0...Int(UInt16.max), expected: expected)
        let page = sizeText(pageSize)
        let needs: [UInt64]
        switch bits {
        case 36, 47: needs = [16384]
        case 39: needs = [4096]
        case 42: needs = [65536]
        case 48: needs = [4096, 16384, 65536]
        case 52: needs = kernel.has(.arm64LPA2) ? [4096, 16384, 65536] : [65536]
        default: throw field.error("\(bits) is not an arm64 VA_BITS choice", expected: expected)
        }
        guard needs.contains(pageSize) else {
            if bits == 52 {
                throw field.error("va-bits 52 with \(page) pages needs LPA2, which kernel \(kernel.description) lacks",
                                  expected: "64K pages, or a kernel with LPA2 (\(KernelChange.arm64LPA2.entry.since) or later)")
            }
            throw field.error("va-bits \(bits) needs \(listing(needs.map(sizeText))) pages, but page-size is \(page)",
                              expected: "for \(page) pages: \(validVABits(pageSize: pageSize, kernel: kernel))")
        }
        return bits
    }

    /// arm64 `vabits_actual`: only a VA_BITS=52 kernel has a choice (48 or 52, the CPU decides).
    static func vaBitsActual(_ field: Field, arch: Architecture, vaBits: Int?) throws(InputError) -> Int {
        guard arch == .arm64 else {
            throw field.error("va-bits-actual applies only to arm64", expected: "no va-bits-actual on \(arch.rawValue)")
        }
        let bits = try field.int(in: 0...Int(UInt16.max), expected: "48 or 52")
        let configured = vaBits ?? 48
        if configured == 52 {
            guard bits == 48 || bits == 52 else {
                throw field.error("a VA_BITS=52 kernel runs with 52 or, on a CPU without 52-bit VA, 48 bits",
                                  expected: "48 or 52")
            }
        } else if bits != configured {
            throw field.error("va-bits-actual differs from va-bits \(configured) only for a VA_BITS=52 kernel",
                              expected: "\(configured), or leave it out")
        }
        return bits
    }

    private static func validVABits(pageSize: UInt64, kernel: KernelVersion) -> String {
        let lpa2 = kernel.has(.arm64LPA2)
        let bits: [Int] = switch pageSize {
        case 4096: lpa2 ? [39, 48, 52] : [39, 48]
        case 16384: lpa2 ? [36, 47, 48, 52] : [36, 47, 48]
        default: [42, 48, 52]
        }
        return listing(bits.map(String.init))
    }

    static func pagingMode(_ field: Field, arch: Architecture) throws(InputError) -> PagingMode {
        let allowed: [PagingMode] = switch arch {
        case .riscv64: [.sv39, .sv48, .sv57]
        case .x86_64: [.level4, .level5]
        case .arm64: []
        }
        guard !allowed.isEmpty else {
            throw field.error("paging applies only to riscv64 and x86_64; arm64 chooses its layout with 'va-bits'",
                              expected: "no paging on arm64", suggestion: "va-bits")
        }
        let names = allowed.map(\.rawValue)
        let text = try field.string()
        if let mode = PagingMode(rawValue: text), allowed.contains(mode) { return mode }
        let message = PagingMode(rawValue: text) != nil
            ? "paging mode '\(text)' is not available on \(arch.rawValue)" : "unknown paging mode '\(text)'"
        throw field.error(message, expected: listing(names), suggestion: didYouMean(text, among: names))
    }

    /// `4K`, `64K`, or the byte count when it is not a whole number of KiB.
    static func sizeText(_ bytes: UInt64) -> String {
        bytes % 1024 == 0 && bytes > 0 ? "\(bytes / 1024)K" : "\(bytes)"
    }
}
