@_exported import KernelSupport

/// A platform: the described machine, everything the emulated boot needs.
///
/// One model serves every machine the tool knows: arm64, riscv64 and x86_64,
/// SMP or UP, MMU or nommu, device-tree or ACPI firmware, kernels 3.10
/// to 7.2. A platform comes from a YAML file (`PlatformLoader`), from
/// command-line flags plus a DTB, or from code; the boot pipeline
/// (`Boot.run`) never reads files itself.
public struct Platform: Equatable, Sendable, Codable {
    /// Short name (a bundled platform's file name without `.yaml`).
    public var name: String
    /// What machine this models and what it shows (the YAML's `description`).
    public var description: String
    public var arch: Architecture
    /// The kernel release (3.10 … 7.2); what differs between releases is in `KernelChange`.
    public var kernel: KernelVersion
    /// The platform named its kernel (false: `KernelVersion.default` was assumed).
    public var kernelIsExplicit: Bool = true
    /// The kernel configuration options that change per-CPU setup.
    public var config: KernelConfig
    /// `__per_cpu_end - __per_cpu_start` of the kernel image, in bytes.
    public var staticSize: UInt64
    /// The address of `__per_cpu_start` in the kernel image (`System.map`), which
    /// `__per_cpu_offset[cpu] = pcpu_base_addr - __per_cpu_start + unit offset`
    /// needs. nil = unknown; x86_64's per-CPU section is zero-based, so it is 0 there.
    public var perCPUStart: UInt64? = nil
    /// The kernel command line (only the options the emulator understands matter).
    public var cmdline: String
    /// How the firmware describes CPUs, memory and NUMA.
    public var firmware: Firmware
    /// Memblock at the time NUMA init runs: extra reserved ranges, or a real log to start from.
    public var memblock: MemblockSetup

    public init(name: String, description: String = "", arch: Architecture, kernel: KernelVersion = .v6_8,
                config: KernelConfig, staticSize: UInt64, cmdline: String = "", firmware: Firmware,
                memblock: MemblockSetup = MemblockSetup()) {
        self.name = name
        self.description = description
        self.arch = arch
        self.kernel = kernel
        self.config = config
        self.staticSize = staticSize
        self.cmdline = cmdline
        self.firmware = firmware
        self.memblock = memblock
    }
}

public enum Architecture: String, Sendable, Codable, CaseIterable {
    case arm64, riscv64
    case x86_64 = "x86_64"
}

/// Paging mode, where the architecture chooses one (riscv64 Sv39/48/57, x86_64 4/5-level).
public enum PagingMode: String, Sendable, Codable, CaseIterable {
    case sv39, sv48, sv57
    case level4 = "4-level"
    case level5 = "5-level"
}

/// The `CONFIG_*` options that matter for per-CPU setup.
///
/// Defaults follow each architecture's defconfig / Debian's build
/// (`KernelConfig.defaults(for:)`); a platform overrides what it needs.
public struct KernelConfig: Equatable, Sendable, Codable {
    /// CONFIG_NR_CPUS: size of `__per_cpu_offset[]`, fill value of empty units.
    public var nrCpus: Int
    /// CONFIG_NODES_SHIFT: MAX_NUMNODES = 1 << shift.
    public var nodesShift: Int
    /// PAGE_SIZE in bytes (4K, 16K, 64K).
    public var pageSize: UInt64
    /// arm64 CONFIG_ARM64_VA_BITS (36/39/42/47/48/52); nil elsewhere.
    public var vaBits: Int?
    /// riscv64 / x86_64 paging mode the kernel runs with (before command-line downgrades).
    public var pagingMode: PagingMode?
    /// CONFIG_SMP.
    public var smp: Bool
    /// CONFIG_MMU.
    public var mmu: Bool
    /// CONFIG_NUMA.
    public var numa: Bool
    /// CONFIG_NEED_PER_CPU_EMBED_FIRST_CHUNK.
    public var needPerCpuEmbedFirstChunk: Bool
    /// CONFIG_NEED_PER_CPU_PAGE_FIRST_CHUNK.
    public var needPerCpuPageFirstChunk: Bool
    /// CONFIG_MODULES: PERCPU_MODULE_RESERVE is 8 KiB with modules, 0 without.
    public var modules: Bool
    /// CONFIG_RANDOM_KMALLOC_CACHES (6.6+): PERCPU_DYNAMIC_SIZE_SHIFT 12 instead of 10.
    public var randomKmallocCaches: Bool
    /// CONFIG_MEM_ALLOC_PROFILING (6.10+): PERCPU_MODULE_RESERVE 64 KiB.
    public var memAllocProfiling: Bool
    /// CONFIG_LOCKDEP (6.12: SIZE_SHIFT 13 with RKC and non-4K pages).
    public var lockdep: Bool
    /// CONFIG_ACPI_NUMA.
    public var acpiNuma: Bool
    /// CONFIG_KMSAN (x86_64: a quarter of the vmalloc space).
    public var kmsan: Bool
    /// CONFIG_NUMA_EMU: x86_64 honours `numa=fake=` (Debian's amd64 builds set it; the
    /// arm64 ones do not, and arm64/riscv64 emulation is not modelled).
    public var numaEmu: Bool = true
    /// arm64 `vabits_actual` of a VA_BITS=52 kernel: 52 when the CPU has 52-bit VA (LVA with
    /// 64K pages, LPA2 with 4K/16K), else 48. nil = 48 (most CPUs, QEMU's cortex-a57/a72).
    /// A hardware fact, not a CONFIG_ option; it moves the linear map (`arm64VA52On48BitHardware`).
    public var vaBitsActual: Int? = nil
    /// Build fact: the compiler kept `memblock_free()`'s own frame instead of tail-calling
    /// `memblock_phys_free()`, so memblock=debug names `memblock_free+…` as the caller of its
    /// frees. nil = the architecture's default (riscv64 yes, arm64 and x86_64 no: what Debian's
    /// 6.1/6.12 builds show; Debian's gcc-16 7.2 arm64 build keeps the frame).
    public var memblockFreeFrame: Bool? = nil
    /// Build fact, arm64: `_end - _text` of the kernel image, which sits at the start of the
    /// vmalloc space and so decides where the page first chunk's early vm area goes. nil =
    /// Debian's 6.1 image (0x200b000); a `memblock=debug` dump shows it as the reserved region
    /// at the image's load address (`memblock_reserve(__pa_symbol(_text), _end - _text)`, 6.12+).
    public var kernelImageSize: UInt64? = nil
    /// Build fact: the NODE_DATA allocation, `roundup(sizeof(pg_data_t), SMP_CACHE_BYTES)` (x86
    /// up to 6.8: PAGE_SIZE). nil = Debian's 6.1 value for the architecture. A log shows it as the
    /// size of `NODE_DATA(0) allocated [mem A-B]`: B + 1 − A.
    public var pgDataSize: UInt64? = nil

