import Foundation
import Testing
@testable import PercpuBoot

/// One shared boot of 8192 CPUs on 1024 nodes (8 per node, 1 GiB each), booted once.
enum LargeMachine {
    private static let cached: Result<BootResult, BootError> = Result { () throws(BootError) -> BootResult in
        try Boot.run(ReportFixtures.arm64(nodes: 1024, cpusPerNode: 8, name: "big", nrCpus: 8192, nodesShift: 10,
                                          distanceMap: false))
    }

    static func result() throws -> BootResult { try cached.get() }
}

@Suite("Reports of an 8192-CPU / 1024-node machine")
struct LargeMachineTests {
    /// Without a distance map every pair of nodes is REMOTE_DISTANCE apart, so each
    /// node is its own group: 1024 groups of 8 units.
    @Test("text: one offset row per CPU, distance table summarised")
    func text() throws {
        let result = try LargeMachine.result()
        #expect(result.allocInfo?.groups.count == 1024)
        let clock = ContinuousClock()
        var report = ""
        let elapsed = clock.measure { report = TextReport.render(result) }
        #expect(elapsed < .seconds(10))
        let rows = ReportFixtures.numberedRows(ReportFixtures.section("__per_cpu_offset[]", in: report))
        #expect(rows.count == 8192)
        #expect(rows.map { $0[0] } == (0..<8192).map(String.init))
        #expect(report.contains("  node distances: 1024 nodes, values 10, 20 (table omitted above 64 nodes"))
        #expect(report.count < 4_000_000)
    }

    @Test("JSON: every CPU and a 1024x1024 distance matrix")
    func json() throws {
        let result = try LargeMachine.result()
        let report = BootReportJSON(result)
        #expect(report.cpus.count == 8192)
        #expect(report.groups.count == 1024)
        #expect(report.topology?.distances.matrix.count == 1024)
        #expect(report.topology?.distances.matrix[3][3] == 10 && report.topology?.distances.matrix[3][4] == 20)
    }

    @Test("compare: the large machine against the 4-CPU one")
    func compare() throws {
        let table = CompareReport.render([("small", try ReportFixtures.twoNode()), ("big", try LargeMachine.result())])
        let rows = table.split(separator: "\n").map(String.init)
        #expect(rows.contains { ReportFixtures.cells($0) == ["*", "CPUs", "4", "8192"] })
        #expect(rows.contains { $0.hasPrefix("*  groups") })
    }
}
