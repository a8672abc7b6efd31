import Testing
@testable import PercpuBoot

/// VMALLOC_TOTAL per architecture, page size, VA bits / paging mode and kernel.
/// Expected values: KERNEL-SPEC §8 tables (read from the kernel headers of each
/// version) and the value quoted by commit 09cea6195073 for 5.x 64K/52.
@Suite struct VmallocLayoutTests {
    static func total(_ arch: Architecture, _ kernel: KernelVersion, page: UInt64 = 4096, vaBits: Int? = nil,
                      paging: PagingMode? = nil, cmdline: String = "") -> UInt64 {
        var config = KernelConfig.defaults(for: arch)
        config.pageSize = page
        if let vaBits { config.vaBits = vaBits }
        if let paging { config.pagingMode = paging }
        return ArchProfile(arch: arch, kernel: kernel, config: config, cmdline: KernelCommandLine(cmdline)).vmallocTotal
    }

    @Test(arguments: [
        (UInt64(4096), 39, KernelVersion.v6_8, UInt64(0x3d70000000)),
        (4096, 48, .v6_8, 0x7bff70000000),
        (16384, 47, .v6_8, 0x3f7f70000000),
        (16384, 48, .v6_8, 0x7eff70000000),
        (65536, 42, .v6_8, 0x1fe70000000),
        (65536, 48, .v6_8, 0x7fbf70000000),
        (65536, 52, .v6_8, 0x7bff70000000),
        (4096, 39, .v6_1, 0x3de8000000),
        (4096, 48, .v6_1, 0x7bffe8000000),
        (65536, 52, .v6_1, 0x7bffe8000000),
        (4096, 39, .v6_12, 0x3e3f800000),
        (4096, 48, .v6_12, 0x7dff3f800000),
        (16384, 48, .v6_12, 0x7f7f3f800000),
        (65536, 48, .v6_12, 0x7fdf3f800000),
        (65536, 52, .v6_12, 0x7c1f3f800000),     // 52-bit hardware
        (65536, 52, .v5_10, 0x781fefff0000),     // the value commit 09cea6195073 quotes
        (4096, 48, .v5_10, 0x7dffafff0000),
    ])
    func arm64(page: UInt64, vaBits: Int, kernel: KernelVersion, expected: UInt64) {
        #expect(Self.total(.arm64, kernel, page: page, vaBits: vaBits) == expected)
    }

    /// Debian 6.1 arm64 (4K/48): threshold 3/4 = 0x5cffee000000 (KERNEL-SPEC §10.A).
    @Test func debianThreshold() {
        #expect(Self.total(.arm64, .v6_1, vaBits: 48) * 3 / 4 == 0x5cffee000000)
    }

    /// riscv64: VMALLOC_SIZE = 64 × PGDIR_SIZE: Sv39 64 GiB, Sv48 32 TiB, Sv57 16 PiB;
    /// `no5lvl` / `no4lvl` step down from what the hardware offers.
    @Test func riscv64() {
        #expect(Self.total(.riscv64, .v6_8, paging: .sv39) == 0x10_0000_0000)
        #expect(Self.total(.riscv64, .v6_8, paging: .sv48) == 0x2000_0000_0000)
        #expect(Self.total(.riscv64, .v6_8, paging: .sv57) == 0x40_0000_0000_0000)
        #expect(Self.total(.riscv64, .v6_8, paging: .sv57, cmdline: "no5lvl") == 0x2000_0000_0000)
        #expect(Self.total(.riscv64, .v6_8, paging: .sv57, cmdline: "no4lvl") == 0x10_0000_0000)
    }

    /// x86_64: 32 TB − 1 (4-level), 12800 TB − 1 (5-level).
    @Test func x86_64() {
        #expect(Self.total(.x86_64, .v6_8, paging: .level4) == 0x1fffffffffff)
        #expect(Self.total(.x86_64, .v6_8, paging: .level5) == 0x31ffffffffffff)
        #expect(Self.total(.x86_64, .v6_8, paging: .level5, cmdline: "no5lvl") == 0x1fffffffffff)
    }

    @Test func nommuHasNoVmallocSpace() {
        var config = KernelConfig.defaults(for: .riscv64)
        config.mmu = false
        #expect(ArchProfile(arch: .riscv64, kernel: .v6_8, config: config, cmdline: KernelCommandLine()).vmallocTotal == 0)
    }
}
