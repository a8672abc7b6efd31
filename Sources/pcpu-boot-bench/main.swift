// pcpu-boot-bench: how long one emulated boot takes, from small boards to
// 8192 CPUs on 1024 nodes. Platforms are built in code, so the numbers measure
// the emulation (memblock, NUMA init, setup_per_cpu_areas, first chunk), not
// YAML parsing. Run: swift run -c release pcpu-boot-bench [iterations]
import Foundation
import PercpuAlloc
import PercpuBoot

/// A device-tree machine: `nodes` nodes of `cpus / nodes` CPUs and 1 GiB each, a chain distance map.
func machine(cpus: Int, nodes: Int, arch: Architecture = .arm64, cmdline: String = "") -> Platform {
    var config = KernelConfig.defaults(for: arch)
    config.nrCpus = max(cpus, 8192)
    config.nodesShift = 10
    let dtCPUs = (0..<cpus).map { c in
        DTCPU(path: "/cpus/cpu@\(c)", hardwareID: UInt64(c), numaNodeID: .value(UInt32(c * nodes / cpus)))
    }
    let base: UInt64 = arch == .riscv64 ? 0x8000_0000 : 0x4000_0000
    let memory = (0..<nodes).map { n in
        DTMemoryNode(path: "/memory@\(n)", regs: [PhysRange(base: base + UInt64(n) << 30, size: 1 << 30)],
                     numaNodeID: .value(UInt32(n)))
    }
    var matrix: [UInt32] = []
    for a in 0..<nodes where a + 1 < nodes { matrix += [UInt32(a), UInt32(a + 1), 20] }
    let firmware = DeviceTreeFirmware(cpus: dtCPUs, memory: memory, distanceMatrix: nodes > 1 ? .some(matrix) : nil)
    return Platform(name: "\(cpus)cpus-\(nodes)nodes", arch: arch, config: config, staticSize: 87272,
                    cmdline: cmdline, firmware: .deviceTree(firmware))
}

let iterations = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 5
let cases: [(String, Platform)] = [
    ("arm64 8 CPUs / 4 nodes, embed", machine(cpus: 8, nodes: 4)),
    ("arm64 256 CPUs / 16 nodes, embed", machine(cpus: 256, nodes: 16)),
    ("arm64 8192 CPUs / 1024 nodes, embed", machine(cpus: 8192, nodes: 1024)),
    ("arm64 8192 CPUs / 1024 nodes, page", machine(cpus: 8192, nodes: 1024, cmdline: "percpu_alloc=page")),
    ("arm64 8192 CPUs / 1024 nodes, memblock=debug", machine(cpus: 8192, nodes: 1024, cmdline: "memblock=debug")),
    ("riscv64 8192 CPUs / 1 node, embed", machine(cpus: 8192, nodes: 1, arch: .riscv64)),
]
print("pcpu-boot-bench: median of \(iterations) runs of Boot.run (release build recommended)")
for (name, platform) in cases {
    var times: [Double] = []
    var lines = 0
    for _ in 0..<iterations {
        let start = ContinuousClock.now
        guard let result = try? Boot.run(platform) else { print("\(name): emulation error"); exit(1) }
        let elapsed = ContinuousClock.now - start
        times.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
        lines = result.log.lines.count
    }
    let median = times.sorted()[times.count / 2]
    print(name.padding(toLength: 48, withPad: " ", startingAt: 0) + String(format: "%9.2f ms   (%d log lines)", median, lines))
}

// The dynamic allocator: a synthetic million-call trace (allocations of mixed
// sizes, frees of the oldest live areas, a balance run every 1000 calls) on the
// 8-CPU / 4-node board, first generated, then parsed and replayed from its text
// as `pcpu-boot replay` does. Calls per second are what issue 8 asks about.
func replayBenchmark(calls: Int) {
    guard let boot = try? Boot.run(machine(cpus: 8, nodes: 4)), let fresh = try? boot.dynamicAllocator() else {
        print("replay: cannot boot the board"); exit(1)
    }
    let sizes = [4, 8, 8, 16, 32, 64, 128, 688, 1096, 8, 4, 24]
    var generator = fresh
    generator.recordEvents = true
    var live: [UInt64] = []
    var head = 0
    for i in 0 ..< calls {
        if i % 1000 == 999 {
            generator.pcpuBalanceWorkfn()
        } else if live.count - head > 20_000 || (i % 3 == 2 && live.count > head) {
            try? generator.freePercpu(live[head])
            head += 1
        } else {
            let size = sizes[i % sizes.count]
            let gfp: UInt32 = i % 4 == 0 ? 0x400cc0 : 0xcc0
            if let ptr = generator.pcpuAlloc(size: size, align: size >= 64 ? 64 : 8, reserved: false, gfp: gfp).ptr {
                live.append(ptr)
            }
        }
    }
    let text = generator.traceLines().joined(separator: "\n") + "\n"
    let start = ContinuousClock.now
    guard let trace = try? PercpuCallTraceParser.parse(text, file: "synthetic") else { print("replay: parse error"); exit(1) }
    let parsed = ContinuousClock.now
    var replayer = fresh
    try? replayer.replay(trace)
    let done = ContinuousClock.now
    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
    let replayed = trace.lines.filter { if case .populated = $0.event { false } else if case .depopulated = $0.event { false } else { true } }.count
    print("replay: \(replayed) calls (\(generator.chunks.compactMap { $0 }.count) chunks at the end)")
    print(String(format: "  parse %.3f s, replay %.3f s: %.2f million calls/s replayed (%.2f million/s with parsing)",
                 seconds(parsed - start), seconds(done - parsed), Double(replayed) / seconds(done - parsed) / 1e6,
                 Double(replayed) / seconds(done - start) / 1e6))
}
replayBenchmark(calls: 1_000_000)
