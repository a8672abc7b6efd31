import Testing
import PcpuBootTestSupport
@testable import PercpuBoot

/// arm64 and riscv64 before their 6.x code: no NUMA before 4.7 / 5.12, arch/arm64/mm/numa.c's
/// lines (4.7–5.9), no page first chunk before 5.16 / 6.8, the pre-5.4 arm64 layout, riscv64
/// from 4.15 with Sv39 only until 5.17. Expected lines from real logs (old-kernel-lines.md
/// § 2) or worked by hand.
@Suite struct Arm64RiscvOldKernelsTests {
    func arm64(_ kernel: KernelVersion, cpuNodes: [Int], memory: [(UInt64, UInt64, Int)], staticSize: UInt64,
               cmdline: String = "") -> Platform {
        deviceTreePlatform(kernel: kernel, cpuNodes: cpuNodes, memory: memory, staticSize: staticSize, cmdline: cmdline,
                           configure: { $0.vaBits = 39 })
    }

    /// The `@%p` of the summary before 4.15 is `__va()` of the chunk: 0xffffffc000000000 +
    /// (phys − memstart_addr) with VA_BITS 39 before 5.4 (PAGE_OFFSET = ~0 << 38); DRAM at
    /// 1 GiB, so memstart_addr = 0x40000000.
    func expectedAddress(_ result: BootResult) throws -> String {
        let phys = try #require(result.groupPhys.first)
        return String(0xffff_ffc0_0000_0000 + (phys - 0x4000_0000), radix: 16)
    }

