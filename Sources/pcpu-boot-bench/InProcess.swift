import Foundation
import PercpuBoot

/// In-process time per stage, from 8 to 8192 CPUs: parsing the device tree
/// blob, the emulated boot (embed and page first chunk), and each report
/// (written to a sink that only counts).
enum InProcess {
    static let sizes: [(cpus: Int, nodes: Int)] = [(8, 4), (64, 8), (512, 64), (2048, 256), (8192, 1024)]
    static let stages = ["parse DTB", "boot (embed)", "boot (page)", "boot (page, --pr-debug)", "dmesg", "text", "json", "svg"]

    /// Rows of milliseconds, one per size, in `stages` order.
    static func run(runs: Int) -> [(cpus: Int, ms: [Double])] {
        print("\n## In process, CPU time per stage (ms)\n")
        print("| CPUs / nodes | " + stages.joined(separator: " | ") + " |")
        print("|---|" + String(repeating: "---:|", count: stages.count))
        var rows: [(Int, [Double])] = []
        for (cpus, nodes) in sizes {
            guard let blob = try? BigMachine.dtb(cpus: cpus, nodes: nodes),
                  let embedPlatform = try? BigMachine.platform(cpus: cpus, nodes: nodes),
                  let embed = try? Boot.run(embedPlatform, dynamicDebug: false) else {
                print("| \(cpus) / \(nodes) | emulation error |"); continue
            }
            var page = embedPlatform
            page.cmdline = "percpu_alloc=page"
            let r = cpus >= 2048 ? max(1, runs / 2) : runs
            var ms: [Double] = []
            ms.append(Bench.time(runs: r) { _ = try? DeviceTreeBlob.firmware(bytes: blob, fileName: "bench.dtb") })
            // As the command line boots (pr_debug lines not built unless --pr-debug), and with them.
            ms.append(Bench.time(runs: r) { _ = try? Boot.run(embedPlatform, dynamicDebug: false) })
            ms.append(Bench.time(runs: r) { _ = try? Boot.run(page, dynamicDebug: false) })
            ms.append(Bench.time(runs: r) { _ = try? Boot.run(page, dynamicDebug: true) })
            ms.append(Bench.time(runs: r) { var s = CountingSink(); try? DmesgReport.write(embed, to: &s) })
            ms.append(Bench.time(runs: r) { var s = CountingSink(); s.write(TextReport.render(embed)) })
            ms.append(Bench.time(runs: r) { var s = CountingSink(); try? JSONReport.write(embed, to: &s) })
            ms.append(Bench.time(runs: r) { var s = CountingSink(); s.write(SVGReport.render(embed)) })
            print("| \(cpus) / \(nodes) | " + ms.map(Bench.f).joined(separator: " | ") + " |")
            rows.append((cpus, ms))
        }
        return rows
    }
}

/// Boots per second of `sweep` on a small machine (8 CPUs, 4 nodes), in-process.
enum SweepThroughput {
    static func run() {
        print("\n## Sweep throughput (in process)\n")
        print("| sweep | boots | CPU time (ms) | boots per CPU second |")
        print("|---|---:|---:|---:|")
        guard let platform = try? BigMachine.platform(cpus: 8, nodes: 4) else { return }
        let cases: [(String, SweepParameter, String, String, Int, Bool)] = [
            ("cpus 1 … 2000, 2000 steps", .cpus, "1", "2000", 2000, false),
            ("static-size 32K … 1M, 2000 steps", .staticSize, "32K", "1M", 2000, false),
            ("node-spacing 1G … 128T, 64 steps + bisection", .nodeSpacing, "1G", "128T", 64, true),
        ]
        for (name, parameter, from, to, steps, bisect) in cases {
            let start = Bench.threadCPUms()
            guard let result = try? Sweep.run(platform, parameter: parameter, from: from, to: to, steps: steps,
                                              bisect: bisect) else { print("| \(name) | error | | |"); continue }
            let ms = Bench.threadCPUms() - start
            print("| \(name) | \(result.boots) | \(Bench.f(ms)) | \(Int(Double(result.boots) / ms * 1000)) |")
        }
    }
}

/// The SVG plot: time per stage against CPU count, both axes logarithmic.
enum Plot {
    static func svg(_ rows: [(cpus: Int, ms: [Double])]) -> String {
        let width = 760.0, height = 420.0, left = 70.0, right = 170.0, top = 40.0, bottom = 50.0
        let colors = ["#4e79a7", "#f28e2b", "#e15759", "#ff9da7", "#76b7b2", "#59a14f", "#edc948", "#b07aa1"]
        let all = rows.flatMap(\.ms).filter { $0 > 0 }
        let yMin = log10(max(all.min() ?? 0.001, 0.001)), yMax = log10(max(all.max() ?? 1, 0.01)) + 0.1
        let xMin = log10(Double(rows.first?.cpus ?? 1)), xMax = log10(Double(rows.last?.cpus ?? 10))
        func x(_ cpus: Int) -> Double { left + (log10(Double(cpus)) - xMin) / max(xMax - xMin, 1e-9) * (width - left - right) }
        func y(_ ms: Double) -> Double { top + (yMax - log10(max(ms, 0.001))) / max(yMax - yMin, 1e-9) * (height - top - bottom) }
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" "
            + "height=\"\(Int(height))\" font-family=\"monospace\" font-size=\"11\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
            + "<text x=\"\(left)\" y=\"22\" font-size=\"13\" font-weight=\"bold\">pcpu-boot: in-process CPU time per stage against CPU count</text>\n"
        s += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(height - bottom)\" stroke=\"#444\"/>\n"
        s += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - right)\" y2=\"\(height - bottom)\" stroke=\"#444\"/>\n"
        var decade = floor(yMin)
        while decade <= yMax {
            let v = pow(10, decade), py = y(v)
            if py >= top && py <= height - bottom {
                s += "<line x1=\"\(left)\" y1=\"\(py)\" x2=\"\(width - right)\" y2=\"\(py)\" stroke=\"#ddd\"/>\n"
                s += "<text x=\"\(left - 6)\" y=\"\(py + 4)\" text-anchor=\"end\">\(v >= 1 ? String(Int(v)) : String(v)) ms</text>\n"
            }
            decade += 1
        }
        for row in rows {
            s += "<text x=\"\(x(row.cpus))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(row.cpus)</text>\n"
        }
        s += "<text x=\"\((left + width - right) / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">CPUs (log scale)</text>\n"
        for (k, stage) in InProcess.stages.enumerated() {
            let color = colors[k % colors.count]
            let points = rows.map { "\(x($0.cpus)),\(y($0.ms[k]))" }.joined(separator: " ")
            s += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            let ly = top + 16 * Double(k)
            s += "<rect x=\"\(width - right + 12)\" y=\"\(ly - 8)\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
                + "<text x=\"\(width - right + 26)\" y=\"\(ly + 1)\">\(stage)</text>\n"
        }
        return s + "</svg>\n"
    }
}
