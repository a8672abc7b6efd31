import Testing
import PcpuBootTestSupport
@testable import PercpuBoot

/// x86_64 under the 6.12 profile: arch/x86/mm/numa.c on top of mm/numa_memblks.c, and the
/// 6.9 CPU topology rework (arch/x86/kernel/cpu/topology.c, pr_fmt "CPU topo: ") in place of
/// prefill_possible_map. Expected lines worked out from the 6.12 source.
///
/// Formats: numa_memblks.c `pr_info("NUMA: Node %d [mem %#010Lx-%#010Lx] + [mem …] -> [mem …]\n")`,
/// `printk(KERN_DEBUG "NUMA: Initialized distance table, cnt=%d\n")`; mm/numa.c
/// `pr_info("NODE_DATA(%d) allocated [mem %#010Lx-%#010Lx]\n")`; topology.c
/// `pr_info("Max. logical packages: %3u\n")`, `"Max. logical dies:     %3u\n"`,
/// `"Max. dies per package: %3u\n"`, `"Max. threads per core: %3u\n"`,
/// `"Num. cores per package:   %3u\n"`, `"Num. threads per package: %3u\n"`,
/// `"Allowing %u present CPUs plus %u hotplug CPUs\n"`, `"Rejected CPUs %u\n"`,
/// `pr_info("Limiting to %u possible CPUs\n")`, `pr_warn("%u possible CPUs exceed the limit of %u\n")`,
/// `pr_warn_once("CPU limit of %d reached. Ignoring further CPUs\n")`; setup_percpu.c
/// `pr_info("NR_CPUS:%d nr_cpumask_bits:%d nr_cpu_ids:%u nr_node_ids:%u\n")` with
/// nr_cpumask_bits = nr_cpu_ids (6.12 cpumask.h). The emulated machine has QEMU's default
/// CPU shape: one package and die, one thread per core, so packages/dies/threads per core
/// are 1 and the per-package counts are the number of registered APIC ids.
@Suite struct X86NUMA612Tests {
    static func topo(cores: Int, present: Int, hotplug: Int) -> [String] {
        func pad(_ n: Int) -> String { String(repeating: " ", count: max(3 - String(n).count, 0)) + String(n) }
        return ["CPU topo: Max. logical packages:   1",
                "CPU topo: Max. logical dies:       1",
                "CPU topo: Max. dies per package:   1",
                "CPU topo: Max. threads per core:   1",
                "CPU topo: Num. cores per package:   \(pad(cores))",
                "CPU topo: Num. threads per package: \(pad(cores))",
                "CPU topo: Allowing \(present) present CPUs plus \(hotplug) hotplug CPUs"]
    }

