import Testing
import PcpuBootTestSupport
@testable import PercpuBoot

/// x86_64 kernels before 6.1: NUMA init of arch/x86/mm/numa.c (setup_node_data before 3.18,
/// init_memory_less_node 4.9–5.17, find_near_online_node before 4.9), x86's own
/// setup_percpu.c and the 0xffff880000000000 linear map before 4.20. Expected lines are the
/// real logs' (old-kernel-lines.md § 2) or worked by hand below.
@Suite struct X86OldKernelsTests {
    /// One node (no SRAT: the dummy node), `n` CPUs, NR_CPUS 256 or 512 (no
    /// CPUMASK_OFFSTACK: before 6.1 `nr_cpumask_bits` prints NR_CPUS), RAM [1 MiB, ramEnd).
    func oneNode(_ kernel: KernelVersion, cpus n: Int, nrCPUs: Int, staticSize: UInt64, ramEnd: UInt64,
                 cmdline: String = "") -> Platform {
        var platform = x86Platform(kernel: kernel, cpus: (0..<n).map { (apic: UInt64($0), pxm: UInt32(0)) },
                                   ram: [(0x10_0000, ramEnd - 0x10_0000)], cmdline: cmdline,
                                   configure: { $0.nrCpus = nrCPUs })
        platform.staticSize = staticSize
        return platform
    }

