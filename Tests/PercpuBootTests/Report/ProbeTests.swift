import Testing
import Foundation
@testable import PercpuBoot

@Suite struct ProbeTests {
    @Test func probeBig() throws {
        let t0 = Date()
        let p = ReportFixtures.arm64(nodes: 1024, cpusPerNode: 8, nrCpus: 8192, nodesShift: 10, nodeMemory: 1 << 30, distanceMap: false)
        let r = try Boot.run(p)
        let t1 = Date()
        print("boot", t1.timeIntervalSince(t0), r.outcome, r.firstChunkKind as Any, r.allocInfo?.groups.count as Any, r.cpus.count)
        let text = TextReport.render(r)
        let t2 = Date()
        let svg = SVGReport.render(r)
        let t3 = Date()
        let json = try JSONReport.render(r)
        let t4 = Date()
        print("text", text.utf8.count, t2.timeIntervalSince(t1), "svg", svg.utf8.count, t3.timeIntervalSince(t2), "json", json.utf8.count, t4.timeIntervalSince(t3))
        try svg.write(toFile: "/tmp/big.svg", atomically: true, encoding: .utf8)
        try text.write(toFile: "/tmp/big.txt", atomically: true, encoding: .utf8)
    }
    @Test func probeFar() throws {
        let p = ReportFixtures.arm64(nodes: 2, cpusPerNode: 2, memoryBases: [0x4000_0000, 0x6000_0000_0000])
        let r = try Boot.run(p)
        print("far61", r.outcome, r.firstChunkKind as Any, r.embedFailure as Any)
        var p2 = p; p2.kernel = .v5_10
        let r2 = try Boot.run(p2)
        print("far510", r2.outcome, r2.firstChunkKind as Any, r2.embedFailure as Any)
        try TextReport.render(r2).write(toFile: "/tmp/panic.txt", atomically: true, encoding: .utf8)
        try SVGReport.render(r2).write(toFile: "/tmp/panic.svg", atomically: true, encoding: .utf8)
        try SVGReport.render(r).write(toFile: "/tmp/far.svg", atomically: true, encoding: .utf8)
        try TextReport.render(r).write(toFile: "/tmp/far.txt", atomically: true, encoding: .utf8)
    }
}
