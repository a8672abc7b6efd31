import Foundation
import Testing
@testable import PercpuBoot

/// The JSON view of the 4-CPU / 2-node boot of `TextReportTests` (same hand derivation:
/// unit 0x1f000, static 87272, reserved 8192, dynamic 31512, 2 groups of 2 units).
@Suite("JSON report")
struct JSONReportTests {
    let json: String
    init() throws { json = try JSONReport.render(try ReportFixtures.twoNode()) }

    @Test("decodes back into BootReportJSON with the derived values")
    func roundTrip() throws {
        let report = try JSONDecoder().decode(BootReportJSON.self, from: Data(json.utf8))
        #expect(report.formatVersion == BootReportJSON.currentFormatVersion)
        #expect(report.outcome == .init(status: "booted", panicMessage: nil))
        #expect(report.firstChunkKind == "embed")
        #expect(report.platform.arch == "arm64" && report.platform.kernel == "6.1")
        let ai = try #require(report.allocInfo)
        #expect([ai.staticSize, ai.reservedSize, ai.dynSize, ai.unitSize] == [87272, 8192, 31512, 126976])
        #expect(ai.pagesPerCpu == 31 && ai.nrGroups == 2 && ai.nrUnits == 4 && ai.wastedUnits == 0)
        #expect(report.cpus.map(\.cpu) == [0, 1, 2, 3])
        #expect(report.cpus[1].unitOffset == "0x1f000")
        #expect(report.cpus[2].unitOffset == report.groups[1].baseOffset)
        #expect(report.groups[0].physical == .init(start: "0x7ffbf000", end: "0x7fffd000", size: 2 * 126976))
        #expect(report.groups.map(\.cpuMap) == [[0, 1], [2, 3]])
        let topology = try #require(report.topology)
        #expect(topology.method == "device-tree")
        #expect(topology.nodes.map(\.cpus) == [[0, 1], [2, 3]])
        #expect(topology.distances == .init(nodes: [0, 1], matrix: [[10, 20], [20, 10]]))
        #expect(report.maxDistanceThreshold == "0x5cffee000000")
        #expect(report.maxDistanceWithinThreshold == true)
        // max_distance = group 1's base offset + 2 units.
        let base1 = try #require(UInt64(report.groups[1].baseOffset.dropFirst(2), radix: 16))
        #expect(report.maxDistance == ReportFormat.hex(base1 + 2 * 126976))
    }

    @Test("first chunk: reserved then dynamic chunk, with md blocks")
    func firstChunk() throws {
        let report = try JSONDecoder().decode(BootReportJSON.self, from: Data(json.utf8))
        let chunk = try #require(report.firstChunk)
        #expect(chunk.unitLayout.map(\.name) == ["static", "reserved", "dynamic", "free tail"])
        #expect(chunk.unitLayout.map(\.offset) == ["0x0", "0x154e8", "0x174e8", "0x1f000"])
        #expect(chunk.chunks.map(\.role) == ["reserved", "dynamic"])
        let reserved = chunk.chunks[0], dynamic = chunk.chunks[1]
        #expect(reserved.unitOffset == "0x15000" && reserved.startOffset == 1256 && reserved.endOffset == 2840)
        #expect(reserved.slot == nil)
        #expect(dynamic.unitOffset == "0x17000" && dynamic.nrPages == 8 && dynamic.freeBytes == 31512)
        #expect(dynamic.slot == 12)
        #expect(dynamic.mdBlocks.count == 8)
        #expect(dynamic.mdBlocks[0].contigHint == 710 && dynamic.mdBlocks[0].contigHintStart == 314)
        #expect(chunk.slots == .init(sidelined: 15, free: 16, toDepopulate: 17, nrSlots: 18))
    }

    @Test("every address and offset is a 0x string; sizes are numbers")
    func hexStrings() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let cpus = try #require(object["cpus"] as? [[String: Any]])
        for cpu in cpus {
            for key in ["unitOffset", "address", "physical"] {
                let value = try #require(cpu[key] as? String, "\(key) is not a string")
                #expect(value.hasPrefix("0x"))
            }
        }
        // 0xffff00003ffbf000 > 2^53: only a string keeps it exact.
        let address = try #require(cpus[0]["address"] as? String)
        #expect(UInt64(address.dropFirst(2), radix: 16)! > 1 << 53)
        let memblock = try #require(object["memblock"] as? [String: Any])
        let regions = try #require(memblock["reserved"] as? [[String: Any]])
        #expect(regions.allSatisfy { ($0["base"] as? String)?.hasPrefix("0x") == true && $0["size"] is NSNumber })
        let ai = try #require(object["allocInfo"] as? [String: Any])
        #expect(ai["unitSize"] as? Int == 126976)
        #expect((ai["aiPhys"] as? String)?.hasPrefix("0x") == true)
    }

    @Test("the kernel log carries level and source; pr_debug lines are included and tagged")
    func kernelLog() throws {
        let report = try JSONDecoder().decode(BootReportJSON.self, from: Data(json.utf8))
        #expect(report.kernelLog.contains(.init(level: "info", source: "kernel",
                                                text: "percpu: Embedded 31 pages/cpu s87272 r8192 d31512 u126976")))
        #expect(report.kernelLog.contains { $0.source == "dynamic-debug" && $0.level == "debug" })
    }

    @Test("page first chunk: each CPU lists its unit's 27 physical pages (as runs), no max_distance")
    func pageChunk() throws {
        let json = try JSONReport.render(try ReportFixtures.twoNode(cmdline: "percpu_alloc=page"))
        let report = try JSONDecoder().decode(BootReportJSON.self, from: Data(json.utf8))
        #expect(report.firstChunkKind == "page")
        #expect(report.cpus.allSatisfy { $0.pageRuns?.reduce(0) { $0 + $1.pages } == 27 })
        #expect(report.cpus.allSatisfy { $0.pageRuns?.first?.first == $0.physical })
        #expect(report.maxDistance == nil && report.groups[0].physical == nil)
    }
}
