/// Plain-ASCII column tables for the text and compare reports.
///
/// Every column is as wide as its widest cell (title included); numbers are
/// usually right-aligned, words left-aligned. Rendering is linear in the number
/// of cells: widths are measured once, each line is built in one buffer, so a
/// table with one row per CPU stays fast at thousands of CPUs.
public struct TextTable: Sendable {
    public enum Alignment: Sendable { case left, right }

    public struct Column: Sendable {
        public var title: String
        public var alignment: Alignment

        public init(_ title: String, _ alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    public var columns: [Column]
    public private(set) var rows: [[String]] = []
    /// Print the titles and a dashed rule under them.
    public var showsHeader: Bool

    public init(_ columns: [Column], showsHeader: Bool = true) {
        self.columns = columns
        self.showsHeader = showsHeader
    }

    /// Adds a row; missing cells are empty, extra cells are ignored.
    public mutating func append(_ row: [String]) {
        if row.count == columns.count {
            rows.append(row)
        } else {
            rows.append((0..<columns.count).map { $0 < row.count ? row[$0] : "" })
        }
    }

    /// The table, one line per row (each ending in a newline), each line
    /// starting with `indent`; columns separated by `separator`. Trailing
    /// blanks are trimmed.
    public func render(indent: String = "", separator: String = "  ") -> String {
        guard !columns.isEmpty else { return "" }
        var widths = columns.map { showsHeader ? $0.title.count : 0 }
        for row in rows {
            for (i, cell) in row.enumerated() where cell.count > widths[i] { widths[i] = cell.count }
        }
        var out = ""
        out.reserveCapacity((rows.count + 2) * (widths.reduce(indent.count) { $0 + $1 + separator.count } + 1))
        if showsHeader {
            line(columns.map(\.title), widths: widths, indent: indent, separator: separator, into: &out)
            line(widths.map { String(repeating: "-", count: $0) }, widths: widths, indent: indent,
                 separator: separator, into: &out)
        }
        for row in rows { line(row, widths: widths, indent: indent, separator: separator, into: &out) }
        return out
    }

    private func line(_ cells: [String], widths: [Int], indent: String, separator: String, into out: inout String) {
        var text = indent
        for (i, cell) in cells.enumerated() {
            if i > 0 { text += separator }
            let pad = widths[i] - cell.count
            if columns[i].alignment == .right {
                if pad > 0 { text += String(repeating: " ", count: pad) }
                text += cell
            } else {
                text += cell
                if pad > 0 && i < cells.count - 1 { text += String(repeating: " ", count: pad) }
            }
        }
        while text.last == " " { text.removeLast() }
        out += text
        out += "\n"
    }
}

/// A two-column "key   value" list (no header), for summaries.
public struct KeyValueList: Sendable {
    private var table = TextTable([TextTable.Column(""), TextTable.Column("")], showsHeader: false)

    public init() {}

    public mutating func append(_ key: String, _ value: String) { table.append([key, value]) }

    public func render(indent: String = "  ") -> String { table.render(indent: indent, separator: "  ") }
}
