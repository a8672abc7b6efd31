/// The kernel virtual address layout that per-CPU setup depends on:
/// `PAGE_OFFSET` (linear map base) and the vmalloc space (`VMALLOC_START`,
/// `VMALLOC_END`, `VMALLOC_TOTAL`), per architecture, page size, VA bits or
/// paging mode, and kernel version. Formulas and worked values are in
/// KERNEL-SPEC §8; each is re-derived from the headers named below.
public struct VmallocLayout: Equatable, Sendable, Codable {
    /// PAGE_OFFSET: virtual address of the linear map of physical `linearMapPhysBase`.
    public var pageOffset: UInt64
    public var vmallocStart: UInt64
    public var vmallocEnd: UInt64
    /// VMALLOC_END - VMALLOC_START (0 on nommu).
    public var vmallocTotal: UInt64 { vmallocEnd &- vmallocStart }
    /// Where the kernel image starts in virtual memory (arm64 KIMAGE_VADDR; riscv/x86 unused).
    public var kernelImageStart: UInt64

    /// nommu: no vmalloc space at all (`VMALLOC_START == VMALLOC_END == 0`).
    public static let noMMU = VmallocLayout(pageOffset: 0, vmallocStart: 0, vmallocEnd: 0, kernelImageStart: 0)
}

/// `-(2^bits)` as an unsigned 64-bit address.
@inline(__always) func negPow2(_ bits: Int) -> UInt64 { 0 &- (UInt64(1) << UInt64(bits)) }

extension VmallocLayout {
    /// arm64, `arch/arm64/include/asm/memory.h` and `pgtable.h`.
    ///
    /// Three eras, each a named change (`arm64VmallocAfterModulesOnly`, `arm64ModulesRegion2G`,
    /// `arm64VmemmapBelowFixmap`):
    /// - 6.1/6.8: `VMALLOC_START = MODULES_END = _PAGE_END(VA_BITS_MIN) + MODULES_VSIZE`
    ///   (128 MiB in 6.1, 2 GiB in 6.8); `VMALLOC_END = VMEMMAP_START - SZ_256M`,
    ///   `VMEMMAP_START = -(1 << (VA_BITS - VMEMMAP_SHIFT))`, `VMEMMAP_SHIFT = PAGE_SHIFT - 6`.
    /// - 6.12 (LPA2 rework): `VMEMMAP_END = -SZ_1G`, `VMEMMAP_START = VMEMMAP_END - VMEMMAP_SIZE`,
    ///   `VMALLOC_END = VMEMMAP_START - SZ_8M` (52-bit hardware assumed when VA_BITS = 52).
    /// - 5.10: `VMALLOC_START = _PAGE_END(VA_BITS_MIN) + 128M BPF + 128M modules`,
    ///   `VMALLOC_END = -PUD_SIZE - VMEMMAP_SIZE - SZ_64K` (gives the 0x781fefff0000 of
    ///   commit 09cea6195073 for 64K pages and VA_BITS = 52).
    static func arm64(vaBits: Int, pageShift: Int, kernel: KernelVersion) -> VmallocLayout {
        if !kernel.has(.arm64FlippedVA) { return arm64BeforeFlip(vaBits: vaBits, pageShift: pageShift, kernel: kernel) }
        let vaBitsMin = vaBits > 48 ? 48 : vaBits
        let pageOffset = negPow2(vaBits)
        let pageEndMin = negPow2(vaBitsMin - 1)          // _PAGE_END(VA_BITS_MIN)
        let sz128M: UInt64 = 128 << 20
        let vmemmapShift = pageShift - 6                 // sizeof(struct page) = 64
        if !kernel.has(.arm64VmallocAfterModulesOnly) {
            let levels = (vaBits - 4) / (pageShift - 3)
            // PUD_SHIFT = ARM64_HW_PGTABLE_LEVEL_SHIFT(1); with ≤ 3 levels the PUD folds into the PGD.
            let pudShift = (pageShift - 3) * min(levels, 3) + 3
            let vmemmapSize = (pageEndMin &- pageOffset) >> UInt64(vmemmapShift)
            // 5.4–5.10; the 128M BPF region went away in 5.11 (`.arm64BPFRegion`).
            let start = pageEndMin &+ sz128M &+ (kernel.has(.arm64BPFRegion) ? sz128M : 0)
            let end = 0 &- (UInt64(1) << UInt64(pudShift)) &- vmemmapSize &- 0x10000
            return VmallocLayout(pageOffset: pageOffset, vmallocStart: start, vmallocEnd: end,
                                 kernelImageStart: start)
        }
        if !kernel.has(.arm64VmemmapBelowFixmap) {
            let modulesVSize: UInt64 = kernel.has(.arm64ModulesRegion2G) ? 2 << 30 : sz128M
            let start = pageEndMin &+ modulesVSize
            let vmemmapStart = negPow2(vaBits - vmemmapShift)
            return VmallocLayout(pageOffset: pageOffset, vmallocStart: start, vmallocEnd: vmemmapStart &- (256 << 20),
                                 kernelImageStart: start)
        }
        let start = pageEndMin &+ (2 << 30)
        let vmemmapSize = ((pageEndMin &- pageOffset) >> UInt64(pageShift)) &* 64
        let vmemmapStart = (0 &- (UInt64(1) << 30)) &- vmemmapSize
        return VmallocLayout(pageOffset: pageOffset, vmallocStart: start, vmallocEnd: vmemmapStart &- (8 << 20),
                             kernelImageStart: start)
    }

