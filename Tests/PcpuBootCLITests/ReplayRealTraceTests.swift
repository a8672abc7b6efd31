import Foundation
import Testing
@testable import PcpuBootCLI
import PercpuAlloc
import PcpuBootTestSupport

/// Acceptance of issue 8: the two public traces recorded from Debian's 6.1.0-56
/// kernels (Tests/Fixtures/percpu-calls) replayed on the same machines, memblock
/// started from each trace's own console.log. Every expected value is read from
/// the recording; nothing is loosened.
@Suite struct ReplayRealTraceTests {
    static let cases = ["arm64-4node-workload", "x86-2node-workload"]

    static func dir(_ name: String) -> String { Fixtures.percpuCalls.appendingPathComponent(name).path }

    /// The machine of each recording, as `boot` takes it (README: `__per_cpu_start` is
    /// 0xffff800009804000 on arm64, 0 on x86_64; static sizes of kernel-boots/README.md).
    static func arguments(_ name: String, format: String, trace: String? = nil) -> [String] {
        let d = dir(name)
        let input = trace ?? d + "/percpu-calls.txt"
        if name.hasPrefix("arm64") {
            return ["replay", input, "--dtb", d + "/board.dtb", "--arch", "arm64", "--kernel", "6.1",
                    "--static-size", "87272", "--nr-cpus", "256", "--per-cpu-start", "0xffff800009804000",
                    "--memblock-from", d + "/console.log", "--cmdline", "memblock=debug", "--format", format]
        }
        let platform = Fixtures.testsDirectory.appendingPathComponent("Fixtures/platforms/x86-2node-embed.yaml").path
        return ["replay", input, platform, "--kernel", "6.1", "--static-size", "217088", "--nr-cpus", "8192",
                "--memblock-from", d + "/console.log", "--cmdline", "console=ttyS0 memblock=debug", "--format", format]
    }

    static func recorded(_ name: String) throws -> PercpuCallTrace {
        let text = try String(contentsOfFile: dir(name) + "/percpu-calls.txt", encoding: .utf8)
        return try PercpuCallTraceParser.parse(text, file: name)
    }

    static func emulated(_ name: String) throws -> PercpuCallTrace {
        let output = PcpuBootCLI.run(arguments(name, format: "trace"))
        #expect(output.status == 0, "\(output.stderr)")
        return try PercpuCallTraceParser.parse(output.stdout, file: "emulated")
    }

    @Test(arguments: cases)
    func returnedPointersAreExactlyTheKernels(_ name: String) throws {
        let real = try Self.recorded(name), emulated = try Self.emulated(name)
        let realPointers = real.lines.compactMap { if case .alloc(_, _, _, _, let p?) = $0.event { p } else { nil } }
        let emulatedPointers = emulated.lines.compactMap { if case .alloc(_, _, _, _, let p?) = $0.event { p } else { nil } }
        #expect(realPointers.count > 1900)
        #expect(emulatedPointers == realPointers)
        // ... with the same arguments, call by call.
        let args: (PercpuCallTrace) -> [String] = { t in t.lines.compactMap {
            if case let .alloc(s, a, r, g, _) = $0.event { "\(s) \(a) \(r) \(g)" } else { nil } } }
        #expect(args(emulated) == args(real))
    }

