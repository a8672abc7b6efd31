import Testing
@testable import PercpuBoot
import PercpuAlloc

@Suite struct PcpuWorkloadLoaderTests {
    @Test func aWorkloadReads() throws {
        let text = """
        balance: manual
        steps:
          - alloc: { count: 120, size: 688, align: 8, gfp: GFP_KERNEL_ACCOUNT, tag: memcg }
          - free: { tag: memcg, every: 2 }
          - alloc: { size: 24, reserved: true, gfp: "GFP_KERNEL|__GFP_NOWARN" }
          - balance: 3
        """
        let w = try PcpuWorkloadLoader.load(text, file: "w.yaml")
        #expect(!w.autoBalance)
        #expect(w.steps == [.alloc(count: 120, size: 688, align: 8, gfp: 0x400cc0, reserved: false, tag: "memcg"),
                            .free(tag: "memcg", pattern: .every(2)),
                            .alloc(count: 1, size: 24, align: 4, gfp: 0x2cc0, reserved: true, tag: "default"),
                            .balance(times: 3)])
    }

    @Test func mistakesAreLocated() {
        #expect(throws: InputError.self) { try PcpuWorkloadLoader.load("steps:\n  - allok: { size: 8 }\n", file: "w.yaml") }
        do {
            _ = try PcpuWorkloadLoader.load("steps:\n  - alloc: { size: 8, gfp: GFP_KERNL }\n", file: "w.yaml")
            Issue.record("accepted a misspelt flag")
        } catch {
            #expect(error.description.contains("w.yaml:2:"))
            #expect(error.description.contains("GFP_KERNEL"))
        }
        #expect(throws: InputError.self) { try PcpuWorkloadLoader.load("steps:\n  - free: { every: 2, all: true }\n", file: "w.yaml") }
    }

    /// A workload asks for at most 10,000,000 allocations over all its steps (a
    /// fuzzed workload of 10,000,015 × 8738 bytes ran the machine out of memory):
    /// the step that goes past it is named, with its line.
    @Test func allocationsAreBounded() throws {
        _ = try PcpuWorkloadLoader.load("steps:\n  - alloc: { count: 10000000, size: 8 }\n", file: "w.yaml")
        do {
            _ = try PcpuWorkloadLoader.load("steps:\n  - alloc: { count: 9999999, size: 8 }\n  - alloc: { count: 2, size: 8 }\n",
                                            file: "w.yaml")
            Issue.record("accepted 10,000,001 allocations")
        } catch {
            #expect(error.description.hasPrefix("w.yaml:3:"))
            #expect(error.description.contains("10000001 allocations in all"))
        }
    }
}
