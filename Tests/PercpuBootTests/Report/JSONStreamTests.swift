import Foundation
import Testing
@testable import PercpuBoot

/// The streamed `--format json` equals, byte for byte, what Foundation's
/// `JSONEncoder` makes of the `BootReportJSON` view (an independent encoder:
/// key order, layout, escaping and omitted nils all come from it).
@Suite struct JSONStreamTests {
    static func same(_ platform: Platform, _ comment: Comment? = nil) throws {
        let result = try Boot.run(platform)
        let streamed = try JSONReport.render(result)
        let encoded = try JSONReport.renderWithEncoder(result)
        if streamed != encoded {
            let a = streamed.split(separator: "\n", omittingEmptySubsequences: false)
            let b = encoded.split(separator: "\n", omittingEmptySubsequences: false)
            var i = 0
            while i < a.count, i < b.count, a[i] == b[i] { i += 1 }
            let mine = i < a.count ? String(a[i]) : "<end>"
            let theirs = i < b.count ? String(b[i]) : "<end>"
            Issue.record("\(platform.name): line \(i + 1): streamed '\(mine)' vs JSONEncoder '\(theirs)'")
        }
    }

    /// The integer run writer (a distance matrix row, a CPU list) against JSONEncoder,
    /// across the digit-count edges of its small-number path.
    @Test func integerRunsAsJSONEncoderWritesThem() throws {
        let values = [0, 9, 10, 99, 100, 255, 256, 999, 1000, 8191, -1, -1000, Int.max, Int.min]
        for list in [values, [], [42]] {
            var w = JSONStreamWriter(StringSink())
            try w.array { try $0.elements(ints: list) }
            try w.finish()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let expected = String(decoding: try encoder.encode(list), as: UTF8.self) + "\n"
            #expect((w.sink as? StringSink)?.text == expected)
        }
        // Nested two deep, and long enough (about 20 KiB) to fill the 4 KiB scratch area several times.
        let long = Array(-1500...1500) + [Int.max, Int.min]
        var w = JSONStreamWriter(StringSink())
        try w.array { w in try w.element(); try w.array { try $0.elements(ints: long) }; try w.element(7) }
        try w.finish()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode([AnyNumbers.list(long), .one(7)]), as: UTF8.self) + "\n"
        #expect((w.sink as? StringSink)?.text == expected)
    }

    /// A JSON array of either an integer list or an integer, for the nested case above.
    private enum AnyNumbers: Encodable {
        case list([Int]), one(Int)
        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self { case .list(let l): try c.encode(l); case .one(let n): try c.encode(n) }
        }
    }

    @Test func embedPageUPNommuAndX86() throws {
        try Self.same(ReportFixtures.arm64(nodes: 2, cpusPerNode: 2))
        try Self.same(ReportFixtures.arm64(nodes: 4, cpusPerNode: 3, cmdline: "percpu_alloc=page memblock=debug"))
        try Self.same(ReportFixtures.arm64(nodes: 1, cpusPerNode: 1, distanceMap: false))
        try Self.same(ReportFixtures.x86())
        var up = ReportFixtures.arm64(nodes: 1, cpusPerNode: 1)
        up.config.smp = false
        try Self.same(up)
        var nommu = ReportFixtures.arm64(nodes: 1, cpusPerNode: 2)
        nommu.config.mmu = false
        try Self.same(nommu)
    }

    /// Every bundled platform file.
    @Test func bundledPlatforms() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Platforms")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".yaml") {
            let platform = try PlatformLoader.load(path: folder.appendingPathComponent(file).path,
                                                   dtbLoader: { _ throws(InputError) in throw InputError(file: "", message: "no dtb") })
            try Self.same(platform)
        }
    }

    /// Strings that need escaping, and a panicked boot (panicMessage present).
    @Test func escapesAndPanics() throws {
        var odd = ReportFixtures.arm64(nodes: 2, cpusPerNode: 1, name: "a \"quoted\" \\ name/with\tcontrol\u{1}\u{1b} é")
        odd.description = "line one\nline two\r\u{8}\u{c}\u{7f}"
        try Self.same(odd)
        try Self.same(ReportFixtures.arm64(nodes: 2, cpusPerNode: 2, staticSize: 900 << 20))
    }
}
