import Foundation
import Testing
@testable import PcpuBootCLI
import PcpuBootTestSupport

/// `replay` of the kernel's own percpu: tracepoint lines (the console.log of each
/// recording, taken with trace_event=percpu:* tp_printk no_hash_pointers). Every
/// dynamic chunk of these boots was created after tracing started, so its whole
/// life was observed: its free bytes must be the recorded state's.
@Suite struct ReplayTracepointTests {
    @Test(arguments: ReplayRealTraceTests.cases)
    func observedChunksEndAsTheKernelsDid(_ name: String) throws {
        let log = ReplayRealTraceTests.dir(name) + "/console.log"
        let output = PcpuBootCLI.run(ReplayRealTraceTests.arguments(name, format: "json", trace: log))
        #expect(output.status == 0, "\(output.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let chunks = try #require(json["chunks"] as? [[String: Any]])
        let dynamic = Dictionary(uniqueKeysWithValues: chunks.filter { $0["role"] as? String == "dynamic" }
            .map { ($0["baseAddr"] as! String, $0["freeBytes"] as! Int) })
        let real = try ReplayRealTraceTests.recorded(name)
        let recorded = real.state.filter { $0.hasPrefix("chunk ") && !$0.contains("immutable=1") }.map { line in
            let fields = Dictionary(uniqueKeysWithValues: line.split(separator: " ").dropFirst().map {
                let kv = $0.split(separator: "=")
                return (String(kv[0]), String(kv[1]))
            })
            return (fields["base_addr"]!, Int(fields["free_bytes"]!)!)
        }
        #expect(!recorded.isEmpty)
        #expect(dynamic.count == recorded.count)
        for (base, free) in recorded { #expect(dynamic[base] == free, "chunk \(base)") }
    }

    /// The tracepoint counts of the log (as grep counts them) are all replayed.
    @Test func everyRecordIsRead() throws {
        let name = "arm64-4node-workload"
        let log = ReplayRealTraceTests.dir(name) + "/console.log"
        let text = try String(contentsOfFile: log, encoding: .utf8)
        let count = text.components(separatedBy: "percpu_alloc_percpu: ").count - 1
            + text.components(separatedBy: "percpu_free_percpu: ").count - 1
            + text.components(separatedBy: "percpu_create_chunk: ").count - 1
        let output = PcpuBootCLI.run(ReplayRealTraceTests.arguments(name, format: "text", trace: log))
        #expect(output.stdout.contains("tracepoints: \(count) records (0 unreadable lines); 0 frees of areas allocated before tracing, 0 placements that overlapped, 0 unknown chunks"))
    }
}
