import Testing
@testable import PercpuAlloc

@Suite struct PercpuCallTraceTests {
    @Test func everyLineKindParses() throws {
        let text = """
        alloc size=32 align=16 reserved=0 gfp=0xcc0 -> 0xffff80000981b4f0\r
        alloc ? -> 0xffff80000981b4f0
        free 0xffff80000981b4f0
        populated chunk=0xfffffbff307f4000 pages=0-3
        depopulated chunk=0xfffffbff307f4000 pages=3-6
        balance
        # a comment
        # state at panic()
        nr_cpu_ids 8
        # pcpu_alloc() in progress at panic: alloc size=8 align=8 reserved=0 gfp=0xcc0
        """
        let trace = try PercpuCallTraceParser.parse(text, file: "t")
        #expect(trace.lines.map(\.event) == [
            .alloc(size: 32, align: 16, reserved: false, gfp: 0xcc0, ptr: 0xffff80000981b4f0),
            .unclaimedAlloc(ptr: 0xffff80000981b4f0), .free(ptr: 0xffff80000981b4f0),
            .populated(base: 0xfffffbff307f4000, start: 0, end: 3), .depopulated(base: 0xfffffbff307f4000, start: 3, end: 6),
            .balance])
        #expect(trace.lines.map(\.line) == [1, 2, 3, 4, 5, 6])
        #expect(trace.state == ["nr_cpu_ids 8"])
    }

    @Test func badLinesAreLocated() {
        #expect(throws: TraceParseError(file: "t", line: 2, column: 14, message: "expected align=NUMBER, found 'alig=8'")) {
            try PercpuCallTraceParser.parse("balance\nalloc size=8 alig=8 reserved=0 gfp=0xcc0\n", file: "t")
        }
        do {
            _ = try PercpuCallTraceParser.parse("fre 0x10\n", file: "t")
            Issue.record("accepted an unknown event")
        } catch {
            #expect(error.description == "t:1:1: unknown event 'fre'; expected one of alloc, free, populated, depopulated, balance; did you mean 'free'?")
        }
    }

    /// A workload-style trace (no pointers) replays through pcpu_alloc and prints the pointers.
    @Test func aTraceWithoutPointersGetsTheEmulatedOnes() throws {
        var a = try TestAllocator.make()
        try a.replay(try PercpuCallTraceParser.parse("alloc size=8 align=8 reserved=0 gfp=0xcc0\n", file: "t"))
        #expect(a.traceLines() == ["alloc size=8 align=8 reserved=0 gfp=0xcc0 -> 0xffff800000003000"])
    }
}