    /// Rockchip 4.4.143 (real line): `PERCPU: Embedded 19 pages/cpu @ffffffc00ff54000 s40088
    /// r8192 d29544 u77824` — PFN_ALIGN(40088 + 8192 + 28672 = 76952) = 77824 = 19 pages,
    /// d = 77824 − 48280 = 29544. arm64 4.4 has no NUMA: no `NUMA:` line, the generic
    /// setup_per_cpu_areas (one group, PAGE_SIZE atoms: `alloc=19*4096`, one unit per column).
    @Test func arm64Rockchip44() throws {
        let result = try Boot.run(arm64(KernelVersion(4, 4), cpuNodes: [0, 0, 1, 1],
                                        memory: [(0x4000_0000, 1 << 30, 0)], staticSize: 40088))
        let address = try expectedAddress(result)
        #expect(address.hasPrefix("ffffffc0"))
        #expect(result.percpuLines == [
            "PERCPU: Embedded 19 pages/cpu @\(address) s40088 r8192 d29544 u77824",
            "pcpu-alloc: s40088 r8192 d29544 u77824 alloc=19*4096",
            "pcpu-alloc: [0] 0 [0] 1 [0] 2 [0] 3 ",
        ])
        #expect(!result.kernelLines.contains { $0.hasPrefix("NUMA:") })
        #expect(result.topology?.nodes == [0])
    }

    /// 4.9.76 (real lines): `percpu: Embedded 20 pages/cpu @ffffffc07ef80000 s44544 r8192
    /// d29184 u81920`, `pcpu-alloc: s44544 r8192 d29184 u81920 alloc=20*4096`, `pcpu-alloc:
    /// [0] 0 [0] 1 [0] 2 [0] 3 ` — PFN_ALIGN(44544 + 8192 + 28672 = 81408) = 81920. The NUMA
    /// lines of that era (HiKey-era log: `NUMA: No NUMA configuration found`, `NUMA: Faking a
    /// node at [mem …]`, `NUMA: Adding memblock [… - …] on node 0` per region, `NUMA: Initmem
    /// setup node 0 [mem …]`, `NUMA: NODE_DATA [mem …]`). The distance table (16 × 16 B, a
    /// page at 0x7ffff000) comes first, so NODE_DATA (0x2c80) = 0x7ffff000 − 0x2c80 = 0x7fffc380.
    /// Before 4.20 the faked node is printed from 0 (`[0LLU, PFN_PHYS(max_pfn) - 1]`), as that
    /// log shows for DRAM starting at 0x80000000.
    @Test func arm64Kernel49() throws {
        let result = try Boot.run(arm64(KernelVersion(4, 9), cpuNodes: [-1, -1, -1, -1],
                                        memory: [(0x4000_0000, 0x1000_0000, -1), (0x6000_0000, 0x2000_0000, -1)],
                                        staticSize: 44544))
        #expect(result.kernelLines.filter { $0.hasPrefix("NUMA:") } == [
            "NUMA: No NUMA configuration found",
            "NUMA: Faking a node at [mem 0x0000000000000000-0x000000007fffffff]",
            "NUMA: Adding memblock [0x40000000 - 0x4fffffff] on node 0",
            "NUMA: Adding memblock [0x60000000 - 0x7fffffff] on node 0",
            "NUMA: Initmem setup node 0 [mem 0x40000000-0x7fffffff]",
            "NUMA: NODE_DATA [mem 0x7fffc380-0x7fffefff]",
        ])
        let address = try expectedAddress(result)
        #expect(result.percpuLines == [
            "percpu: Embedded 20 pages/cpu @\(address) s44544 r8192 d29184 u81920",
            "pcpu-alloc: s44544 r8192 d29184 u81920 alloc=20*4096",
            "pcpu-alloc: [0] 0 [0] 1 [0] 2 [0] 3 ",
        ])
    }

    /// 4.7–4.8: `No NUMA configuration found` without the prefix (real 4.8-era log). 4.18+:
    /// no `Adding memblock` / arch `Initmem setup node` lines — Fedora 4.18.16 on QEMU virt
    /// (128 MiB at 0x40000000; real log): `NUMA: No NUMA configuration found`, `NUMA: Faking a
    /// node at [mem 0x0000000000000000-0x0000000047ffffff]` (from 0 until 77cfe950901e),
    /// `NUMA: NODE_DATA [mem 0x47f9c780-0x47fa9fff]` (that build's pg_data_t is 0xd880; here
    /// 0x2c80 under the distance-table page: 0x47fff000 − 0x2c80 = 0x47ffc380),
    /// `percpu: Embedded 23 pages/cpu @(____ptrval____) s53528 r8192 d32488 u94208`
    /// (PFN_ALIGN(53528 + 8192 + 28672 = 90392) = 94208 = 23 pages, d = 94208 − 61720 = 32488).
    /// From 4.20 the fake node starts at the DRAM start.
    @Test func arm64NUMALineEras() throws {
        let v48 = try Boot.run(arm64(KernelVersion(4, 8), cpuNodes: [-1, -1], memory: [(0x4000_0000, 1 << 30, -1)],
                                     staticSize: 44544)).kernelLines
        #expect(v48.contains("No NUMA configuration found"))
        #expect(v48.contains("NUMA: Adding memblock [0x40000000 - 0x7fffffff] on node 0"))
        let fedora = try Boot.run(arm64(KernelVersion(4, 18), cpuNodes: [-1], memory: [(0x4000_0000, 128 << 20, -1)],
                                        staticSize: 53528))
        #expect(fedora.kernelLines.filter { $0.hasPrefix("NUMA:") } == [
            "NUMA: No NUMA configuration found",
            "NUMA: Faking a node at [mem 0x0000000000000000-0x0000000047ffffff]",
            "NUMA: NODE_DATA [mem 0x47ffc380-0x47ffefff]",
        ])
        #expect(fedora.percpuLines.first == "percpu: Embedded 23 pages/cpu @(____ptrval____) s53528 r8192 d32488 u94208")
        let v420 = try Boot.run(arm64(KernelVersion(4, 20), cpuNodes: [-1], memory: [(0x4000_0000, 128 << 20, -1)],
                                      staticSize: 53528)).kernelLines
        #expect(v420.contains("NUMA: Faking a node at [mem 0x0000000040000000-0x0000000047ffffff]"))
    }

    /// A 2-node machine whose areas are too far apart for the vmalloc space (VA_BITS 39:
    /// 4.x VMALLOC_TOTAL = 0xffffffbebfff0000 − 0xffffff8008000000 = 0x3eb7ff0000, 3/4 of it
    /// 0x2f09ff4000): node 1 at 192 GiB, still inside the 256 GiB linear map. Before 5.16
    /// arm64 has no NEED_PER_CPU_PAGE_FIRST_CHUNK, so pcpu_embed_first_chunk only warns
    /// (the `rc = -EINVAL` is under that #ifdef) and keeps the embedded chunk; and
    /// `percpu_alloc=page` is an unknown allocator.
    @Test func arm64NoPageChunkBefore516() throws {
        let memory: [(UInt64, UInt64, Int)] = [(0x4000_0000, 1 << 30, 0), (0x30_0000_0000, 1 << 30, 1)]
        let far = try Boot.run(arm64(KernelVersion(4, 14), cpuNodes: [0, 1], memory: memory, staticSize: 44544))
        #expect(far.outcome == .booted)
        #expect(far.firstChunkKind == .embed)
        #expect(far.kernelLines.contains { $0.hasPrefix("percpu: max_distance=0x") && $0.hasSuffix(" too large for vmalloc space 0x3eb7ff0000") })
        #expect(!far.kernelLines.contains { $0.contains("falling back to page size") })
        let page = try Boot.run(arm64(KernelVersion(5, 10), cpuNodes: [0, 0], memory: [(0x4000_0000, 1 << 30, 0)],
                                      staticSize: 44544, cmdline: "percpu_alloc=page"))
        #expect(page.kernelLines.contains("percpu: unknown allocator page specified"))
        #expect(page.firstChunkKind == .embed)
    }

    /// The pre-5.4 arm64 layouts, worked from the headers' formulas (VmallocLayout+OldKernels):
    /// 4K pages, VA_BITS 39 (PUD_SIZE 1G) and 48 (4 levels).
    @Test func arm64LayoutsBeforeFlip() {
        func layout(_ kernel: KernelVersion, _ vaBits: Int) -> VmallocLayout {
            var config = KernelConfig.defaults(for: .arm64)
            config.vaBits = vaBits
            return ArchProfile(arch: .arm64, kernel: kernel, config: config, cmdline: KernelCommandLine()).layout
        }
        // 4.4: VMALLOC_START = VA_START = 0xffffff8000000000; VMEMMAP_SIZE = ALIGN(2^27 × 64, 1G) = 8G;
        // VMALLOC_END = 0xffffffc000000000 − 1G − 8G − 64K.
        #expect(layout(KernelVersion(4, 4), 39) == VmallocLayout(pageOffset: 0xffff_ffc0_0000_0000, vmallocStart: 0xffff_ff80_0000_0000,
                                                                  vmallocEnd: 0xffff_ffbd_bfff_0000, kernelImageStart: 0xffff_ff80_0000_0000))
        // 4.9: modules (128M) first, VMEMMAP_SIZE = 2^26 × 64 = 4G.
        #expect(layout(KernelVersion(4, 9), 39).vmallocStart == 0xffff_ff80_0800_0000)
        #expect(layout(KernelVersion(4, 9), 39).vmallocEnd == 0xffff_ffbe_bfff_0000)
        // 5.0 (BPF region), 48 bits: VA_START 0xffff000000000000 + 256M; VMEMMAP_SIZE 2^35 × 64 = 2^41;
        // VMALLOC_END = 0xffff800000000000 − 1G − 2^41 − 64K.
        #expect(layout(KernelVersion(5, 0), 48) == VmallocLayout(pageOffset: 0xffff_8000_0000_0000, vmallocStart: 0xffff_0000_1000_0000,
                                                                  vmallocEnd: 0xffff_7dff_bfff_0000, kernelImageStart: 0xffff_0000_1000_0000))
        // 5.4 flips: PAGE_OFFSET = -(1 << 48).
        #expect(layout(KernelVersion(5, 4), 48).pageOffset == 0xffff_0000_0000_0000)
    }

    /// memblock=debug: before 5.16 (3ecc68349bba) the embed's unit-tail frees trace as
    /// `   memblock_free: [%pa-%pa] %pS`. With s44544 on 4 CPUs, u = size_sum = 81920, so each of
    /// the 4 units frees an empty tail: base + 81920, size 0 → `[a-(a−1)]`.
    @Test func memblockFreeTraceName() throws {
        func frees(_ kernel: KernelVersion) throws -> [String] {
            try Boot.run(arm64(kernel, cpuNodes: [0, 0, 0, 0], memory: [(0x4000_0000, 1 << 30, 0)], staticSize: 44544,
                               cmdline: "memblock=debug")).log.texts().filter { $0.contains("memblock_free: [") || $0.contains("memblock_phys_free: [") }
        }
        let old = try frees(KernelVersion(5, 15))
        #expect(old.count >= 4 && old.allSatisfy { $0.hasPrefix("   memblock_free: [0x") })
        let new = try frees(KernelVersion(5, 16))
        #expect(new.count == old.count && new.allSatisfy { $0.hasPrefix("memblock_phys_free: [0x") })
    }

    /// arm64 ACPI NUMA (`arm64ACPINUMA`, taken as 4.9): a 2-domain SRAT is ignored by 4.8,
    /// whose dummy_numa_init says `No NUMA configuration found` without a prefix and fakes
    /// one node; 4.9 uses it.
    @Test func arm64ACPINUMAFrom49() throws {
        func run(_ kernel: KernelVersion) throws -> BootResult {
            let cpus = [0, 0, 1, 1].enumerated().map { SRATProcessor(hardwareID: UInt64($0.offset), proximityDomain: UInt32($0.element)) }
            let memory = [SRATMemory(base: 0x4000_0000, length: 1 << 30, proximityDomain: 0),
                          SRATMemory(base: 0x8000_0000, length: 1 << 30, proximityDomain: 1)]
            return try Boot.run(Platform(name: "acpi-old", arch: .arm64, kernel: kernel, config: .defaults(for: .arm64), staticSize: 44544,
                                         firmware: .acpi(ACPIFirmware(processors: cpus, memory: memory, slit: [[10, 22], [22, 10]]))))
        }
        let old = try run(KernelVersion(4, 8))
        #expect(old.topology?.method == .dummy)
        #expect(Array(old.kernelLines.prefix(2)) == ["No NUMA configuration found",
                                                     "NUMA: Faking a node at [mem 0x0000000000000000-0x00000000bfffffff]"])
        #expect(try run(KernelVersion(4, 9)).topology?.method == .acpi)
    }

    /// VA_BITS 52 arrived with the 5.4 flip: refused before, with a reason.
    @Test func arm64VABits52Before54Refused() {
        let platform = deviceTreePlatform(kernel: KernelVersion(5, 3), cpuNodes: [0], memory: [(0x4000_0000, 1 << 30, 0)],
                                          configure: { $0.vaBits = 52; $0.pageSize = 65536 })
        #expect(throws: BootError.self) { try Boot.run(platform) }
        #expect(ArchProfile.unsupportedReason(arch: .arm64, kernel: KernelVersion(5, 4), config: platform.config) == nil)
    }

    /// riscv64 did not exist before 4.15: a clear refusal (exit 2), never a guess.
    @Test func riscvBefore415Refused() {
        let platform = deviceTreePlatform(kernel: KernelVersion(4, 14), arch: .riscv64, cpuNodes: [0],
                                          memory: [(0x8000_0000, 1 << 30, 0)])
        #expect(throws: BootError.self) { try Boot.run(platform) }
        #expect(ArchProfile.unsupportedReason(arch: .riscv64, kernel: KernelVersion(4, 15), config: platform.config) == nil)
    }

    /// riscv64 nommu: none before 5.5; SMP nommu (K210) only with percpu-km, from 5.16.
    @Test func riscvNommuEras() {
        var config = KernelConfig.defaults(for: .riscv64)
        config.mmu = false
        #expect(ArchProfile.unsupportedReason(arch: .riscv64, kernel: KernelVersion(5, 4), config: config) != nil)
        #expect(ArchProfile.unsupportedReason(arch: .riscv64, kernel: KernelVersion(5, 15), config: config) != nil)
        #expect(ArchProfile.unsupportedReason(arch: .riscv64, kernel: KernelVersion(5, 16), config: config) == nil)
        config.smp = false
        #expect(ArchProfile.unsupportedReason(arch: .riscv64, kernel: KernelVersion(5, 5), config: config) == nil)
    }

    /// riscv64 before 5.12 has no NUMA: two DT nodes still make one group (generic
    /// setup_per_cpu_areas); from 5.12 two groups.
    @Test func riscvNUMAFrom512() throws {
        func dump(_ kernel: KernelVersion) throws -> String? {
            try Boot.run(deviceTreePlatform(kernel: kernel, arch: .riscv64, cpuNodes: [0, 1],
                                            memory: [(0x8000_0000, 1 << 30, 0), (0xc000_0000, 1 << 30, 1)],
                                            distances: [(0, 1, 20), (1, 0, 20), (0, 0, 10), (1, 1, 10)])).percpuLines.last
        }
        #expect(try dump(KernelVersion(5, 11)) == "pcpu-alloc: [0] 0 [0] 1 ")
        #expect(try dump(KernelVersion(5, 12)) == "pcpu-alloc: [0] 0 [1] 1 ")
    }

    /// set_satp_mode: Sv39 only before 5.17, Sv48 at most before 5.18; Sv39 PAGE_OFFSET
    /// 0xffffffe000000000 before 5.17 with VMALLOC [PAGE_OFFSET − 64G, PAGE_OFFSET − 1].
    @Test func riscvPagingEras() {
        func profile(_ kernel: KernelVersion) -> ArchProfile {
            ArchProfile(arch: .riscv64, kernel: kernel, config: KernelConfig.defaults(for: .riscv64), cmdline: KernelCommandLine())
        }
        #expect(profile(KernelVersion(5, 16)).pagingMode == .sv39)
        #expect(profile(KernelVersion(5, 17)).pagingMode == .sv48)
        #expect(profile(KernelVersion(5, 18)).pagingMode == .sv57)
        let old = profile(KernelVersion(5, 10)).layout
        #expect(old.pageOffset == 0xffff_ffe0_0000_0000)
        #expect(old.vmallocStart == 0xffff_ffd0_0000_0000 && old.vmallocEnd == 0xffff_ffdf_ffff_ffff)
        #expect(profile(KernelVersion(5, 17)).layout.pageOffset == 0xffff_af80_0000_0000)
    }

    /// riscv64 has no page first chunk before 6.8 (6b9f29b81b15).
    @Test func riscvPageChunkFrom68() {
        let config = KernelConfig.defaults(for: .riscv64)
        #expect(!ArchProfile(arch: .riscv64, kernel: KernelVersion(6, 7), config: config, cmdline: KernelCommandLine()).config.needPerCpuPageFirstChunk)
        #expect(ArchProfile(arch: .riscv64, kernel: KernelVersion(6, 8), config: config, cmdline: KernelCommandLine()).config.needPerCpuPageFirstChunk)
    }
}
