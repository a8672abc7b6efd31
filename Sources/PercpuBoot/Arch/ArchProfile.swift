import KernelSupport

/// An architecture + kernel version's constants that per-CPU setup uses.
///
/// Built once per boot from the platform and the parsed command line; every
/// later stage reads it and nothing changes it.
public struct ArchProfile: Equatable, Sendable, Codable {
    public var arch: Architecture
    public var kernel: KernelVersion
    public var config: KernelConfig
    /// PAGE_SHIFT.
    public var pageShift: Int
    /// SMP_CACHE_BYTES (L1_CACHE_BYTES: 64 on arm64, riscv64 and x86_64).
    public var smpCacheBytes: UInt64
    /// The paging mode that actually runs (riscv64/x86_64, after `no4lvl`/`no5lvl`).
    public var pagingMode: PagingMode?
    /// The kernel's virtual layout.
    public var layout: VmallocLayout
    /// The per-CPU constants of this kernel (percpu.h).
    public var percpu: PercpuConstants
    /// `roundup(sizeof(pg_data_t), SMP_CACHE_BYTES)`: the NODE_DATA allocation.
    /// 0x2c80 on Debian's 6.1 arm64 build (its log: `NODE_DATA [mem 0x7fffd380-0x7fffffff]`);
    /// config dependent, and only moves later allocations. x86_64 (6.1/6.8 `alloc_node_data`)
    /// rounds to PAGE_SIZE instead: 0x2b000 on Debian's 6.1 amd64 build (its log:
    /// `NODE_DATA(0) allocated [mem 0x3ffd5000-0x3fffffff]`).
    public var pgDataSize: UInt64
    /// `_end - _text` of the kernel image, for where arm64's early vmalloc areas
    /// start. Debian's 6.1 arm64 image: `_text` at 0x40200000, `_end` at 0x4220b000
    /// (its memblock dump reserves [0x40210000-0x4220afff] from `_stext`), so 0x200b000.
    /// Affects only the page first chunk's virtual address and whether its page
    /// tables need new PTE pages.
    public var kernelImageSize: UInt64 = 0x200b000

    public var pageSize: UInt64 { config.pageSize }

    /// Build fact: whether memblock=debug names `memblock_free` (its own frame kept) or its
    /// caller (a tail call to `memblock_phys_free`) on the frees of `memblock_free(ptr, size)`.
    /// Debian's builds: arm64 6.1/6.12 and x86_64 tail-call; riscv64 6.12/7.2 and arm64 7.2
    /// (gcc 16) keep the frame. See `KernelConfig.memblockFreeFrame`.
    public var memblockFreeKeepsFrame: Bool { config.memblockFreeFrame ?? (arch == .riscv64) }

    /// Builds the profile. `pageSize` must be 4K, 16K or 64K (validated by the loader).
    /// `fdtPagingLimit`: riscv's `set_satp_mode_from_fdt()` (see `riscvSatpLimit(_:)`).
    public init(arch: Architecture, kernel: KernelVersion, config: KernelConfig, cmdline: KernelCommandLine,
                fdtPagingLimit: PagingMode? = nil) {
        self.arch = arch
        self.kernel = kernel
        let config = Self.kernelConfig(config, arch: arch, kernel: kernel)
        self.config = config
        self.pageShift = fls(config.pageSize) - 1
        self.smpCacheBytes = 64
        self.pgDataSize = arch == .x86_64 ? 0x2b000 : 0x2c80
        if let size = config.kernelImageSize { self.kernelImageSize = size }
        if let size = config.pgDataSize { self.pgDataSize = size }
        self.percpu = PercpuConstants(kernel: kernel, config: config)
        switch arch {
        case .arm64:
            pagingMode = nil
            layout = config.mmu ? .arm64(vaBits: config.vaBits ?? 48, pageShift: pageShift, kernel: kernel) : .noMMU
        case .riscv64:
            // arch/riscv/mm/init.c set_satp_mode(): Sv57 unless `no5lvl`, Sv48 unless `no4lvl`,
            // never more than the hardware (the platform's paging) supports.
            // Since `riscvSatpModeFromFDT` (6.18) the first available hart's mmu-type caps it too.
            var mode = Self.riscvKernelPagingLimit(config.pagingMode ?? .sv57, kernel: kernel)
            if cmdline.no4lvl { mode = .sv39 } else if cmdline.no5lvl && mode == .sv57 { mode = .sv48 }
            if kernel.has(.riscvSatpModeFromFDT), let limit = fdtPagingLimit {
                if limit == .sv39 { mode = .sv39 } else if limit == .sv48 && mode == .sv57 { mode = .sv48 }
            }
            pagingMode = mode
            layout = config.mmu ? .riscv64(mode: mode, kernel: kernel) : .noMMU
        case .x86_64:
            // arch/x86/kernel/head64.c check_la57_support(): `no5lvl` keeps 4-level paging
            // (from 4.17; a 4.14–4.16 5-level kernel has no such switch).
            var mode = config.pagingMode ?? .level4
            if cmdline.no5lvl && kernel.has(.x86FiveLevelBootSwitch) { mode = .level4 }
            pagingMode = mode
            layout = .x86_64(mode: mode, kmsan: config.kmsan, kernel: kernel)
        }
    }

