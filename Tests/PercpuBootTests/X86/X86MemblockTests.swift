import Testing
import KernelSupport
import Memblock
import PcpuBootTestSupport
@testable import PercpuBoot

/// memblock as x86_64's setup_arch hands it to NUMA init and to setup_per_cpu_areas (v6.1).
@Suite struct X86MemblockTests {
    /// e820__memblock_setup adds [0x1000, 0x9fc00) and [0x100000, 0x7ffe0000), then trims to
    /// pages: [0x1000, 0x9f000). The size counter keeps the untrimmed 0x9ec00 + 0x7fee0000 =
    /// 0x7ff7ec00, as the real dumps show. max_pfn = 0x7ffe0, and init_mem_mapping maps all
    /// of it: current_limit = PFN_PHYS(max_pfn_mapped) = 0x7ffe0000.
    @Test func initialMemblock() throws {
        let platform = qemuTwoNodes()
        let profile = ArchProfile(arch: .x86_64, kernel: .v6_1, config: platform.config, cmdline: KernelCommandLine())
        let memblock = try X86SetupArch.initialMemblock(platform, profile: profile, cmdline: KernelCommandLine())
        #expect(memblock.memory.map { [$0.base, $0.size] } == [[0x1000, 0x9_e000], [0x10_0000, 0x7fee_0000]])
        #expect(memblock.memorySize == 0x7ff7_ec00)
        #expect(memblock.currentLimit == 0x7ffe_0000)
        #expect(!memblock.bottomUp)
    }

    /// `movable_node`: memblock is bottom-up until NUMA init has parsed the SRAT, so the
    /// distance table (allocated while the SLIT is read) takes the lowest free page ≥ 4 KiB:
    /// everything below 1 MiB is reserved, so 0x100000. NODE_DATA comes after
    /// `memblock_set_bottom_up(false)`: top of node 0 again, 0x3ffd5000.
    @Test func movableNodeAllocatesBottomUpUntilNUMAInit() throws {
        let result = try Boot.run(qemuTwoNodes(cmdline: "movable_node memblock=debug"))
        let trace = result.log.texts()
        let table = try #require(trace.firstIndex { $0.hasSuffix(" numa_alloc_distance") })
        #expect(trace[table + 1] == "memblock_reserve: [0x0000000000100000-0x0000000000100003] memblock_alloc_range_nid")
        #expect(trace.contains("NODE_DATA(0) allocated [mem 0x3ffd5000-0x3fffffff]"))
    }

    /// From a real log: `last_pfn = 0x7ffe0 max_arch_pfn = 0x10000000000` gives the limit.
    @Test func currentLimitFromTheLog() throws {
        let text = try Fixtures.text("x86-2node-embed/console.log")
        #expect(X86SetupArch.lastPFN(inLog: text) == 0x7ffe0)
        #expect(X86SetupArch.lastPFN(inLog: "no such line") == nil)
        let profile = ArchProfile(arch: .x86_64, kernel: .v6_1, config: .defaults(for: .x86_64), cmdline: KernelCommandLine())
        var memblock = Memblock(profile: profile.memblockProfile)
        X86SetupArch.adoptReplayedMemblock(&memblock, logText: text, profile: profile, cmdline: KernelCommandLine())
        #expect(memblock.currentLimit == 0x7ffe_0000)
    }

    /// max_pfn never exceeds MAX_ARCH_PFN: 2^46 bytes of physical address space with
    /// 4-level paging (the real logs' 0x10000000000 pfns = 2^52 bytes is 5-level).
    @Test func maxPFNIsCappedByThePagingMode() throws {
        var config = KernelConfig.defaults(for: .x86_64)
        config.pagingMode = .level4
        let profile = ArchProfile(arch: .x86_64, kernel: .v6_1, config: config, cmdline: KernelCommandLine())
        var memblock = Memblock(profile: profile.memblockProfile)
        var log = KernelLog()
        try memblock.add(0x4000_0000_0000, 1 << 30, log: &log, caller: "test")
        #expect(X86SetupArch.maxPFN(memblock, profile: profile) == 1 << 34)
    }
}
