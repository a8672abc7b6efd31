import Testing
import KernelSupport
import PcpuBootTestSupport
@testable import PercpuBoot

/// The MADT walk, `prefill_possible_map` and the CPU → node map (`numa_init_array`,
/// `init_cpu_to_node`) of x86 v6.1, worked by hand.
@Suite struct X86CPUsTests {
    /// numa_init_array runs before the CPUs are known: with nodes {0, 1, 2} online every
    /// CPU id i < nr_cpu_ids gets node i mod 3 → [0, 1, 2, 0, 1, 2, …]. init_cpu_to_node
    /// then overrides the CPUs whose APIC id SRAT placed: cpu 0 (APIC 0) and cpu 1 (APIC 1),
    /// both on node 0. CPUs 2–5 are the 4 hot-pluggable slots (no APIC id): [0, 0, 2, 0, 1, 2].
    ///
    /// Grouping by node: {0, 1, 3}, {2, 5}, {4}. 2 MiB atom, max upa 8, 6 CPUs → waste ≤ 2:
    /// upa 8 wastes 5+6+7, upa 4 wastes 1+2+3, upa 2 wastes 1+0+1 = 2 → 4 allocations;
    /// upa 1 would need 6 → upa 2, unit 1 MiB. Dump width 2·2+1+3 = 8 → 4 allocations per line.
    @Test func roundRobinForCPUsSRATDoesNotPlace() throws {
        let platform = x86Platform(cpus: [(0, 0), (1, 0)],
                                   srat: [(0, 1 << 30, 0), (1 << 30, 1 << 30, 1), (2 << 30, 1 << 30, 2)],
                                   ram: [(0x10_0000, 0xbff0_0000)], hotplugCPUs: 4)
        let result = try Boot.run(platform)
        #expect(result.printkLines.contains("smpboot: Allowing 6 CPUs, 4 hotplug CPUs"))
        #expect(result.topology?.cpuToNode == [0, 0, 2, 0, 1, 2])
        #expect(result.allocInfo?.groups.map(\.cpuMap) == [[0, 1, 3, 8192], [2, 5], [4, 8192]])
        #expect(result.percpuLines.suffix(2) == [
            "pcpu-alloc: s217088 r8192 d28672 u1048576 alloc=1*2097152",
            "pcpu-alloc: [0] 0 1 [0] 3 - [1] 2 5 [2] 4 - ",
        ])
    }

    /// MADT entries without the Enabled bit are hot-pluggable slots: disabled_cpus. Their SRAT
    /// entries are skipped too, so PXM 1 first appears with the memory (node 1). The two
    /// slots have no APIC id and keep numa_init_array's nodes: cpu 2 → 0, cpu 3 → 1.
    @Test func disabledMADTEntriesAreHotplugSlots() throws {
        let platform = x86Platform(cpus: [(0, 0), (1, 0), (2, 1), (3, 1)], disabled: [2, 3],
                                   srat: [(0, 1 << 30, 0), (1 << 30, 1 << 30, 1)], ram: [(0x10_0000, 0x7ff0_0000)])
        let result = try Boot.run(platform)
        #expect(!result.printkLines.contains("SRAT: PXM 1 -> APIC 0x02 -> Node 1"))
        #expect(result.printkLines.contains("smpboot: Allowing 4 CPUs, 2 hotplug CPUs"))
        #expect(result.topology?.cpuToNode == [0, 0, 0, 1])
    }

    /// `possible_cpus=8` with six CPUs: two hotplug CPUs, placed 6 mod 2 = 0 and 7 mod 2 = 1.
    @Test func possibleCPUsOption() throws {
        let result = try Boot.run(qemuTwoNodes(cmdline: "possible_cpus=8"))
        #expect(result.printkLines.contains("smpboot: Allowing 8 CPUs, 2 hotplug CPUs"))
        #expect(result.topology?.cpuToNode == [0, 0, 0, 1, 1, 1, 0, 1])
        #expect(result.percpuLines.first == "setup_percpu: NR_CPUS:8192 nr_cpumask_bits:8 nr_cpu_ids:8 nr_node_ids:2")
    }

    /// `nr_cpus=2` caps nr_cpu_ids before the MADT walk: APIC 0 (boot CPU) → cpu 0, APIC 1 →
    /// cpu 1; APIC 2 and 3 are refused ("Processor %d" = nr_cpu_ids + disabled_cpus = 2, then 3)
    /// and counted disabled, so possible = 2 + 2 = 4 > nr_cpu_ids → capped to 2.
    @Test func nrCPUsOption() throws {
        let platform = x86Platform(cpus: [(0, 0), (1, 0), (2, 1), (3, 1)],
                                   srat: [(0, 1 << 30, 0), (1 << 30, 1 << 30, 1)], ram: [(0x10_0000, 0x7ff0_0000)],
                                   cmdline: "nr_cpus=2")
        let lines = try Boot.run(platform).printkLines
        let first = try #require(lines.firstIndex { $0.hasPrefix("APIC:") })
        #expect(Array(lines[first..<(first + 5)]) == [
            "APIC: NR_CPUS/possible_cpus limit of 2 reached. Processor 2/0x2 ignored.",
            "APIC: NR_CPUS/possible_cpus limit of 2 reached. Processor 3/0x3 ignored.",
            "smpboot: 4 Processors exceeds NR_CPUS limit of 2",
            "smpboot: Allowing 2 CPUs, 0 hotplug CPUs",
            "setup_percpu: NR_CPUS:8192 nr_cpumask_bits:2 nr_cpu_ids:2 nr_node_ids:2",
        ])
    }

    /// `maxcpus=0` (setup_max_cpus 0): hotplug slots are not added and possible is cut to 1.
    @Test func maxCPUsZero() throws {
        let lines = try Boot.run(qemuTwoNodes(cmdline: "maxcpus=0")).printkLines
        #expect(lines.contains("smpboot: 6 Processors exceeds max_cpus limit of 0"))
        #expect(lines.contains("smpboot: Allowing 1 CPUs, 0 hotplug CPUs"))
    }

    /// A repeated APIC id gets the logical number it already has (allocate_logical_cpuid),
    /// yet counts as another present processor, as in the kernel.
    @Test func duplicateAPICIDReusesItsNumber() {
        var log = KernelLog()
        let acpi = ACPIFirmware(processors: [SRATProcessor(hardwareID: 0, proximityDomain: 0),
                                             SRATProcessor(hardwareID: 4, proximityDomain: 0),
                                             SRATProcessor(hardwareID: 4, proximityDomain: 0)],
                                memory: [])
        let cpus = X86CPUs.enumerate(acpi, kernel: .v6_1, nrCPUIDs: 8192, maxCPUs: 8192, possibleCPUs: nil, log: &log)
        #expect(cpus.apicID == [0: 0, 1: 4])
        #expect(cpus.numProcessors == 3)
        #expect(log.texts() == ["smpboot: Allowing 3 CPUs, 0 hotplug CPUs"])
    }
}
