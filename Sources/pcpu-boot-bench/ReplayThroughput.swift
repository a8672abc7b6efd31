import Foundation
import PercpuAlloc
import PercpuBoot

/// The dynamic allocator: a synthetic million-call trace (allocations of mixed
/// sizes, frees of the oldest live areas, a balance run every 1000 calls) on an
/// 8-CPU / 4-node board, first generated, then parsed and replayed from its text
/// as `pcpu-boot replay` does. Calls per second are what issue 8 asks about.
enum ReplayThroughput {
    static func run(calls: Int) {
        guard let platform = try? BigMachine.platform(cpus: 8, nodes: 4), let boot = try? Boot.run(platform),
              let fresh = try? boot.dynamicAllocator() else {
            print("replay: cannot boot the board"); return
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
        guard let trace = try? PercpuCallTraceParser.parse(text, file: "synthetic") else { print("replay: parse error"); return }
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
}
