import KernelSupport

/// What an architecture's Kconfig allowed in a given release: options a platform may
/// set but the kernel of that version did not have are what the kernel would build
/// without them, and an architecture that did not exist yet is refused.
extension ArchProfile {
    /// The configuration the kernel of `kernel` actually builds for `arch`:
    /// - arm64 before 4.7 (`.arm64NUMA`) and riscv64 before 5.12 (`.riscvNUMA`) have no
    ///   CONFIG_NUMA: the generic `setup_per_cpu_areas` of mm/percpu.c runs (one group,
    ///   PAGE_SIZE atoms), MAX_NUMNODES is 1;
    /// - arm64 before 5.16 (`.arm64PageFirstChunk`) and riscv64 before 6.8
    ///   (`.riscvPageFirstChunk`) have no NEED_PER_CPU_PAGE_FIRST_CHUNK: a failed embed
    ///   panics and `percpu_alloc=page` is an unknown allocator.
    static func kernelConfig(_ config: KernelConfig, arch: Architecture, kernel: KernelVersion) -> KernelConfig {
        var config = config
        let hasNUMA: Bool, hasPageChunk: Bool
        switch arch {
        case .arm64:
            hasNUMA = kernel.has(.arm64NUMA)
            hasPageChunk = kernel.has(.arm64PageFirstChunk)
        case .riscv64:
            hasNUMA = kernel.has(.riscvNUMA)
            hasPageChunk = kernel.has(.riscvPageFirstChunk)
        case .x86_64:
            hasNUMA = true
            hasPageChunk = true
        }
        if !hasNUMA {
            config.numa = false
            config.nodesShift = 0
        }
        if !hasPageChunk { config.needPerCpuPageFirstChunk = false }
        return config
    }

    /// riscv64 `set_satp_mode()`: the deepest mode both the hart (the platform's paging)
    /// and the kernel know — Sv39 only before 5.17 (`.riscvSv48`), Sv48 before 5.18
    /// (`.riscvSv57`).
    static func riscvKernelPagingLimit(_ mode: PagingMode, kernel: KernelVersion) -> PagingMode {
        if !kernel.has(.riscvSv48) { return .sv39 }
        if !kernel.has(.riscvSv57) && mode == .sv57 { return .sv48 }
        return mode
    }

    /// Why `arch` cannot run `kernel` as the platform describes it, if it cannot: riscv64
    /// before 4.15 (`.riscvArch`), nommu before 5.5 (`.riscvNommu`) and SMP nommu before 5.16
    /// (`.needPerCpuKMForNommu`); arm64 VA_BITS 52 before 5.4 (`.arm64VABits52`); x86_64
    /// 5-level paging before 4.14 (`.x86FiveLevelPaging`).
    public static func unsupportedReason(arch: Architecture, kernel: KernelVersion, config: KernelConfig) -> String? {
        switch arch {
        case .riscv64 where !kernel.has(.riscvArch):
            return "kernel \(kernel) has no riscv64 port (arch/riscv arrived in \(KernelChange.riscvArch.entry.since)); pick a kernel from \(KernelChange.riscvArch.entry.since) on"
        case .riscv64 where !config.mmu && !kernel.has(.riscvNommu):
            return "kernel \(kernel) cannot build riscv64 without an MMU (nommu support arrived in \(KernelChange.riscvNommu.entry.since))"
        case .riscv64 where !config.mmu && config.smp && !kernel.has(.needPerCpuKMForNommu):
            return "an SMP nommu kernel before \(KernelChange.needPerCpuKMForNommu.entry.since) did not select percpu-km (3583521aabac); its per-CPU setup is not emulated"
        case .arm64 where config.vaBits == 52 && !kernel.has(.arm64VABits52):
            return "kernel \(kernel) has no 52-bit VA on arm64 (ARM64_VA_BITS_52 arrived in \(KernelChange.arm64VABits52.entry.since)); describe the machine with va-bits: 48"
        case .x86_64 where config.pagingMode == .level5 && !kernel.has(.x86FiveLevelPaging):
            return "kernel \(kernel) has no 5-level paging on x86_64 (CONFIG_X86_5LEVEL arrived in \(KernelChange.x86FiveLevelPaging.entry.since)); describe the machine with paging: level4"
        default:
            return nil
        }
    }
}
