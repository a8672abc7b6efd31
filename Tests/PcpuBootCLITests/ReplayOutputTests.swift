import Foundation
import Testing
@testable import PcpuBootCLI
import PcpuBootTestSupport

/// The other outputs and inputs of `replay`, on the recorded arm64 machine.
@Suite struct ReplayOutputTests {
    static let name = "arm64-4node-workload"

    /// /proc/meminfo's Percpu: pcpu_nr_pages() = pcpu_nr_populated × pcpu_nr_units
    /// = 0x9a (recorded) × 8 × 4 KiB = 4928 kB, printed "%8lu kB".
    @Test func textShowsMeminfoPercpu() {
        let output = PcpuBootCLI.run(ReplayRealTraceTests.arguments(Self.name, format: "text"))
        #expect(output.status == 0)
        #expect(output.stdout.contains("Percpu:             4928 kB"))
        #expect(output.stdout.contains("Next chunk (pcpu_get_vm_areas): base 0x"))
    }

    @Test func svgHasOneRowPerChunk() {
        let output = PcpuBootCLI.run(ReplayRealTraceTests.arguments(Self.name, format: "svg"))
        #expect(output.stdout.hasPrefix("<svg"))
        // reserved + first + 4 dynamic chunks (the recorded state lists 5 chunks on slots).
        #expect(output.stdout.components(separatedBy: "<text x=\"10\" y=").count - 1 == 1 + 6)
    }

    /// A workload: 120 accounted 688-byte areas (a memory cgroup's per-CPU stats in
    /// 6.1), every other one freed, the balance work run at once when scheduled.
    @Test func workloadRuns() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("replay-workload-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("w.yaml")
        try """
        steps:
          - alloc: { count: 120, size: 688, align: 8, gfp: GFP_KERNEL_ACCOUNT, tag: memcg }
          - free: { tag: memcg, every: 2 }
        """.write(to: file, atomically: true, encoding: .utf8)
        let output = PcpuBootCLI.run(ReplayRealTraceTests.arguments(Self.name, format: "text", trace: file.path))
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("workload: 120 allocated, 0 failed, 60 freed"))
        // 60 live areas × pcpu_obj_full_size(688) = 60 × (688 × 8 + 172 × 8) = 412800 bytes.
        #expect(output.stdout.contains("memcg: 412800 bytes charged"))
        let bad = dir.appendingPathComponent("bad.yaml")
        try "steps:\n  - alloc: { size: 8, gfp: GFP_KERNL }\n".write(to: bad, atomically: true, encoding: .utf8)
        let error = PcpuBootCLI.run(ReplayRealTraceTests.arguments(Self.name, format: "text", trace: bad.path))
        #expect(error.status == 2)
        #expect(error.stderr.contains("bad.yaml:2:"))
    }

    @Test func aBadTraceLineIsReportedWithItsPlace() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("replay-bad-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("t.txt")
        try "alloc size=8 align=8 reserved=0 gfp=0xcc0\nfrea 0x10\n".write(to: file, atomically: true, encoding: .utf8)
        let output = PcpuBootCLI.run(ReplayRealTraceTests.arguments(Self.name, format: "trace", trace: file.path))
        #expect(output.status == 2)
        #expect(output.stderr.contains("t.txt:2:1: unknown event 'frea'"))
    }
}
