import Testing
@testable import PercpuBoot

@Suite("TextTable and report number formats")
struct TableFormatterTests {
    @Test("columns are as wide as their widest cell, numbers right-aligned, no trailing blanks")
    func alignment() {
        var table = TextTable([.init("CPU", .right), .init("name")])
        table.append(["7", "a"])
        table.append(["1024", "longer"])
        // Column 1 is 4 wide ("1024"), column 2 6 wide ("longer"); separator two blanks.
        #expect(table.render() == """
             CPU  name
            ----  ------
               7  a
            1024  longer

            """)
    }

    @Test("indent, missing cells and headerless tables")
    func indentAndMissingCells() {
        var table = TextTable([.init("a"), .init("b", .right)], showsHeader: false)
        table.append(["x"])
        table.append(["yy", "3"])
        #expect(table.render(indent: "  ") == "  x\n  yy  3\n")
    }

    @Test("a table of 10000 rows renders one line per row")
    func manyRows() {
        var table = TextTable([.init("n", .right), .init("hex", .right)])
        for i in 0..<10_000 { table.append([String(i), ReportFormat.hex(UInt64(i) * 4096)]) }
        let lines = table.render().split(separator: "\n")
        #expect(lines.count == 10_002)
        // 9999 * 4096 = 0x270f000: 9 characters, the widest hex cell.
        #expect(lines.last == "9999  0x270f000")
    }

    @Test("sizes: exact binary units, else one decimal")
    func sizes() {
        #expect(ReportFormat.size(512) == "512 B")
        #expect(ReportFormat.size(8192) == "8 KiB")
        #expect(ReportFormat.size(1 << 30) == "1 GiB")
        // 87272 / 1024 = 85.226...
        #expect(ReportFormat.size(87272) == "85.2 KiB")
        #expect(ReportFormat.bytes(126976) == "126976 (124 KiB)")
        #expect(ReportFormat.hex(0) == "0x0")
        #expect(ReportFormat.range(0x4000_0000, size: 1 << 30) == "0x40000000-0x7fffffff")
        #expect(ReportFormat.percent(1, of: 3) == "33%")
        #expect(ReportFormat.percent(0xc003b000, of: 0x5cffee000000) == "0.003%")
    }
}
