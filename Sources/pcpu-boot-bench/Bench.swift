import Foundation
import PercpuBoot

/// The benchmark's sections, in the order printed.
enum Bench {
    static func ms(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15
    }

    /// The figure reported for repeated runs: the fastest. On a shared VM other jobs
    /// only ever add time, in bursts that a median of one row can catch and the next
    /// row's miss; the fastest run is the least disturbed measure of the work itself.
    static func fastest(_ values: [Double]) -> Double { values.min() ?? 0 }

    /// This thread's CPU time in milliseconds (on a loaded machine wall time
    /// mostly measures the wait for a core).
    static func threadCPUms() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6
    }

    /// The fastest CPU milliseconds of `runs` calls of `body` (after one warm-up call).
    static func time(runs: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()
        var times: [Double] = []
        for _ in 0..<runs {
            let start = threadCPUms()
            try body()
            times.append(threadCPUms() - start)
        }
        return fastest(times)
    }

    static func f(_ v: Double) -> String { String(format: v < 10 ? "%.2f" : "%.1f", v) }
    static func mib(_ kib: Int) -> String { String(format: "%.1f", Double(kib) / 1024) }

    static func main(_ args: [String]) {
        if args.first == "make-dtb" {
            guard args.count == 4, let cpus = Int(args[2]), let nodes = Int(args[3]), cpus >= 1, nodes >= 1 else {
                print("usage: pcpu-boot-bench make-dtb FILE CPUS NODES"); exit(2)
            }
            do {
                try Data(try BigMachine.dtb(cpus: cpus, nodes: nodes)).write(to: URL(fileURLWithPath: args[1]))
            } catch { print("cannot write \(args[1]): \(error)"); exit(1) }
            return
        }
        var runs = 7
        let own = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var binary = own.appendingPathComponent("pcpu-boot").path
        var out = ".build/bench"
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--runs" where i + 1 < args.count: runs = max(1, Int(args[i + 1]) ?? runs); i += 1
            case "--binary" where i + 1 < args.count: binary = args[i + 1]; i += 1
            case "--out" where i + 1 < args.count: out = args[i + 1]; i += 1
            default: print("unknown argument \(args[i]); usage: pcpu-boot-bench [--runs N] [--binary PATH] [--out DIR]"); exit(2)
            }
            i += 1
        }
        try? FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        print("# pcpu-boot-bench (fastest of \(runs) runs; \(ProcessInfo.processInfo.activeProcessorCount) CPUs; "
              + "load average \(loadAverage()))\n")
        EndToEnd.run(binary: binary, runs: runs, out: out)
        let stages = InProcess.run(runs: runs)
        SweepThroughput.run()
        print("\n## Replay throughput\n")
        ReplayThroughput.run(calls: 1_000_000)
        let svg = Plot.svg(stages)
        let path = out + "/bench-time-vs-cpus.svg"
        _ = FileManager.default.createFile(atPath: path, contents: Data(svg.utf8))
        print("\nPlot of time against CPU count: \(path)")
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }
}

/// Counts what a report writes, keeping nothing.
struct CountingSink: ReportSink {
    var bytes = 0
    mutating func write(_ s: String) { bytes += s.utf8.count }
}