    public init(nrCpus: Int, nodesShift: Int, pageSize: UInt64, vaBits: Int? = nil, pagingMode: PagingMode? = nil,
                smp: Bool = true, mmu: Bool = true, numa: Bool = true, needPerCpuEmbedFirstChunk: Bool = true,
                needPerCpuPageFirstChunk: Bool = true, modules: Bool = true, randomKmallocCaches: Bool = false,
                memAllocProfiling: Bool = false, lockdep: Bool = false, acpiNuma: Bool = true, kmsan: Bool = false) {
        self.nrCpus = nrCpus
        self.nodesShift = nodesShift
        self.pageSize = pageSize
        self.vaBits = vaBits
        self.pagingMode = pagingMode
        self.smp = smp
        self.mmu = mmu
        self.numa = numa
        self.needPerCpuEmbedFirstChunk = needPerCpuEmbedFirstChunk
        self.needPerCpuPageFirstChunk = needPerCpuPageFirstChunk
        self.modules = modules
        self.randomKmallocCaches = randomKmallocCaches
        self.memAllocProfiling = memAllocProfiling
        self.lockdep = lockdep
        self.acpiNuma = acpiNuma
        self.kmsan = kmsan
    }

    /// MAX_NUMNODES.
    public var maxNumNodes: Int { 1 << nodesShift }

    /// The defaults of Debian's 6.1 build for arm64 and x86_64 (see
    /// Tests/Fixtures/kernel-boots/configs) and riscv64's defconfig.
    public static func defaults(for arch: Architecture) -> KernelConfig {
        switch arch {
        case .arm64:
            KernelConfig(nrCpus: 256, nodesShift: 4, pageSize: 4096, vaBits: 48)
        case .riscv64:
            // arch/riscv/Kconfig: NR_CPUS default 64 (NUMA), NODES_SHIFT default 2; Sv57 is tried first.
            KernelConfig(nrCpus: 64, nodesShift: 2, pageSize: 4096, pagingMode: .sv57, acpiNuma: false)
        case .x86_64:
            KernelConfig(nrCpus: 8192, nodesShift: 10, pageSize: 4096, pagingMode: .level4)
        }
    }
}

/// Memblock's state before NUMA init: where the emulated boot starts allocating.
public struct MemblockSetup: Equatable, Sendable, Codable {
    /// Ranges reserved before NUMA init (kernel image, initrd, firmware, ...),
    /// in addition to the firmware's own reservations.
    public var reserved: [PhysRange]
    /// Extra RAM regions (added as `memblock_add`) beyond what firmware describes.
    public var memory: [PhysRange]
    /// Start memblock from the `MEMBLOCK configuration:` dump of a real
    /// `memblock=debug` boot log instead (path as given; resolved by the loader).
    public var fromLog: String?

    public init(reserved: [PhysRange] = [], memory: [PhysRange] = [], fromLog: String? = nil) {
        self.reserved = reserved
        self.memory = memory
        self.fromLog = fromLog
    }
}

/// A physical address range `[base, base + size)`.
public struct PhysRange: Equatable, Sendable, Codable {
    public var base: UInt64
    public var size: UInt64
    /// What it is, for reports ("kernel", "initrd", ...).
    public var name: String?

    public init(base: UInt64, size: UInt64, name: String? = nil) {
        self.base = base
        self.size = size
        self.name = name
    }
}