    /// riscv `set_satp_mode_from_fdt()` (arch/riscv/kernel/pi/fdt_early.c, 6.18+): the first
    /// available `cpu` node's `mmu-type` — `riscv,sv39` or `riscv,sv48` limit the mode; any
    /// other value, or no mmu-type on that node, none.
    public static func riscvSatpLimit(_ cpus: [DTCPU]) -> PagingMode? {
        guard let first = cpus.first(where: \.isAvailable) else { return nil }
        switch first.mmuType {
        case "riscv,sv39": return .sv39
        case "riscv,sv48": return .sv48
        default: return nil
        }
    }

    /// `VMALLOC_TOTAL`.
    public var vmallocTotal: UInt64 { layout.vmallocTotal }

    /// The physical address the linear map starts at, given memblock's DRAM start:
    /// arm64 `memstart_addr` = DRAM start rounded down to ARM64_MEMSTART_ALIGN
    /// (1 GiB for 4K and 16K pages, 512 MiB for 64K); riscv64 `phys_ram_base`
    /// (the DRAM start); x86_64 0.
    ///
    /// arm64 with VA_BITS=52 on a CPU that runs 48 bits (`arm64VA52On48BitHardware`, 5.4+):
    /// `memstart_addr -= _PAGE_OFFSET(48) - _PAGE_OFFSET(52)` (arch/arm64/mm/init.c,
    /// arm64_memblock_init; 5.4–5.9 kept the same offset in physvirt_offset), so the RAM lands
    /// in the upper, 48-bit half of the linear map and `__pa(PAGE_OFFSET)` wraps:
    /// 0x40000000 − 0xf000000000000 = 0xfff1000040000000 (mod 2^64), as real 6.12/7.2 logs print.
    public func linearMapPhysBase(dramStart: UInt64) -> UInt64 {
        switch arch {
        case .arm64:
            let align: UInt64 = pageShift == 16 ? 512 << 20 : 1 << 30
            let memstart = dramStart.roundedDown(to: align)
            if config.mmu, config.vaBits == 52, (config.vaBitsActual ?? 48) != 52,
               kernel.has(.arm64VA52On48BitHardware) {
                return memstart &- (negPow2(48) &- negPow2(52))
            }
            return memstart
        case .riscv64: return dramStart
        case .x86_64: return 0
        }
    }

    /// `__pa(MAX_DMA_ADDRESS)`: the goal `pcpu_fc_alloc` passes as the lowest address.
    /// arm64 and riscv64 use the generic `MAX_DMA_ADDRESS = PAGE_OFFSET` (the start of
    /// the linear map); x86_64 `__va(16 MiB)`.
    public func perCPUAllocationGoal(dramStart: UInt64) -> UInt64 {
        arch == .x86_64 ? 0x100_0000 : linearMapPhysBase(dramStart: dramStart)
    }

    /// `__va(phys)` in the linear map; nil on nommu (identity) or wrap-around.
    public func linearVirtual(_ phys: UInt64, dramStart: UInt64) -> UInt64 {
        guard config.mmu else { return phys }
        return phys &- linearMapPhysBase(dramStart: dramStart) &+ layout.pageOffset
    }
}

/// The constants of `include/linux/percpu.h` for one kernel and configuration (KERNEL-SPEC §1).
public struct PercpuConstants: Equatable, Sendable, Codable {
    /// PERCPU_MODULE_RESERVE.
    public var moduleReserve: UInt64
    /// PERCPU_DYNAMIC_SIZE_SHIFT (10 before 6.6).
    public var dynamicSizeShift: Int
    /// PERCPU_DYNAMIC_EARLY_SIZE.
    public var dynamicEarlySize: UInt64
    /// PERCPU_DYNAMIC_RESERVE (64-bit).
    public var dynamicReserve: UInt64
    /// PCPU_MIN_UNIT_SIZE = PFN_ALIGN(32 KiB).
    public var minUnitSize: UInt64
    /// PCPU_MIN_ALLOC_SIZE.
    public var minAllocSize: UInt64 = 4

    public init(kernel: KernelVersion, config: KernelConfig) {
        let modules = config.modules
        moduleReserve = !modules ? 0 : (kernel.has(.percpuModuleReserveAllocTags) && config.memAllocProfiling ? 8 << 13 : 8 << 10)
        // PERCPU_DYNAMIC_SIZE_SHIFT: a literal 10 until RANDOM_KMALLOC_CACHES made it 12
        // on such builds, and 13 with LOCKDEP on pages larger than 4K.
        var shift = 10
        if kernel.has(.percpuDynamicSizeShift) && config.randomKmallocCaches {
            shift = kernel.has(.percpuDynamicSizeShiftLockdep) && config.lockdep && config.pageSize != 4096 ? 13 : 12
        }
        dynamicSizeShift = shift
        dynamicEarlySize = (kernel.has(.percpuDynamicEarlySize20K) ? 20 : 12) << UInt64(shift)
        dynamicReserve = (kernel.has(.percpuDynamicReserve28K) ? 28 : 20) << UInt64(shift)
        let min: UInt64 = 32 << 10
        minUnitSize = min % config.pageSize == 0 ? min : config.pageSize
    }
}
