/// A minimal SVG writer for the layout picture: shapes and text appended to a
/// buffer, every attribute and text escaped for XML, numbers written with at
/// most one decimal. No external fonts, styles or scripts, so the file is
/// self-contained and renders the same everywhere.
struct SVGCanvas {
    let width: Double
    private(set) var body = ""

    init(width: Double) { self.width = width }

    /// The finished document, `height` pixels tall, on a white background.
    func document(height: Double, title: String) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\""
            + " viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" font-family=\"monospace\" font-size=\"11\">\n"
            + "<title>\(Self.escape(title))</title>\n"
            + "<rect x=\"0\" y=\"0\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"#ffffff\"/>\n"
            + body + "</svg>\n"
    }

    /// A rectangle; `tooltip` becomes a `<title>` child (shown on hover).
    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String,
                       stroke: String? = nil, tooltip: String? = nil, dashed: Bool = false) {
        var element = "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(max(w, 0)))\""
            + " height=\"\(Self.number(max(h, 0)))\" fill=\"\(fill)\""
        if let stroke { element += " stroke=\"\(stroke)\" stroke-width=\"0.8\"" }
        if dashed { element += " stroke-dasharray=\"3,2\"" }
        if let tooltip {
            body += element + "><title>\(Self.escape(tooltip))</title></rect>\n"
        } else {
            body += element + "/>\n"
        }
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ x: Double, _ y: Double, _ string: String, size: Double = 11, anchor: Anchor = .start,
                       bold: Bool = false, fill: String = "#222222") {
        var element = "<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\""
        if size != 11 { element += " font-size=\"\(Self.number(size))\"" }
        if anchor != .start { element += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { element += " font-weight=\"bold\"" }
        if fill != "#222222" { element += " fill=\"\(fill)\"" }
        body += element + ">\(Self.escape(string))</text>\n"
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#444444",
                       width: Double = 1, dashed: Bool = false) {
        body += "<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\""
            + " y2=\"\(Self.number(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\""
            + (dashed ? " stroke-dasharray=\"4,3\"" : "") + "/>\n"
    }

    /// Text that fits `width` pixels at `size` (monospace: ~0.6 em per character), shortened with "..".
    static func fit(_ string: String, width: Double, size: Double = 11) -> String? {
        let capacity = Int(width / (size * 0.6))
        if string.count <= capacity { return string }
        if capacity < 3 { return nil }
        return String(string.prefix(capacity - 2)) + ".."
    }

    /// Escapes `& < > " '` for text and attribute values, and drops characters XML 1.0 forbids.
    static func escape(_ string: String) -> String {
        var out = ""
        out.reserveCapacity(string.utf8.count)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v >= 0x20 && !(0xFFFE...0xFFFF).contains(v) { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// A coordinate with at most one decimal.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = Int((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        return magnitude % 10 == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }

    /// A distinct colour per node (golden-angle hues), `#rrggbb`; grey for no node.
    static func nodeColor(_ node: Int, lightness: Double = 0.62) -> String {
        guard node >= 0 else { return "#bbbbbb" }
        let hue = (Double(node) * 137.508).truncatingRemainder(dividingBy: 360)
        return hsl(hue, 0.55, lightness)
    }

    static func hsl(_ hue: Double, _ saturation: Double, _ lightness: Double) -> String {
        let c = (1 - abs(2 * lightness - 1)) * saturation
        let h = hue / 60
        let x = c * (1 - abs(h.truncatingRemainder(dividingBy: 2) - 1))
        let (r, g, b): (Double, Double, Double) = switch Int(h) {
        case 0: (c, x, 0)
        case 1: (x, c, 0)
        case 2: (0, c, x)
        case 3: (0, x, c)
        case 4: (x, 0, c)
        default: (c, 0, x)
        }
        let m = lightness - c / 2
        let hex = { (v: Double) -> String in
            let byte = UInt64(max(0, min(255, ((v + m) * 255).rounded())))
            return byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }
        return "#" + hex(r) + hex(g) + hex(b)
    }

    /// Colours of a unit's regions.
    static let segmentColors: [String: String] = [
        "static": "#4e79a7", "reserved": "#f28e2b", "dynamic": "#59a14f", "free tail": "#d9d9d9",
    ]
}
