import KernelSupport
import Memblock

/// `numa=fake=` on x86_64 (CONFIG_NUMA_EMU): arch/x86/mm/numa_emulation.c in v6.1/v6.8,
/// moved almost unchanged to mm/numa_emulation.c with numa_memblks in v6.12 (`.numaMemblks`:
/// the copy of the distance table then comes from memblock_alloc). Runs inside NUMA init,
/// after `numa_cleanup_meminfo` and before the nodes are registered: the firmware's (or the dummy) meminfo is cut into fake nodes, the
/// parsed nodes, `__apicid_to_node` and the distance table follow.
///
/// Two of the three forms are emulated: `numa=fake=N` (`split_nodes_interleave`) and
/// `numa=fake=<size>[MG]` (`split_nodes_size_interleave`), each optionally followed by
/// `:d00,d01,…` distances. `numa=fake=NU` (uniform per physical node) is not: its failure
/// check changed between v6.1 and mainline and no recorded boot shows it; it is left out
/// (no emulation, as if CONFIG_NUMA_EMU were off) and the CLI says so.
extension X86NUMA {
    /// FAKE_NODE_MIN_SIZE (arch/x86/include/asm/numa.h): 32 MiB.
    static let fakeNodeMinSize: UInt64 = 32 << 20

    /// `numa_emulation(numa_meminfo, numa_dist_cnt)` (v6.1 arch/x86/mm/numa_emulation.c;
    /// v6.12 mm/numa_emulation.c). Without `numa=fake=` (or when a split fails) nothing
    /// changes: the kernel's `no_emu` path only builds the identity `emu_nid_to_phys[]`
    /// that `numa_add_cpu` uses later.
    mutating func numaEmulation(memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        guard let text = emuCmdline, !text.utf8.contains(UInt8(ascii: "U")) else { return }
        var cursor = CommandLineCursor(text)
        var split = FakeNodeSplit(physical: memblks.meminfo, nodesParsed: memblks.nodesParsed,
                                  maxNumNodes: maxNumNodes, memblock: memblock, pageShift: UInt64(profile.pageShift))
        let ret: Int
        if text.utf8.contains(UInt8(ascii: "M")) || text.utf8.contains(UInt8(ascii: "G")) {
            ret = split.sizeInterleave(from: 0, to: maxAddress, size: cursor.memparse(), log: &log)
        } else {
            ret = split.interleave(from: 0, to: maxAddress, nodes: cursor.simpleStrtoul(), log: &log)
        }
        cursor.skip(":")
        if ret < 0 { return }

        // numa_cleanup_meminfo(&ei): the same clean-up, on the emulated blocks.
        let physical = memblks.meminfo
        memblks.meminfo = split.emulated
        if memblks.cleanupMeminfo(memblock: memblock, log: &log) < 0 {
            memblks.meminfo = physical
            log.print(.warning, "", "NUMA: Warning: constructed meminfo invalid, disabling emulation")
            return
        }
        // The physical distance table is copied out before it is reset, into memory allocated
        // as the table itself is (v6.1/v6.8 below max_pfn_mapped, v6.12 memblock_alloc).
        let physicalDistances = memblks.distanceTable
        let numaDistCount = physicalDistances.count
        var copy: UInt64?
        let copySize = UInt64(numaDistCount * numaDistCount)
        if numaDistCount > 0 {
            copy = try memblks.allocTable(size: copySize, memblock: &memblock, log: &log, caller: "numa_emulation")
            if copy == nil {
                memblks.meminfo = physical
                log.print(.warning, "", "NUMA: Warning: can't allocate copy of distance table, disabling emulation")
                return
            }
        }
        // setup_emu2phys_nid: the highest emulated node, and the first one's physical node.
        var emuNidToPhys = split.emuNidToPhys
        let maxEmuNid = emuNidToPhys.lastIndex { $0 != NUMA_NO_NODE } ?? 0
        let defaultPhysNid = emuNidToPhys.first { $0 != NUMA_NO_NODE } ?? NUMA_NO_NODE

        // Commit: only the emulated nodes are parsed.
        memblks.nodesParsed = NumaMemblks.nodemask(of: memblks.meminfo)
        // __apicid_to_node[] (numa_emu_update_cpu_to_node in v6.12): each APIC's physical node
        // becomes the first emulated node on it, else 0.
        for (apic, node) in apicidToNode {
            apicidToNode[apic] = emuNidToPhys.firstIndex(of: node) ?? 0
        }
        for i in emuNidToPhys.indices where emuNidToPhys[i] == NUMA_NO_NODE { emuNidToPhys[i] = defaultPhysNid }

        // The distance table, rebuilt between emulated nodes: `:d,d,…` values where given (a
        // value counts only when a comma follows it: get_option() == 2), else the distance
        // of their physical nodes — the copy's, or for nodes outside it LOCAL_DISTANCE when
        // they are the same and REMOTE_DISTANCE when not, which is `DistanceTable.distance`'s
        // own rule for ids outside the table.
        try memblks.resetDistance(memblock: &memblock, log: &log)
        for i in 0...maxEmuNid {
            for j in 0...maxEmuNid {
                let distance: Int
                if let given = cursor.getOption(), given.followedByComma {
                    distance = given.value
                } else {
                    distance = physicalDistances.distance(emuNidToPhys[i], emuNidToPhys[j])
                }
                try memblks.setDistance(i, j, distance, memblock: &memblock, log: &log)
            }
        }
        // memblock_free(phys_dist, phys_size): nothing when there was no table (NULL).
        if let copy {
            try memblock.physFree(copy, copySize, log: &log,
                                  caller: profile.memblockFreeKeepsFrame ? "memblock_free" : "numa_emulation")
        }
    }
}
