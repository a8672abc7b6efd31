import Testing
import PcpuBootTestSupport
@testable import PercpuBoot

/// The first-chunk summary line of each era of mm/percpu.c, on one small machine:
/// 2 CPUs of one node, s87272, 4K pages, MODULES (r8192).
///
/// 6.1 (the real Debian boots print it): size_sum = PFN_ALIGN(87272 + 8192 + 28672 = 124136)
/// = 126976 = 31 pages, d = 126976 − 95464 = 31512, u = 126976.
@Suite struct PercpuPrintkErasTests {
    func summary(_ kernel: KernelVersion) throws -> (line: String?, result: BootResult) {
        let platform = deviceTreePlatform(kernel: kernel, cpuNodes: [0, 0], memory: [(0x4000_0000, 1 << 30, 0)])
        let result = try Boot.run(platform)
        return (result.percpuLines.first { $0.contains("pages/cpu") }, result)
    }

    /// ≥ 5.1 (00206a69ee32): no address; the line of the real 6.1 and 7.2 boots.
    @Test func noAddressSince51() throws {
        #expect(try summary(KernelVersion(5, 1)).line == "percpu: Embedded 31 pages/cpu s87272 r8192 d31512 u126976")
        #expect(try summary(.v7_2).line == "percpu: Embedded 31 pages/cpu s87272 r8192 d31512 u126976")
    }

    /// 4.15 … 5.0: hashed %p prints `(____ptrval____)` this early (real 4.19.32 line:
    /// `percpu: Embedded 43 pages/cpu @(____ptrval____) s138328 r8192 d29608 u524288`).
    @Test func hashedPointerFrom415To50() throws {
        for kernel in [KernelVersion(4, 15), KernelVersion(4, 19), KernelVersion(5, 0)] {
            #expect(try summary(kernel).line == "percpu: Embedded 31 pages/cpu @(____ptrval____) s87272 r8192 d31512 u126976")
        }
    }

    /// 4.6 … 4.14: pr_fmt `percpu: ` and the raw %p: 16 lower-case hex digits of the
    /// chunk's base (real Ubuntu 4.4 line: `PERCPU: Embedded 33 pages/cpu @ffff880077200000 s98008 …`).
    @Test func rawPointerBefore415() throws {
        let (line, result) = try summary(KernelVersion(4, 14))
        let base = try #require(result.setup?.baseAddr)
        let hex = String(base, radix: 16)
        #expect(line == "percpu: Embedded 31 pages/cpu @\(String(repeating: "0", count: 16 - hex.count) + hex) s87272 r8192 d31512 u126976")
    }

    /// ≤ 4.5: the literal `PERCPU: ` prefix (870d4b12ad15 added pr_fmt in 4.6).
    @Test func literalPrefixBefore46() throws {
        let line = try #require(try summary(KernelVersion(4, 4)).line)
        #expect(line.hasPrefix("PERCPU: Embedded 31 pages/cpu @"))
        #expect(line.hasSuffix(" s87272 r8192 d31512 u126976"))
    }

    /// ≤ 3.16: PERCPU_DYNAMIC_RESERVE 20 KiB on 64-bit: PFN_ALIGN(87272 + 8192 + 20480 = 115944)
    /// = 118784 = 29 pages, d = 118784 − 95464 = 23320, u = 118784 (Debian 3.16.0-4's real
    /// line has d21440 for s80960: PFN_ALIGN(80960 + 8192 + 20480) − 89152 = 21440, the same rule).
    @Test func dynamicReserve20KBefore317() throws {
        let line = try #require(try summary(KernelVersion(3, 16)).line)
        #expect(line.hasPrefix("PERCPU: Embedded 29 pages/cpu @"))
        #expect(line.hasSuffix(" s87272 r8192 d23320 u118784"))
        #expect(try summary(KernelVersion(3, 17)).line?.hasSuffix(" s87272 r8192 d31512 u126976") == true)
    }
}
