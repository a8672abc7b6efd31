import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import PercpuBoot

/// Parses an SVG with Foundation's XMLParser and collects what the tests look at.
final class SVGCollector: NSObject, XMLParserDelegate {
    var rootName: String?
    var elementCount = 0
    var texts: [String] = []
    private var inText = false
    private var current = ""

    /// Parses `svg`; nil if it is not well-formed XML.
    static func parse(_ svg: String) -> SVGCollector? {
        let collector = SVGCollector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = collector
        return parser.parse() ? collector : nil
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if rootName == nil { rootName = name }
        elementCount += 1
        if name == "text" { inText = true; current = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { current += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { texts.append(current); inText = false }
    }
}

@Suite("SVG report")
struct SVGReportTests {
    @Test("4 CPUs on 2 nodes: well-formed, every unit labelled, the regions and max_distance drawn")
    func embed() throws {
        let svg = SVGReport.render(try ReportFixtures.twoNode())
        let parsed = try #require(SVGCollector.parse(svg))
        #expect(parsed.rootName == "svg")
        for cpu in 0..<4 { #expect(parsed.texts.contains("CPU \(cpu)")) }
        #expect(parsed.texts.contains("group 0") && parsed.texts.contains("group 1"))
        // Unit layout ticks (hand derivation in TextReportTests): 0x154e8, 0x174e8, 0x1f000.
        for tick in ["0x0", "0x154e8", "0x174e8", "0x1f000"] { #expect(parsed.texts.contains(tick)) }
        #expect(parsed.texts.contains { $0.hasPrefix("static") })
        #expect(parsed.texts.contains { $0.contains("0x5cffee000000") })
        #expect(parsed.texts.contains { $0.hasPrefix("ok: ") })
        // Self-contained: no scripts, no external references.
        #expect(!svg.contains("<script") && !svg.contains("href") && !svg.contains("@import"))
    }

    @Test("page first chunk: the vmalloc area and the page count")
    func page() throws {
        let svg = SVGReport.render(try ReportFixtures.twoNode(cmdline: "percpu_alloc=page"))
        let parsed = try #require(SVGCollector.parse(svg))
        // 4 units of 27 pages, 2 CPUs (54 pages) per node.
        #expect(parsed.texts.contains { $0.hasPrefix("108 pages, by the node of their CPU: node 0: 54, node 1: 54") })
        #expect(parsed.texts.contains("VMALLOC_START"))
    }

    @Test("text is escaped for XML")
    func escaping() throws {
        var platform = ReportFixtures.arm64(nodes: 1, cpusPerNode: 2, name: "a<b & \"c\"")
        platform.description = "<script>alert('x')</script> & more"
        let svg = SVGReport.render(try Boot.run(platform))
        let parsed = try #require(SVGCollector.parse(svg))
        #expect(parsed.texts.contains { $0.contains("a<b & \"c\"") })
        #expect(!svg.contains("<script>"))
    }

    @Test("a panic still gives a valid picture")
    func panic() throws {
        let platform = ReportFixtures.arm64(nodes: 2, cpusPerNode: 2, staticSize: 8 << 20, nodeMemory: 1 << 20)
        let parsed = try #require(SVGCollector.parse(SVGReport.render(try Boot.run(platform))))
        #expect(parsed.texts.contains { $0.hasPrefix("No first chunk was set up: PANIC") })
    }

    /// 8 CPUs on each of 1024 nodes (8192 CPUs, NR_CPUS 8192, NODES_SHIFT 10), 1 GiB per node.
    @Test("8192 CPUs on 1024 nodes: bounded size, groups elided with a count")
    func large() throws {
        let result = try LargeMachine.result()
        let svg = SVGReport.render(result)
        let parsed = try #require(SVGCollector.parse(svg))
        // 24 group bands at most (20 + 3 drawn), <= 256 RAM buckets, <= one marker per pixel.
        #expect(svg.utf8.count < 400_000)
        #expect(parsed.elementCount < 4_000)
        #expect(parsed.texts.filter { $0.hasPrefix("group ") }.count == SVGReport.maxGroupsShown - 1)
        // 1024 groups of 8 units; 23 drawn, so 1001 groups = 8008 units elided.
        #expect(parsed.texts.contains("... 1001 more groups (8008 units) not drawn ..."))
        #expect(parsed.texts.contains("CPU 8191"))
    }
}
