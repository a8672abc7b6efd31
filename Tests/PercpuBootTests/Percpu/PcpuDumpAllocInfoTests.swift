import Testing
@testable import PercpuBoot

/// `pcpu_dump_alloc_info` line breaking, worked by hand.
@Suite struct PcpuDumpAllocInfoTests {
    /// 100 CPUs, one group, upa 1: cpu_width 3, group_width 1, width = 1*(3+1)+1+3 = 8,
    /// 60/8 = 7 → apl = 4 allocations per line; CPU numbers are zero padded to 3.
    @Test func hundredCPUsFourPerLine() {
        let ai = PcpuAllocInfo(staticSize: 1, reservedSize: 0, dynSize: 2, unitSize: 4096, atomSize: 4096, allocSize: 4096,
                               groups: [PcpuGroupInfo(nrUnits: 100, baseOffset: 0, cpuMap: Array(0..<100))],
                               emptyUnit: 256, aiSize: 4096, aiPhys: 0)
        let lines = pcpuAllocInfoLines(ai, numPossibleCPUs: 100)
        #expect(lines.count == 1 + 25)
        #expect(lines[1] == "pcpu-alloc: [0] 000 [0] 001 [0] 002 [0] 003 ")
        #expect(lines[25] == "pcpu-alloc: [0] 096 [0] 097 [0] 098 [0] 099 ")
    }

    /// 12 groups of one CPU: group_width 2, cpu_width 2, width = 1*3+2+3 = 8 → apl 4; "[00] 00 ".
    @Test func twoDigitGroups() {
        let groups = (0..<12).map { PcpuGroupInfo(nrUnits: 1, baseOffset: UInt64($0) * 4096, cpuMap: [$0]) }
        let ai = PcpuAllocInfo(staticSize: 1, reservedSize: 0, dynSize: 2, unitSize: 4096, atomSize: 4096,
                               allocSize: 4096, groups: groups, emptyUnit: 256, aiSize: 4096, aiPhys: 0)
        let lines = pcpuAllocInfoLines(ai, numPossibleCPUs: 12)
        #expect(lines[1] == "pcpu-alloc: [00] 00 [01] 01 [02] 02 [03] 03 ")
        #expect(lines.count == 4)
    }
}
