import Foundation
import PercpuBoot

/// Whole-process runs: the hello-world floors, each bundled platform, and the
/// 8192-CPU / 1024-node device tree in every output format.
enum EndToEnd {
    static func run(binary: String, runs: Int, out: String) {
        guard ChildProcess.fileExists(binary) else {
            print("## End to end\n\n\(binary) not found: build it first (README), or pass --binary PATH.\n")
            return
        }
        // Every run is spawned by a small process, so that ru_maxrss is the child's own peak.
        let spawner = Spawner.build(out: out).map { (path: $0, out: out) }
        print("## End to end (process start to exit; peak RSS = ru_maxrss, "
              + (spawner == nil ? "counting the benchmark's own: the spawner did not build)\n" : "spawned from a small process)\n"))
        print("| run | wall (ms) | CPU user+sys (ms) | wall × plain hello | CPU × plain hello | peak RSS (MiB) |")
        print("|---|---:|---:|---:|---:|---:|")
        let floors = helloWorlds(out: out, spawner: spawner)
        let plain = floors.first?.1
        func row(_ name: String, _ m: Measured?) {
            guard let m else { print("| \(name) | failed | | | | |"); return }
            let ratio = plain.map { String(format: "%.1f", m.ms / $0.ms) } ?? "-"
            let cpuRatio = plain.map { String(format: "%.1f", m.cpuMs / max($0.cpuMs, 0.01)) } ?? "-"
            print("| \(name) | \(Bench.f(m.ms)) | \(Bench.f(m.cpuMs)) | \(ratio) | \(cpuRatio) | \(Bench.mib(m.rssKiB)) |")
        }
        for (name, m) in floors { row(name, m) }
        for name in bundledNames(binary, out: out) {
            row("`pcpu-boot \(name) --format dmesg`", ChildProcess.measure([binary, name, "--format", "dmesg"], runs: runs, spawner: spawner))
        }
        // The large machine, from a blob written by the project's FDT writer.
        let dtb = out + "/8192cpus-1024nodes.dtb"
        let yaml = out + "/8192cpus-1024nodes.yaml"
        guard let blob = try? BigMachine.dtb(cpus: 8192, nodes: 1024),
              FileManager.default.createFile(atPath: dtb, contents: Data(blob)),
              FileManager.default.createFile(atPath: yaml, contents: Data("""
                arch: arm64
                config: { nr-cpus: 8192, nodes-shift: 10 }
                static-size: 87272
                firmware:
                  device-tree:
                    dtb: 8192cpus-1024nodes.dtb

                """.utf8)) else { print("cannot write \(dtb)"); return }
        for cmdline in ["", "percpu_alloc=page"] {
            for format in ["dmesg", "json", "svg", "text"] {
                let file = out + "/big-\(cmdline.isEmpty ? "embed" : "page").\(format)"
                let m = ChildProcess.measure([binary, yaml, "--cmdline", cmdline, "--format", format],
                                             runs: max(1, runs / 2), stdoutPath: file, spawner: spawner)
                let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
                row("8192 CPUs / 1024 nodes DTB, \(cmdline.isEmpty ? "embed" : "page"), --format \(format) "
                    + "(\(String(format: "%.1f", Double(size) / 1_048_576)) MiB out)", m)
            }
        }
    }

    /// Builds and times the two hello worlds the way pcpu-boot is built
    /// (optimised, Swift runtime linked statically), in `out`.
    static func helloWorlds(out: String, spawner: (path: String, out: String)?) -> [(String, Measured)] {
        let sources = [("plain", "print(\"hello, world\")\n"),
                       ("foundation", "import Foundation\nprint(\"hello, world\", ProcessInfo.processInfo.processIdentifier > 0)\n")]
        var result: [(String, Measured)] = []
        for (name, text) in sources {
            let source = out + "/hello-\(name).swift", exe = out + "/hello-\(name)"
            _ = FileManager.default.createFile(atPath: source, contents: Data(text.utf8))
            guard let build = ChildProcess.run(["/usr/bin/env", "swiftc", "-O", "-static-stdlib", "-Xlinker", "-no-pie", source, "-o", exe]),
                  build.status == 0, let m = ChildProcess.measure([exe], runs: 15, spawner: spawner) else {
                print("| hello world (\(name)) | not built: swiftc -O -static-stdlib -Xlinker -no-pie failed | | | | |")
                continue
            }
            result.append(("hello world, \(name == "plain" ? "plain print" : "import Foundation") (swiftc -O -static-stdlib -no-pie)", m))
        }
        return result
    }

    static func bundledNames(_ binary: String, out: String) -> [String] {
        let list = out + "/list.txt"
        _ = ChildProcess.run([binary, "list"], stdoutPath: list)
        let text = (try? String(contentsOfFile: list, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }
}