    /// riscv64, `arch/riscv/include/asm/pgtable.h`: `VMALLOC_SIZE = KERN_VIRT_SIZE >> 1`
    /// = 64 × PGDIR_SIZE, `VMALLOC_END = PAGE_OFFSET`. PGDIR_SHIFT 30/39/48 for Sv39/48/57.
    static func riscv64(mode: PagingMode, kernel: KernelVersion) -> VmallocLayout {
        let pageOffset: UInt64
        let pgdirShift: UInt64
        switch mode {
        case .sv39 where !kernel.has(.riscvSv39PageOffsetD8):
            return riscv64Sv39Before517()
        case .sv39:
            pageOffset = kernel.has(.riscvSv39LinearMap128G) ? 0xffff_ffd6_0000_0000 : 0xffff_ffd8_0000_0000
            pgdirShift = 30
        case .sv48:
            pageOffset = 0xffff_af80_0000_0000
            pgdirShift = 39
        default:
            pageOffset = 0xff60_0000_0000_0000
            pgdirShift = 48
        }
        let size = UInt64(64) << pgdirShift
        return VmallocLayout(pageOffset: pageOffset, vmallocStart: pageOffset &- size, vmallocEnd: pageOffset,
                             kernelImageStart: pageOffset &- size)
    }

    /// x86_64, `arch/x86/include/asm/pgtable_64_types.h` without KASLR:
    /// `VMALLOC_START = vmalloc_base`, `VMALLOC_END = START + (VMALLOC_SIZE_TB << 40) - 1`
    /// with 32 TB (4-level) or 12800 TB (5-level); KMSAN takes a quarter.
    /// `__PAGE_OFFSET_BASE` moved up by 512 GiB (one PGD slot) in 4.20 (`.x86PageOffsetLDTRemapMoved`);
    /// the vmalloc space has not moved since 2.6 (4-level) / 4.14 (5-level).
    static func x86_64(mode: PagingMode, kmsan: Bool, kernel: KernelVersion) -> VmallocLayout {
        let fiveLevel = mode == .level5
        let start: UInt64 = fiveLevel ? 0xffa0_0000_0000_0000 : 0xffff_c900_0000_0000
        let moved = kernel.has(.x86PageOffsetLDTRemapMoved)
        let pageOffset: UInt64 = fiveLevel ? (moved ? 0xff11_0000_0000_0000 : 0xff10_0000_0000_0000)
                                           : (moved ? 0xffff_8880_0000_0000 : 0xffff_8800_0000_0000)
        var tb: UInt64 = fiveLevel ? 12800 : 32
        if kmsan { tb /= 4 }
        return VmallocLayout(pageOffset: pageOffset, vmallocStart: start, vmallocEnd: start &+ (tb << 40) &- 1,
                             kernelImageStart: 0xffff_ffff_8000_0000)
    }
}
