/// The virtual layouts of kernels before the eras `VmallocLayout.swift` starts from.
extension VmallocLayout {
    /// arm64 before 5.4 (`.arm64FlippedVA`): the linear map in the *upper* half,
    /// `PAGE_OFFSET = 0xffffffffffffffff << (VA_BITS - 1)`, everything else below it from
    /// `VA_START = 0xffffffffffffffff << VA_BITS` (KASAN off: no shadow region):
    /// - 4.6–4.20 (`.arm64KernelImageInVmalloc`): `VMALLOC_START = MODULES_END =
    ///   VA_START + 128M` (the kernel image at its base); 5.0–5.3 another 128M for the BPF
    ///   JIT region (`.arm64BPFRegion`); `VMEMMAP_SIZE = (1 << (VA_BITS - PAGE_SHIFT - 1)) ×
    ///   sizeof(struct page)` right below the linear map;
    /// - 3.10–4.5: `VMALLOC_START = VA_START` (modules below PAGE_OFFSET, the image in the
    ///   linear map), `VMEMMAP_SIZE = ALIGN((1 << (VA_BITS - PAGE_SHIFT)) × 64, PUD_SIZE)`;
    /// - always `VMALLOC_END = PAGE_OFFSET - PUD_SIZE - VMEMMAP_SIZE - SZ_64K`.
    /// sizeof(struct page) = 64. Worked for 4K pages, VA_BITS 39 (3 levels, PUD_SIZE 1G),
    /// 4.9: PAGE_OFFSET 0xffffffc000000000, VA_START 0xffffff8000000000, VMALLOC_START
    /// 0xffffff8008000000, VMEMMAP_SIZE 2^26 × 64 = 4G, VMALLOC_END = 0xffffffc000000000 −
    /// 1G − 4G − 64K = 0xffffffbebfff0000.
    static func arm64BeforeFlip(vaBits: Int, pageShift: Int, kernel: KernelVersion) -> VmallocLayout {
        let pageOffset = negPow2(vaBits - 1)
        let vaStart = negPow2(vaBits)
        let levels = (vaBits - 4) / (pageShift - 3)
        let pudSize = UInt64(1) << UInt64((pageShift - 3) * min(levels, 3) + 3)
        let sz128M: UInt64 = 128 << 20
        let start: UInt64
        let vmemmapSize: UInt64
        if kernel.has(.arm64KernelImageInVmalloc) {
            start = vaStart &+ sz128M &+ (kernel.has(.arm64BPFRegion) ? sz128M : 0)
            vmemmapSize = (UInt64(1) << UInt64(vaBits - pageShift - 1)) &* 64
        } else {
            start = vaStart
            let raw = (UInt64(1) << UInt64(vaBits - pageShift)) &* 64
            vmemmapSize = (raw &+ pudSize &- 1) / pudSize &* pudSize
        }
        let end = pageOffset &- pudSize &- vmemmapSize &- 0x10000
        return VmallocLayout(pageOffset: pageOffset, vmallocStart: start, vmallocEnd: end, kernelImageStart: start)
    }

    /// riscv64 Sv39 before 5.17 (`.riscvSv39PageOffsetD8`): CONFIG_PAGE_OFFSET
    /// 0xffffffe000000000 (MAXPHYSMEM_128GB, the medany default), `KERN_VIRT_SIZE =
    /// -PAGE_OFFSET` = 128G, `VMALLOC_SIZE = KERN_VIRT_SIZE >> 1`, `VMALLOC_END =
    /// PAGE_OFFSET - 1`, `VMALLOC_START = PAGE_OFFSET - VMALLOC_SIZE`.
    static func riscv64Sv39Before517() -> VmallocLayout {
        let pageOffset: UInt64 = 0xffff_ffe0_0000_0000
        let size = (0 &- pageOffset) >> 1
        return VmallocLayout(pageOffset: pageOffset, vmallocStart: pageOffset &- size, vmallocEnd: pageOffset &- 1,
                             kernelImageStart: pageOffset &- size)
    }
}