    /// Ubuntu 4.4.0-34-generic (real log):
    /// `setup_percpu: NR_CPUS:256 nr_cpumask_bits:256 nr_cpu_ids:4 nr_node_ids:1`,
    /// `PERCPU: Embedded 33 pages/cpu @ffff880077200000 s98008 r8192 d28968 u524288`,
    /// `pcpu-alloc: s98008 r8192 d28968 u524288 alloc=1*2097152`, `pcpu-alloc: [0] 0 1 2 3 `.
    /// - `NR_CPUS:256 nr_cpumask_bits:256`: NR_CPUS = 256 ≤ 512, no CPUMASK_OFFSTACK, so before
    ///   6.1 nr_cpumask_bits is NR_CPUS; nr_cpu_ids 4 (four MADT CPUs); nr_node_ids 1 (dummy node).
    /// - `PERCPU: ` literal prefix (pr_fmt only from 4.6); raw %p (hashing only from 4.15).
    /// - s = 98008 (the image's per-CPU section), r = PERCPU_FIRST_CHUNK_RESERVE = 8192,
    ///   size_sum = PFN_ALIGN(98008 + 8192 + 28672 = 134872) = 135168 = 33 pages,
    ///   d = 135168 − 106200 = 28968.
    /// - atom 2 MiB: alloc = roundup(135168, 2M) = 2M; upa = 2M / 135168 = 15 → 8 (the
    ///   largest that divides 2M into whole pages); upa 8 wastes 4 > 4/3 = 1, upa 4 wastes 0
    ///   with one allocation → u = 2M / 4 = 524288. (The brief's "u262144" is not the log's.)
    /// - the address: the real machine's map is not in the log. Here RAM ends at 0x77600000:
    ///   NODE_DATA (0x2b000, page-rounded pgdat) takes [0x775d5000, 0x77600000), the alloc
    ///   info the page below, so the highest free 2 MiB-aligned 2 MiB is [0x77200000,
    ///   0x77400000); __va() = 0xffff880000000000 + 0x77200000 before 4.20.
    @Test func ubuntu44Line() throws {
        let result = try Boot.run(oneNode(KernelVersion(4, 4), cpus: 4, nrCPUs: 256, staticSize: 98008, ramEnd: 0x7760_0000))
        #expect(result.percpuLines == [
            "setup_percpu: NR_CPUS:256 nr_cpumask_bits:256 nr_cpu_ids:4 nr_node_ids:1",
            "PERCPU: Embedded 33 pages/cpu @ffff880077200000 s98008 r8192 d28968 u524288",
            "pcpu-alloc: s98008 r8192 d28968 u524288 alloc=1*2097152",
            "pcpu-alloc: [0] 0 1 2 3 ",
        ])
        #expect(result.printkLines.contains("NODE_DATA(0) allocated [mem 0x775d5000-0x775fffff]"))
    }

    /// Ubuntu 4.4.0-101-generic under KVM with an SRAT (real log, a Travis CI syslog): SRAT
    /// memory lines still bare (arch/x86/mm/srat.c), the meminfo merge, and
    /// `setup_percpu: NR_CPUS:512 nr_cpumask_bits:512 nr_cpu_ids:4 nr_node_ids:1`,
    /// `PERCPU: Embedded 34 pages/cpu @ffff8803ffc00000 s98392 r8192 d32680 u524288`,
    /// `pcpu-alloc: s98392 r8192 d32680 u524288 alloc=1*2097152`, `pcpu-alloc: [0] 0 1 2 3 `.
    /// RAM as the log's "Early memory node ranges": [0x1000, 0x9f000), [0x100000, 0xbfff3000),
    /// [0x100000000, 0x400000000). PFN_ALIGN(98392 + 8192 + 28672 = 135256) = 139264 = 34
    /// pages, d = 139264 − 106584 = 32680; 4 CPUs → u524288. The log's `NODE_DATA(0)
    /// allocated [mem 0x3ffff9000-0x3ffffdfff]`: that build's pgdat is 0x5000 bytes and 8 KiB
    /// at the top of RAM were taken before (kept as a reservation): 0x3ffffe000 − 0x5000.
    /// NODE_DATA and the alloc info sit in the top 2 MiB block, so the chunk is the block
    /// below: 0x3ffc00000 → @ffff8803ffc00000.
    @Test func ubuntu44WithSRAT() throws {
        var platform = x86Platform(kernel: KernelVersion(4, 4), cpus: (0..<4).map { (apic: UInt64($0), pxm: UInt32(0)) },
                                   srat: [(0, 0xa0000, 0), (0x10_0000, 0xbff0_0000, 0), (0x1_0000_0000, 0x3_0000_0000, 0)],
                                   ram: [(0x1000, 0x9_e000), (0x10_0000, 0xbfef_3000), (0x1_0000_0000, 0x3_0000_0000)],
                                   sratRevision: 1, configure: { $0.nrCpus = 512; $0.pgDataSize = 0x5000 })
        platform.staticSize = 98392
        platform.memblock.reserved.append(PhysRange(base: 0x3_ffff_e000, size: 0x2000))
        let result = try Boot.run(platform)
        let lines = result.printkLines
        let first = try #require(lines.firstIndex(of: "SRAT: PXM 0 -> APIC 0x00 -> Node 0"))
        #expect(Array(lines[first..<(first + 9)]) == [
            "SRAT: PXM 0 -> APIC 0x00 -> Node 0",
            "SRAT: PXM 0 -> APIC 0x01 -> Node 0",
            "SRAT: PXM 0 -> APIC 0x02 -> Node 0",
            "SRAT: PXM 0 -> APIC 0x03 -> Node 0",
            "SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]",
            "SRAT: Node 0 PXM 0 [mem 0x00100000-0xbfffffff]",
            "SRAT: Node 0 PXM 0 [mem 0x100000000-0x3ffffffff]",
            "NUMA: Node 0 [mem 0x00000000-0x0009ffff] + [mem 0x00100000-0xbfffffff] -> [mem 0x00000000-0xbfffffff]",
            "NUMA: Node 0 [mem 0x00000000-0xbfffffff] + [mem 0x100000000-0x3ffffffff] -> [mem 0x00000000-0x3ffffffff]",
        ])
        #expect(lines.contains("NODE_DATA(0) allocated [mem 0x3ffff9000-0x3ffffdfff]"))
        #expect(result.percpuLines == [
            "setup_percpu: NR_CPUS:512 nr_cpumask_bits:512 nr_cpu_ids:4 nr_node_ids:1",
            "PERCPU: Embedded 34 pages/cpu @ffff8803ffc00000 s98392 r8192 d32680 u524288",
            "pcpu-alloc: s98392 r8192 d32680 u524288 alloc=1*2097152",
            "pcpu-alloc: [0] 0 1 2 3 ",
        ])
        // From 4.9 the memory lines carry drivers/acpi/numa.c's pr_fmt.
        platform.kernel = KernelVersion(4, 9)
        #expect(try Boot.run(platform).printkLines.contains("ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]"))
    }

    /// Debian 3.16.0-4-amd64 (real log): `setup_percpu: NR_CPUS:512 nr_cpumask_bits:512
    /// nr_cpu_ids:2 nr_node_ids:1`, `PERCPU: Embedded 27 pages/cpu @ffff88011fc00000 s80960
    /// r8192 d21440 u1048576`, `alloc=1*2097152`, `[0] 0 1`.
    /// - 20 KiB dynamic reserve before 3.17: PFN_ALIGN(80960 + 8192 + 20480 = 109632) = 110592
    ///   = 27 pages, d = 110592 − 89152 = 21440; upa: 2 CPUs waste nothing with upa 2 →
    ///   u = 1 MiB.
    /// - before 3.18 NUMA registration is setup_node_data: `Initmem setup node 0 [mem
    ///   0x00000000-0x11fffffff]` (start rounded up to ZONE_ALIGN = 8 MiB: 0) and
    ///   `  NODE_DATA [mem 0x11ffd5000-0x11fffffff]` (RAM here ends at 4.5 GiB, 0x120000000).
    /// - the 2 MiB block [0x11fe00000, 0x120000000) holds NODE_DATA and the alloc info, so the
    ///   chunk is the next one down, 0x11fc00000 → @ffff88011fc00000.
    @Test func debian316Line() throws {
        var platform = oneNode(KernelVersion(3, 16), cpus: 2, nrCPUs: 512, staticSize: 80960, ramEnd: 0xc000_0000)
        platform.memblock.memory.append(PhysRange(base: 0x1_0000_0000, size: 0x2000_0000))
        let result = try Boot.run(platform)
        #expect(result.percpuLines == [
            "setup_percpu: NR_CPUS:512 nr_cpumask_bits:512 nr_cpu_ids:2 nr_node_ids:1",
            "PERCPU: Embedded 27 pages/cpu @ffff88011fc00000 s80960 r8192 d21440 u1048576",
            "pcpu-alloc: s80960 r8192 d21440 u1048576 alloc=1*2097152",
            "pcpu-alloc: [0] 0 1 ",
        ])
        let lines = result.printkLines
        let initmem = try #require(lines.firstIndex(of: "Initmem setup node 0 [mem 0x00000000-0x11fffffff]"))
        #expect(lines[initmem + 1] == "  NODE_DATA [mem 0x11ffd5000-0x11fffffff]")
        #expect(!lines.contains { $0.hasPrefix("NODE_DATA(") })
    }

    /// A 3.17-era Hyper-V guest with 2 nodes (real log quoted in Luiz Capitulino's 2014-09-15
    /// patch, before it): SRAT lines bare, `NUMA: Node 1 [mem 0x80200000-0xf7ffffff] + [mem
    /// 0x100000000-0x1081fffff] -> [mem 0x80200000-0x1081fffff]`, then setup_node_data's
    /// `Initmem setup node 0 [mem 0x00000000-0x7fffffff]` and `Initmem setup node 1 [mem
    /// 0x80800000-0x1081fffff]` (0x80200000 rounded up to ZONE_ALIGN, 8 MiB), each followed by
    /// `  NODE_DATA [mem …]`. That build's page-rounded pgdat is 0x14000 bytes (the log's
    /// `[mem 0x7ffdc000-0x7ffeffff]`): node 0 = top of its RAM 0x7fff0000 − 0x14000 =
    /// 0x7ffdc000; node 1's line ends at 0x1081fdfff, so 8 KiB at the top of its RAM were
    /// already taken (kept here as a reservation): 0x1081fe000 − 0x14000 = 0x1081ea000.
    @Test func hyperv317TwoNodes() throws {
        var platform = x86Platform(kernel: KernelVersion(3, 17), cpus: [(0, 0), (1, 0), (2, 1), (3, 1)],
                                   srat: [(0, 0x8000_0000, 0), (0x8020_0000, 0x77e0_0000, 1), (0x1_0000_0000, 0x820_0000, 1)],
                                   ram: [(0x1000, 0x9_e000), (0x10_0000, 0x7fef_0000), (0x8020_0000, 0x77e0_0000),
                                         (0x1_0000_0000, 0x820_0000)], sratRevision: 1, configure: { $0.pgDataSize = 0x14000 })
        platform.memblock.reserved.append(PhysRange(base: 0x1_081f_e000, size: 0x2000))
        let result = try Boot.run(platform)
        let lines = result.printkLines
        let first = try #require(lines.firstIndex(of: "SRAT: PXM 0 -> APIC 0x00 -> Node 0"))
        #expect(Array(lines[first..<(first + 12)]) == [
            "SRAT: PXM 0 -> APIC 0x00 -> Node 0",
            "SRAT: PXM 0 -> APIC 0x01 -> Node 0",
            "SRAT: PXM 1 -> APIC 0x02 -> Node 1",
            "SRAT: PXM 1 -> APIC 0x03 -> Node 1",
            "SRAT: Node 0 PXM 0 [mem 0x00000000-0x7fffffff]",
            "SRAT: Node 1 PXM 1 [mem 0x80200000-0xf7ffffff]",
            "SRAT: Node 1 PXM 1 [mem 0x100000000-0x1081fffff]",
            "NUMA: Node 1 [mem 0x80200000-0xf7ffffff] + [mem 0x100000000-0x1081fffff] -> [mem 0x80200000-0x1081fffff]",
            "Initmem setup node 0 [mem 0x00000000-0x7fffffff]",
            "  NODE_DATA [mem 0x7ffdc000-0x7ffeffff]",
            "Initmem setup node 1 [mem 0x80800000-0x1081fffff]",
            "  NODE_DATA [mem 0x1081ea000-0x1081fdfff]",
        ])
    }

    /// Ubuntu 3.13.0-46 and 3.19.0-51 (real logs): the d of each era and the form of the
    /// address (the machines' memory maps are not in the logs).
    /// 3.13: PFN_ALIGN(82368 + 8192 + 20480 = 111040) = 114688 = 28 pages, d24128; 8 CPUs:
    /// upa 8 (2 MiB / 8 = 256 KiB ≥ 114688) wastes nothing → u262144.
    /// 3.19: PFN_ALIGN(86144 + 8192 + 28672 = 123008) = 126976 = 31 pages, d32640; 4 CPUs: u524288.
    @Test(arguments: [(KernelVersion(3, 13), 8, 82368, "PERCPU: Embedded 28 pages/cpu @", " s82368 r8192 d24128 u262144",
                       "[0] 0 1 2 3 4 5 6 7 "),
                      (KernelVersion(3, 19), 4, 86144, "PERCPU: Embedded 31 pages/cpu @", " s86144 r8192 d32640 u524288",
                       "[0] 0 1 2 3 ")])
    func ubuntu3xLines(_ kernel: KernelVersion, _ n: Int, _ s: UInt64, _ head: String, _ tail: String, _ map: String) throws {
        let result = try Boot.run(oneNode(kernel, cpus: n, nrCPUs: 256, staticSize: s, ramEnd: 0x8000_0000))
        let lines = result.percpuLines
        #expect(lines.first == "setup_percpu: NR_CPUS:256 nr_cpumask_bits:256 nr_cpu_ids:\(n) nr_node_ids:1")
        let summary = try #require(lines.dropFirst().first)
        #expect(summary.hasPrefix(head + "ffff8800") && summary.hasSuffix(tail))
        #expect(summary.count == head.count + 16 + tail.count)
        #expect(lines.last == "pcpu-alloc: \(map)")
    }

    /// MAXSMP kernels (NR_CPUS 8192 → CPUMASK_OFFSTACK: nr_cpumask_bits = nr_cpu_ids), hashed
    /// %p (4.15–5.0). Fedora 4.18.0-rc8 (real log, 16 CPUs): PFN_ALIGN(1986560 + 8192 + 28672 =
    /// 2023424) = 2023424 = 494 pages, d28672; alloc = 2 MiB holds one unit (upa 1) → u2097152;
    /// two-digit CPU numbers: width = 1·(2 + 1) + 1 + 3 = 7, apl = rounddown_pow_of_two(60 / 7)
    /// = 8 units a line. 4.19.32 (real log, 4 CPUs): PFN_ALIGN(138328 + 8192 + 28672 = 175192)
    /// = 176128 = 43 pages, d29608; upa 8 wastes 4 > 1, upa 4 → u524288.
    @Test func maxsmpHashedPointerEra() throws {
        let fedora = try Boot.run(oneNode(KernelVersion(4, 18), cpus: 16, nrCPUs: 8192, staticSize: 1986560, ramEnd: 0x8000_0000))
        #expect(fedora.percpuLines == [
            "setup_percpu: NR_CPUS:8192 nr_cpumask_bits:16 nr_cpu_ids:16 nr_node_ids:1",
            "percpu: Embedded 494 pages/cpu @(____ptrval____) s1986560 r8192 d28672 u2097152",
            "pcpu-alloc: s1986560 r8192 d28672 u2097152 alloc=1*2097152",
            "pcpu-alloc: [0] 00 [0] 01 [0] 02 [0] 03 [0] 04 [0] 05 [0] 06 [0] 07 ",
            "pcpu-alloc: [0] 08 [0] 09 [0] 10 [0] 11 [0] 12 [0] 13 [0] 14 [0] 15 ",
        ])
        let lts = try Boot.run(oneNode(KernelVersion(4, 19), cpus: 4, nrCPUs: 8192, staticSize: 138328, ramEnd: 0x8000_0000))
        #expect(Array(lts.percpuLines.prefix(2)) == [
            "setup_percpu: NR_CPUS:8192 nr_cpumask_bits:4 nr_cpu_ids:4 nr_node_ids:1",
            "percpu: Embedded 43 pages/cpu @(____ptrval____) s138328 r8192 d29608 u524288",
        ])
    }

    /// A CPU-only SRAT domain (PXM 2: CPUs 4 and 5, no memory) next to two memory nodes, the
    /// SLIT making node 1 the nearest (15 < 31). x86 pcpu_cpu_distance only asks whether the
    /// early nodes are equal; s217088: size_sum 253952, 2 MiB atoms, max upa 8.
    func cpuOnlyNode(_ kernel: KernelVersion) throws -> BootResult {
        try Boot.run(x86Platform(kernel: kernel, cpus: [(0, 0), (1, 0), (2, 1), (3, 1), (4, 2), (5, 2)],
                                 srat: [(0, 0xa0000, 0), (0x10_0000, 0x3ff0_0000, 0), (0x4000_0000, 0x4000_0000, 1)],
                                 ram: [(0x1000, 0x9_ec00), (0x10_0000, 0x7fee_0000)],
                                 slit: [[10, 21, 31], [21, 10, 15], [31, 15, 10]], sratRevision: 1))
    }

    /// 3.10–4.8: find_near_online_node puts CPUs 4 and 5 on node 1 (distance 15) and node 2
    /// never comes online: groups {0,1} and {2,3,4,5}; upa 8 wastes 6 + 4 = 10 > 6/3, upa 4
    /// wastes 2 + 0 = 2 in 2 allocations → u524288, `[0] 0 1 - - [1] 2 3 4 5 `.
    @Test func cpuOnlyNodeBefore49TakesNearestNode() throws {
        let result = try cpuOnlyNode(KernelVersion(4, 8))
        #expect(result.percpuLines.suffix(2) == [
            "pcpu-alloc: s217088 r8192 d28672 u524288 alloc=1*2097152",
            "pcpu-alloc: [0] 0 1 - - [1] 2 3 4 5 ",
        ])
        #expect(!result.printkLines.contains { $0.hasPrefix("NODE_DATA(2)") })
        #expect(result.topology?.node(ofCPU: 4) == 1)
    }

    /// 4.9–5.17: init_memory_less_node → alloc_node_data(2): node 2 has no memory, so
    /// memblock_phys_alloc_try_nid falls back to any node, top-down below max_pfn
    /// (0x7ffe0000): the SLIT's distance table took [0x7ffdf000, +9), NODE_DATA(1)
    /// [0x7ffb4000, 0x7ffdf000), so NODE_DATA(2) = 0x7ffb4000 − 0x2b000 = 0x7ff89000, on node 1.
    /// Three groups of 2: upa 2 wastes nothing → u1048576, `[0] 0 1 [1] 2 3 [2] 4 5 `.
    @Test func cpuOnlyNodeFrom49GetsNodeData() throws {
        for kernel in [KernelVersion(4, 9), KernelVersion(5, 10), KernelVersion(5, 17)] {
            let result = try cpuOnlyNode(kernel)
            let lines = result.printkLines
            let nodeData = try #require(lines.firstIndex(of: "NODE_DATA(2) allocated [mem 0x7ff89000-0x7ffb3fff]"))
            #expect(lines[nodeData + 1] == "    NODE_DATA(2) on node 1")
            // init_cpu_to_node runs after prefill_possible_map.
            #expect(lines.firstIndex(of: "smpboot: Allowing 6 CPUs, 0 hotplug CPUs").map { $0 < nodeData } == true)
            #expect(!lines.contains("Initializing node 2 as memoryless"))
            #expect(result.percpuLines.suffix(2) == [
                "pcpu-alloc: s217088 r8192 d28672 u1048576 alloc=1*2097152",
                "pcpu-alloc: [0] 0 1 [1] 2 3 [2] 4 5 ",
            ])
        }
    }

    /// 5.18+: free_area_init's "Initializing node 2 as memoryless" instead.
    @Test func cpuOnlyNodeFrom518InFreeAreaInit() throws {
        let lines = try cpuOnlyNode(KernelVersion(5, 18)).printkLines
        #expect(lines.contains("Initializing node 2 as memoryless"))
        #expect(!lines.contains { $0.hasPrefix("NODE_DATA(2)") })
    }

    /// NODE_MIN_SIZE until the 4 MiB rule went: a 2 MiB node gets no NODE_DATA (and stays
    /// offline, so its CPU goes to node 0 by distance before 4.9); from 6.1 it gets one.
    @Test func nodeMinSize() throws {
        func run(_ kernel: KernelVersion) throws -> [String] {
            try Boot.run(x86Platform(kernel: kernel, cpus: [(0, 0), (1, 1)],
                                     srat: [(0, 0x7fe0_0000, 0), (0x7fe0_0000, 0x20_0000, 1)],
                                     ram: [(0x10_0000, 0x7ff0_0000)], sratRevision: 1)).printkLines
        }
        let old = try run(KernelVersion(4, 4))
        #expect(old.contains("NODE_DATA(0) allocated [mem 0x7fdd5000-0x7fdfffff]"))   // node 0 ends at 0x7fe00000
        #expect(!old.contains { $0.hasPrefix("NODE_DATA(1)") })
        #expect((try run(.v6_1)).contains("NODE_DATA(1) allocated [mem 0x7ffd5000-0x7fffffff]"))
    }

    /// The linear map moved up 512 GiB in 4.20 (4-level) — visible in the pre-4.15 %p and in
    /// the page chunk's vmalloc-independent `__va()` of every unit.
    @Test func pageOffsetBefore420() {
        let config = KernelConfig.defaults(for: .x86_64)
        func offset(_ kernel: KernelVersion, _ mode: PagingMode) -> UInt64 {
            var c = config
            c.pagingMode = mode
            return ArchProfile(arch: .x86_64, kernel: kernel, config: c, cmdline: KernelCommandLine()).layout.pageOffset
        }
        #expect(offset(KernelVersion(4, 19), .level4) == 0xffff_8800_0000_0000)
        #expect(offset(KernelVersion(4, 20), .level4) == 0xffff_8880_0000_0000)
        #expect(offset(KernelVersion(4, 19), .level5) == 0xff10_0000_0000_0000)
        #expect(offset(KernelVersion(4, 20), .level5) == 0xff11_0000_0000_0000)
    }

    /// 5-level paging before 4.14 is refused with a reason (exit 2 in the CLI).
    @Test func fiveLevelBefore414Refused() {
        let platform = x86Platform(kernel: KernelVersion(4, 13), cpus: [(0, 0)], ram: [(0x10_0000, 0x7fee_0000)],
                                   configure: { $0.pagingMode = .level5 })
        #expect(throws: BootError.self) { try Boot.run(platform) }
        #expect(ArchProfile.unsupportedReason(arch: .x86_64, kernel: KernelVersion(4, 14), config: platform.config) == nil)
    }

    /// x86's own pcpu_alloc_bootmem (before 5.17) prints its pr_debug under `setup_percpu: `
    /// with `%016lx`: the 4.4 machine above allocates its one 2 MiB group for CPU 0 on node 0.
    @Test func fcAllocDebugFormatBefore517() throws {
        let result = try Boot.run(oneNode(KernelVersion(4, 4), cpus: 4, nrCPUs: 256, staticSize: 98008, ramEnd: 0x7760_0000))
        #expect(result.log.texts([.dynamicDebug]).filter { $0.contains("per cpu data") }
                == ["setup_percpu: per cpu data for cpu0 2097152 bytes on node0 at 0000000077200000"])
    }
}
