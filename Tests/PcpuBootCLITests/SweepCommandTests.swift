import Testing
@testable import PcpuBootCLI
import PercpuBoot

/// `pcpu-boot sweep` on the command line, and the streamed `boot` output.
@Suite struct SweepCommandTests {
    /// arm64-4node's CPUs replicated (CPU i on node ⌊4i/n⌋, see SweepTests): one group per
    /// node that has CPUs, so the groups change at 2, 3 and 4 CPUs and never after.
    @Test func cpusSweepReportsTheGroupChanges() {
        let output = PcpuBootCLI.run(["sweep", "arm64-4node", "--vary", "cpus", "--from", "1", "--to", "32", "--steps", "4"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("between 1 and 2: groups 1 -> 2\n"))
        #expect(output.stdout.contains("between 2 and 3: groups 2 -> 3\n"))
        #expect(output.stdout.contains("between 3 and 4: groups 3 -> 4\n"))
    }

    @Test func csvHasOneRowPerBoot() {
        let output = PcpuBootCLI.run(["sweep", "arm64-4node", "--vary", "kernel", "--from", "6.1", "--to", "6.12",
                                      "--format", "csv"])
        #expect(output.status == 0, "\(output.stderr)")
        let rows = output.stdout.split(separator: "\n")
        // header + every release from 6.1 to 6.12 (the version is continuous: 6.1, 6.2, …, 6.12)
        #expect(rows.count == 13)
        #expect(rows.dropFirst().map { $0.split(separator: ",").first.map(String.init) }
                == (1...12).map { Optional("6.\($0)") })
    }

    @Test func unknownParameterSuggestsOne() {
        let output = PcpuBootCLI.run(["sweep", "arm64-4node", "--vary", "node-spaceing", "--from", "1G", "--to", "2G"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("did you mean 'node-spacing'?"))
    }

    @Test func badRangeIsAnInputError() {
        let output = PcpuBootCLI.run(["sweep", "arm64-4node", "--vary", "page-size", "--from", "4K", "--to", "8K"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("4K, 16K, 64K"))
    }

    /// A sink that keeps every piece it is given.
    struct PieceSink: ReportSink {
        var pieces: [String] = []
        mutating func write(_ s: String) { pieces.append(s) }
    }

    /// `--format json` reaches the sink in pieces (64 KiB each), which together are the document.
    @Test func jsonIsWrittenInPieces() {
        // The page first chunk's 232 page addresses and memblock=debug's trace make it > 64 KiB.
        let args = ["arm64-4node", "--cmdline", "percpu_alloc=page memblock=debug", "--format", "json"]
        var sink = PieceSink()
        let streamed = PcpuBootCLI.run(args, stdout: &sink)
        #expect(streamed.status == 0)
        #expect(streamed.stdout.isEmpty)
        let whole = PcpuBootCLI.run(args).stdout
        #expect(whole.utf8.count > 1 << 16)
        #expect(sink.pieces.count >= 2)
        #expect(sink.pieces.joined() == whole)
    }
}
