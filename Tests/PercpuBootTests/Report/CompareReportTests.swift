import Testing
@testable import PercpuBoot

@Suite("Compare report")
struct CompareReportTests {
    /// The 2-node machine with embed (units of 31 pages, 2 groups) and with
    /// percpu_alloc=page (27 pages, 1 group; see TextReportTests for both derivations).
    @Test("one column per platform, differing rows marked")
    func embedVersusPage() throws {
        let table = CompareReport.render([("embed", try ReportFixtures.twoNode()),
                                          ("page", try ReportFixtures.twoNode(cmdline: "percpu_alloc=page"))])
        let rows = table.split(separator: "\n").map(String.init)
        let header = try #require(rows.first)
        #expect(ReportFixtures.cells(header) == ["fact", "embed", "page"])
        func row(_ fact: String) -> [String]? {
            rows.first { ReportFixtures.cells(String($0.dropFirst(3))).first == fact || $0.dropFirst(3).hasPrefix(fact + " ") }
                .map { [String($0.prefix(1))] + ReportFixtures.cells(String($0.dropFirst(3))) }
        }
        #expect(row("arch") == [" ", "arch", "arm64", "(VA_BITS", "48)", "arm64", "(VA_BITS", "48)"])
        #expect(row("pages/cpu") == ["*", "pages/cpu", "31", "27"])
        #expect(row("groups") == ["*", "groups", "2", "1"])
        #expect(row("units") == [" ", "units", "4", "4"])
        #expect(row("s/r/d/u") == ["*", "s/r/d/u", "s87272", "r8192", "d31512", "u126976",
                                   "s87272", "r8192", "d15128", "u110592"])
        #expect(row("max_distance")?.first == "*")
        #expect(row("max_distance")?.last == "-")
        #expect(row("threshold")?.first == " ")
        // Kernel lines aligned by order: the embed summary against the page summary.
        #expect(row("percpu #1") == ["*", "percpu", "#1", "Embedded", "31", "pages/cpu", "s87272", "r8192", "d31512",
                                     "u126976", "27", "4K", "pages/cpu", "s87272", "r8192", "d15128"])
        #expect(row("pcpu-alloc #2")?.first == "*")    // [0] 0 [0] 1 [1] 2 ... vs [0] 0 [0] 1 [0] 2 ...
        #expect(table.hasSuffix("facts differ (marked *)\n"))
    }

    @Test("identical platforms: nothing marked")
    func identical() throws {
        let result = try ReportFixtures.twoNode()
        let table = CompareReport.render([("a", result), ("b", result)])
        #expect(table.hasSuffix("\n0 of 22 facts differ (marked *)\n"))
        #expect(!table.split(separator: "\n").dropFirst(2).contains { $0.hasPrefix("*") })
    }
}