    /// The real 2-node QEMU machine (two nodes of 1 GiB, 3 CPUs each, SLIT 21). SRAT's
    /// `SRAT: PXM … -> APIC …` lines are pr_debug in 6.12. The SLIT allocates the table:
    /// cnt 2, `memblock_alloc(4, 4096)` below current_limit PFN_PHYS(max_pfn) = 0x7ffe_0000 →
    /// 0x7ffd_f000. numa_cleanup_meminfo clips to memblock's DRAM — 6.12 uses
    /// memblock_start_of_DRAM() = 0x1000 (page 0 is not RAM), where 6.1 used 0 — so the merge
    /// line reads [mem 0x00001000-0x0009ffff]; node 1's block is cut at 0x7ffe_0000.
    /// NODE_DATA (the profile's 0x2b000): node 0 at 0x4000_0000 − 0x2b000 = 0x3ffd_5000, node 1
    /// under the table: 0x7ffd_f000 − 0x2b000 = 0x7ffb_4000. Then the MADT: 6 present APICs.
    /// Per-CPU: 2 groups of 3 in 2 MiB atoms of 253952-byte units: upa 8 wastes 10 > 6/3,
    /// upa 4 wastes 2 → u = 2 MiB / 4 = 524288.
    @Test func twoNodeMachine() throws {
        let platform = x86Platform(kernel: .v6_12, cpus: [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1), (5, 1)],
                                   srat: [(0, 0xa0000, 0), (0x10_0000, 0x3ff0_0000, 0), (0x4000_0000, 0x4000_0000, 1)],
                                   ram: [(0x1000, 0x9_ec00), (0x10_0000, 0x7fee_0000)], slit: [[10, 21], [21, 10]],
                                   sratRevision: 1)
        let result = try Boot.run(platform)
        #expect(result.outcome == .booted)
        #expect(Array(result.printkLines.prefix(16)) == [
            "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]",
            "ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x3fffffff]",
            "ACPI: SRAT: Node 1 PXM 1 [mem 0x40000000-0x7fffffff]",
            "NUMA: Initialized distance table, cnt=2",
            "NUMA: Node 0 [mem 0x00001000-0x0009ffff] + [mem 0x00100000-0x3fffffff] -> [mem 0x00001000-0x3fffffff]",
            "NODE_DATA(0) allocated [mem 0x3ffd5000-0x3fffffff]",
            "NODE_DATA(1) allocated [mem 0x7ffb4000-0x7ffdefff]",
        ] + Self.topo(cores: 6, present: 6, hotplug: 0) + [
            "setup_percpu: NR_CPUS:8192 nr_cpumask_bits:6 nr_cpu_ids:6 nr_node_ids:2",
            "percpu: Embedded 62 pages/cpu s217088 r8192 d28672 u524288",
        ])
        #expect(result.log.texts([.dynamicDebug]).contains("SRAT: PXM 1 -> APIC 0x05 -> Node 1"))
        let topology = try #require(result.topology)
        #expect(topology.method == .acpi)
        #expect(topology.cpuToNode == [0, 0, 0, 1, 1, 1])
        #expect(topology.nodeData == [0: 0x3ffd_5000, 1: 0x7ffb_4000])
        #expect(topology.distances.distance(0, 1) == 21)
        #expect(result.percpuLines.last == "pcpu-alloc: [0] 0 1 2 - [1] 3 4 5 - ")
    }

    /// No SRAT: the dummy node over [0, PFN_PHYS(max_pfn)) = [0, 0x3ffe_0000), cleaned up to
    /// [0x1000, …) silently (one block, nothing to merge); NODE_DATA(0) at 0x3ffe_0000 −
    /// 0x2b000 = 0x3ffb_5000. One CPU: u = 2 MiB.
    @Test func noSRATFakesOneNode() throws {
        let platform = x86Platform(kernel: .v6_12, cpus: [(0, 0)], ram: [(0x1000, 0x9_ec00), (0x10_0000, 0x3fee_0000)])
        let result = try Boot.run(platform)
        #expect(Array(result.printkLines.prefix(11)) == [
            "No NUMA configuration found",
            "Faking a node at [mem 0x0000000000000000-0x000000003ffdffff]",
            "NODE_DATA(0) allocated [mem 0x3ffb5000-0x3ffdffff]",
        ] + Self.topo(cores: 1, present: 1, hotplug: 0) + [
            "setup_percpu: NR_CPUS:8192 nr_cpumask_bits:1 nr_cpu_ids:1 nr_node_ids:1",
        ])
        #expect(result.topology?.method == .dummy)
    }

    /// APICs 0–2 present, 3 disabled, 2 hot-pluggable slots (APIC ids 4, 5): six registered
    /// APICs. `possible_cpus=4` (topology_apply_cmdline_limits_early) → "Limiting to 4
    /// possible CPUs"; total 3 + 3 = 6 > min(6, 4) → "6 possible CPUs exceed the limit of 4";
    /// assigned 3, disabled 4 − 3 = 1.
    @Test func possibleCpusLimit() throws {
        let platform = x86Platform(kernel: .v6_12, cpus: [(0, 0), (1, 0), (2, 0), (3, 0)], disabled: [3],
                                   ram: [(0x10_0000, 0x3ff0_0000)], hotplugCPUs: 2, cmdline: "possible_cpus=4")
        let result = try Boot.run(platform)
        let lines = result.printkLines
        let first = try #require(lines.firstIndex { $0.hasPrefix("CPU topo:") })
        #expect(Array(lines[first..<(first + 9)]) == [
            "CPU topo: Limiting to 4 possible CPUs",
            "CPU topo: 6 possible CPUs exceed the limit of 4",
        ] + Self.topo(cores: 6, present: 3, hotplug: 1))
        #expect(result.topology?.possibleCPUs == [0, 1, 2, 3])
    }

    /// `nr_cpus=2` makes nr_cpu_ids 2 before the MADT walk: APIC 2 finds both CPU numbers
    /// taken ("CPU limit of 2 reached", once) and it, the disabled APIC 3 and the two slots
    /// are rejected; only APICs 0 and 1 enter the maps.
    @Test func nrCpusRejectsTheRest() throws {
        let platform = x86Platform(kernel: .v6_12, cpus: [(0, 0), (1, 0), (2, 0), (3, 0)], disabled: [3],
                                   ram: [(0x10_0000, 0x3ff0_0000)], hotplugCPUs: 2, cmdline: "nr_cpus=2")
        let result = try Boot.run(platform)
        let lines = result.printkLines
        let first = try #require(lines.firstIndex { $0.hasPrefix("CPU topo:") })
        #expect(Array(lines[first..<(first + 10)]) == ["CPU topo: CPU limit of 2 reached. Ignoring further CPUs"]
            + Self.topo(cores: 2, present: 2, hotplug: 0) + ["CPU topo: Rejected CPUs 4",
                                                              "setup_percpu: NR_CPUS:8192 nr_cpumask_bits:2 nr_cpu_ids:2 nr_node_ids:1"])
        #expect(result.topology?.possibleCPUs == [0, 1])
    }

    /// The 6.1 profile of the same machine keeps its own lines (no "CPU topo:", 6.1's merge
    /// from 0): the 6.12 path does not leak into older profiles.
    @Test func olderProfilesUnchanged() throws {
        let result = try Boot.run(qemuTwoNodes())
        #expect(!result.printkLines.contains { $0.hasPrefix("CPU topo:") })
        #expect(result.printkLines.contains(
            "NUMA: Node 0 [mem 0x00000000-0x0009ffff] + [mem 0x00100000-0x3fffffff] -> [mem 0x00000000-0x3fffffff]"))
    }
}