    /// The recording's events with its repeated reports set aside. The gdb script
    /// sometimes reports one breakpoint hit twice; each line set aside is checked to
    /// be exactly that: `alloc ? -> P` right after the allocation that returned P
    /// (still live), `free P` right after `free P` of an area no longer live,
    /// `populated ...` right after the same line, of pages already populated. (A
    /// real second free or populate would have changed free_bytes or nr_populated,
    /// which the recorded final state then shows.)
    static func withoutRepeatedReports(_ real: PercpuCallTrace) -> (events: [PercpuCallLine], repeats: Int) {
        var kept: [PercpuCallLine] = []
        var live = Set<UInt64>()
        var populated: [UInt64: Set<Int>] = [:]
        var repeats = 0
        for (index, entry) in real.lines.enumerated() {
            let previous = index > 0 ? real.lines[index - 1].event : nil
            switch entry.event {
            case .unclaimedAlloc(let p):
                #expect(previous.map { if case .alloc(_, _, _, _, p?) = $0 { true } else { false } } == true, "line \(entry.line)")
                #expect(live.contains(p))
                repeats += 1
                continue
            case .free(let p) where !live.contains(p):
                #expect(previous == .free(ptr: p), "line \(entry.line)")
                repeats += 1
                continue
            case let .populated(base, s, e) where s < e && populated[base, default: []].isSuperset(of: s ..< e):
                #expect(previous == entry.event, "line \(entry.line)")
                repeats += 1
                continue
            case .alloc(_, _, _, _, let p?): live.insert(p)
            case .free(let p): live.remove(p)
            case let .populated(base, s, e): populated[base, default: []].formUnion(s ..< e)
            case let .depopulated(base, s, e): populated[base, default: []].subtract(s ..< e)
            default: break
            }
            kept.append(entry.event)
        }
        return (kept, repeats)
    }

    @Test(arguments: cases)
    func populateAndDepopulateEventsAreExactlyTheKernels(_ name: String) throws {
        let real = Self.withoutRepeatedReports(try Self.recorded(name)).events
        let emulated = try Self.emulated(name).lines.map(\.event)
        let population: ([PercpuCallLine]) -> [PercpuCallLine] = { events in events.filter {
            switch $0 { case .populated, .depopulated: true; default: false } } }
        #expect(population(real).count > 20)
        #expect(population(emulated) == population(real))
    }

    @Test(arguments: cases)
    func everyLineOfTheFinalStateIsTheKernels(_ name: String) throws {
        let real = try Self.recorded(name), emulated = try Self.emulated(name)
        #expect(real.hasState && emulated.hasState)
        #expect(real.state.count > 20)
        #expect(emulated.state == real.state)
    }

    /// The whole event sequence — allocations, frees, balance runs and population in
    /// their interleaving — is the recording's, once its repeated reports are set aside.
    @Test(arguments: cases)
    func eventOrderIsTheKernels(_ name: String) throws {
        let (real, repeats) = Self.withoutRepeatedReports(try Self.recorded(name))
        #expect(repeats > 0 && repeats < 20)
        #expect(try Self.emulated(name).lines.map(\.event) == real)
    }

    /// --format stats: each chunk's counters agree with the recorded state (the
    /// kernel was built without CONFIG_PERCPU_STATS, so the state is the reference).
    @Test(arguments: cases)
    func statsAgreeWithTheRecordedState(_ name: String) throws {
        let real = try Self.recorded(name)
        let output = PcpuBootCLI.run(Self.arguments(name, format: "stats"))
        #expect(output.status == 0)
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func values(_ label: String) -> [Int] {
            lines.filter { $0.hasPrefix("  " + label + " ") }.compactMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) }
        }
        let chunks = real.state.filter { $0.hasPrefix("chunk ") }
        func field(_ line: String, _ key: String) -> Int {
            Int(line.split(separator: " ").first { $0.hasPrefix(key + "=") }!.dropFirst(key.count + 1))!
        }
        // Per chunk: the reserved chunk first, then the listed chunks in list order.
        let freeBytes = values("free_bytes"), contig = values("contig_bytes"), first = values("first_bit")
        #expect(freeBytes.dropFirst() .elementsEqual(chunks.map { field($0, "free_bytes") }))
        #expect(contig.dropFirst().elementsEqual(chunks.map { field($0, "contig_hint") * 4 }))
        #expect(first.dropFirst().elementsEqual(chunks.map { field($0, "first_free") }))
        let empty = values("empty_pop_pages")
        let recordedEmpty = Int(real.state.first { $0.hasPrefix("pcpu_nr_empty_pop_pages ") }!.split(separator: " ")[1].dropFirst(2), radix: 16)!
        #expect(empty.first == recordedEmpty)
        #expect(empty.dropFirst(2).elementsEqual(chunks.map { field($0, "nr_empty_pop_pages") }))
    }
}
