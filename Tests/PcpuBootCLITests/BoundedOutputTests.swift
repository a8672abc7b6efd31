import Foundation
import Testing
@testable import PcpuBootCLI
import PcpuBootTestSupport
import KernelSupport
import PercpuBoot

/// Issue 11, part 2: time and memory grow with the answer, not with the machine's
/// page count. A page first chunk of 256,007 pages per CPU (static size 1000 MiB)
/// prints a handful of lines unless pr_debug is asked for; JSON and SVG list page
/// runs, not pages. Sizes are asserted, not times.
@Suite struct BoundedOutputTests {
    static func platform(cpus: Int, ramGiB: Int) throws -> String {
        let yaml = """
        arch: arm64
        static-size: 1000M
        cmdline: "percpu_alloc=page"
        firmware:
          device-tree:
            cpu-count: \(cpus)
            memory:
              - { reg: [0x40000000, \(ramGiB)G] }
        """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("big-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(arguments: ["dmesg", "text", "json", "svg"]) func largeStaticSizeStaysSmall(_ format: String) throws {
        let path = try Self.platform(cpus: 8, ramGiB: 16)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = PcpuBootCLI.run([path, "--format", format])
        #expect(output.status == 0, "\(output.stderr)")
        // (1000 MiB + 8K reserved + 20K dynamic) / 4K = 256,007 pages per CPU, 2,048,056 in all.
        #expect(output.stdout.contains(format == "svg" ? "<svg" : "256007"))
        #expect(output.stdout.utf8.count < 1 << 20, "\(format): \(output.stdout.utf8.count) bytes")
        #expect(!output.stdout.contains("per cpu data for cpu"))
    }

    /// More CPUs than the RAM holds: the kernel's page-by-page allocation runs out,
    /// warns once and frees every page; the emulation does it a run at a time.
    @Test func runningOutOfMemoryIsQuick() throws {
        let path = try Self.platform(cpus: 64, ramGiB: 8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = PcpuBootCLI.run([path, "--format", "dmesg"])
        #expect(output.stdout.contains("percpu: failed to allocate 4K page for cpu"), "\(output.stdout.suffix(500))")
        #expect(output.stdout.split(separator: "\n").count < 100)
    }

    /// An arm64 page first chunk on 1 GiB: `cpus` CPUs, `staticSize` bytes each.
    static func smallPageChunkPlatform(cpus: Int, staticSize: String) throws -> String {
        let yaml = """
        arch: arm64
        static-size: \(staticSize)
        cmdline: "percpu_alloc=page"
        firmware: { device-tree: { cpu-count: \(cpus), memory: [{ reg: [0x40000000, 1G] }] } }
        """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("page-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// With --pr-debug the lines are the answer: one per page, as the kernel prints.
    @Test func prDebugStillPrintsEveryPage() throws {
        let path = try Self.smallPageChunkPlatform(cpus: 2, staticSize: "1M")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = PcpuBootCLI.run([path, "--format", "dmesg", "--pr-debug"])
        // (1 MiB + 8K + 20K) / 4K = 263 pages per CPU: 526 pr_debug lines.
        let lines = output.stdout.split(separator: "\n").filter { $0.hasPrefix("percpu: per cpu data for cpu") }
        #expect(lines.count == 526)
    }

    /// A requested trace streams (`KernelLog.stream`): `--format dmesg` writes the
    /// lines as they are printed and keeps none of the trace. What it writes is what
    /// the whole log, kept, renders: same lines, same order.
    @Test(arguments: [["--pr-debug"], ["--cmdline", "percpu_alloc=page memblock=debug"],
                      ["--pr-debug", "--cmdline", "percpu_alloc=page memblock=debug"]])
    func streamedTraceIsTheKeptLog(_ flags: [String]) throws {
        let path = try Self.smallPageChunkPlatform(cpus: 4, staticSize: "256K")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = PcpuBootCLI.run([path, "--format", "dmesg"] + flags)
        #expect(output.status == 0, "\(output.stderr)")
        var platform = try PlatformLoader.load(path: path, dtbLoader: DeviceTreeBlob.load)
        if let i = flags.firstIndex(of: "--cmdline") { platform.cmdline = flags[i + 1] }
        let prDebug = flags.contains("--pr-debug")
        let kept = try Boot.run(platform, dynamicDebug: prDebug)
        #expect(output.stdout == DmesgReport.render(kept, dynamicDebug: prDebug))
        // (256K + 8K reserved + 20K dynamic) / 4K = 71 pages per CPU: one pr_debug line each with --pr-debug.
        let pages = output.stdout.split(separator: "\n").filter { $0.hasPrefix("percpu: per cpu data for cpu") }.count
        #expect(pages == (prDebug ? 4 * 71 : 0))
        // The streamed boot keeps none of the trace it wrote.
        let stream = KernelLogStream(sources: [.kernel, .memblockDebug, .dynamicDebug]) { _ in }
        let streamed = try Boot.run(platform, dynamicDebug: prDebug, stream: stream)
        #expect(streamed.log.lines.allSatisfy { $0.source == LogSource.kernel })
        #expect(stream.count == kept.log.lines.count)
    }
}
