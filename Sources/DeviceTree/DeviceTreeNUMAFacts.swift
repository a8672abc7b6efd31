/// The NUMA-relevant facts of a device tree, read the way Linux v6.8 reads them.
///
/// A neutral extraction: it records what `drivers/of/of_numa.c`
/// (`of_numa_parse_cpu_nodes`, `of_numa_parse_memory_nodes`,
/// `of_numa_parse_distance_map_v1`, `of_node_to_nid`), arm64 `smp_init_cpus` /
/// `of_parse_and_init_cpus` (`of_get_cpu_hwid`), and the early FDT scans
/// (memory reservation block, `/reserved-memory`, `/chosen` bootargs) would
/// read, keeping every distinction those functions act on (absent vs
/// malformed `numa-node-id`, CPUs the kernel skips, trailing `distance-matrix`
/// cells), and decides nothing: validating node ids against MAX_NUMNODES,
/// printing warnings and choosing fallbacks is the NUMA-init stage's job.

/// A CPU node as `for_each_of_cpu_node` finds it (drivers/of/base.c, v6.8:
/// the children of `/cpus` named `cpu` or with `device_type = "cpu"`).
public struct DeviceTreeCPU: Equatable, Hashable, Sendable {
    /// Full path, e.g. `/cpus/cpu@0`.
    public var path: String
    /// The hardware id (arm64 MPIDR, riscv hartid) `of_get_cpu_hwid(np, 0)`
    /// reads from `reg` with `/cpus`' `#address-cells`; nil where the kernel
    /// gets ~0 (no `reg`, too short, zero address cells), which arm64
    /// `of_parse_and_init_cpus` then rejects by its MPIDR_HWID_BITMASK check
    /// (still consuming a logical CPU number).
    public var reg: UInt64?
    /// `of_property_read_u32(np, "numa-node-id")` on the CPU node itself
    /// (what `of_numa_parse_cpu_nodes` uses).
    public var numaNodeId: U32PropertyValue
    /// What `of_node_to_nid(np)` finds walking from the CPU node up through its
    /// parents (what `smp_init_cpus` maps the CPU to, before the kernel's
    /// MAX_NUMNODES / node_possible check).
    public var inheritedNumaNodeId: U32PropertyValue
    /// Path of the node whose `numa-node-id` the walk stopped at; nil when none had one.
    public var inheritedNumaNodeIdSource: String?
    /// `status` up to its first NUL, nil when absent.
    public var status: String?
    /// `device_type` up to its first NUL, nil when absent.
    public var deviceType: String?
    /// riscv `mmu-type` (`riscv,sv39` …) up to its first NUL, nil when absent.
    public var mmuType: String?

    /// Makes a CPU record.
    public init(path: String, reg: UInt64?, numaNodeId: U32PropertyValue, inheritedNumaNodeId: U32PropertyValue,
                inheritedNumaNodeIdSource: String? = nil, status: String? = nil, deviceType: String? = nil,
                mmuType: String? = nil) {
        self.path = path
        self.reg = reg
        self.numaNodeId = numaNodeId
        self.inheritedNumaNodeId = inheritedNumaNodeId
        self.inheritedNumaNodeIdSource = inheritedNumaNodeIdSource
        self.status = status
        self.deviceType = deviceType
        self.mmuType = mmuType
    }

    /// False for `status = "fail"` / `"fail-…"`: `of_get_next_cpu_node` skips
    /// such CPUs, so neither OF NUMA nor SMP enumeration sees them.
    public var isEnumeratedByKernel: Bool {
        guard let status else { return true }
        return status != "fail" && !status.hasPrefix("fail-")
    }
}

/// A node with `device_type = "memory"` (`for_each_node_by_type(np, "memory")`).
public struct DeviceTreeMemoryNode: Equatable, Hashable, Sendable {
    /// Full path, e.g. `/memory@40000000`.
    public var path: String
    /// The ranges `of_address_to_resource` yields, in `reg` order (see
    /// `addressCells`/`sizeCells`): empty when `reg` is absent or the cell
    /// counts are unusable, which `of_numa_parse_memory_nodes` reports as
    /// "bad property in memory node".
    public var regs: [DeviceTreeRegEntry]
    /// `of_property_read_u32(np, "numa-node-id")`.
    public var numaNodeId: U32PropertyValue
    /// `#address-cells` the kernel uses for this node (`of_n_addr_cells`: the
    /// parent's, else an ancestor's, else 1).
    public var addressCells: UInt32
    /// `#size-cells` the kernel uses (`of_n_size_cells`, same search).
    public var sizeCells: UInt32
    /// Length of `reg` in bytes (nil when absent): shows cells `regs` ignored.
    public var regByteLength: Int?
    /// `status` up to its first NUL, nil when absent.
    public var status: String?
    /// Whether `status` is absent, `okay` or `ok` (the early memblock scan,
    /// `early_init_dt_scan_memory`, skips unavailable memory nodes; OF NUMA does not).
    public var isAvailable: Bool

    /// Makes a memory-node record (the cell defaults are QEMU virt's 2/2).
    public init(path: String, regs: [DeviceTreeRegEntry], numaNodeId: U32PropertyValue, addressCells: UInt32 = 2,
                sizeCells: UInt32 = 2, regByteLength: Int? = nil, status: String? = nil, isAvailable: Bool = true) {
        self.path = path
        self.regs = regs
        self.numaNodeId = numaNodeId
        self.addressCells = addressCells
        self.sizeCells = sizeCells
        self.regByteLength = regByteLength
        self.status = status
        self.isAvailable = isAvailable
    }
}

/// One (from, to, distance) triplet of a `distance-matrix`.
public struct DeviceTreeDistanceEntry: Equatable, Hashable, Sendable {
    /// Source node id (`nodea`).
    public var from: UInt32
    /// Destination node id (`nodeb`).
    public var to: UInt32
    /// The distance.
    public var distance: UInt32

    /// Makes a triplet.
    public init(from: UInt32, to: UInt32, distance: UInt32) {
        self.from = from
        self.to = to
        self.distance = distance
    }
}

/// The first node compatible with `numa-distance-map-v1`
/// (`of_find_compatible_node(NULL, NULL, "numa-distance-map-v1")`).
public struct DeviceTreeDistanceMap: Equatable, Hashable, Sendable {
    /// Full path, e.g. `/distance-map`.
    public var path: String
    /// The `distance-matrix` cells; nil when the property is missing (the
    /// kernel's "No distance-matrix property in distance-map"). A length that
    /// is not a multiple of 4 gives `[]`, because `of_property_count_u32_elems`
    /// then fails and the kernel reports "Invalid distance-matrix" exactly as
    /// for an empty one; `matrixByteLength` keeps the real length.
    public var matrix: [UInt32]?
    /// Length of `distance-matrix` in bytes, nil when absent.
    public var matrixByteLength: Int?

    /// Makes a distance-map record.
    public init(path: String, matrix: [UInt32]?, matrixByteLength: Int? = nil) {
        self.path = path
        self.matrix = matrix
        self.matrixByteLength = matrixByteLength ?? matrix.map { $0.count * 4 }
    }

    /// The triplets `of_numa_parse_distance_map_v1` processes, in file order:
    /// whole groups of three cells only (`i + 2 < entry_count`), leftovers ignored.
    public var triplets: [DeviceTreeDistanceEntry] {
        guard let matrix else { return [] }
        return stride(from: 0, to: matrix.count - matrix.count % 3, by: 3).map {
            DeviceTreeDistanceEntry(from: matrix[$0], to: matrix[$0 + 1], distance: matrix[$0 + 2])
        }
    }
}

/// One range the early `/reserved-memory` scan reserves (`fdt_scan_reserved_mem`,
/// `__reserved_mem_reserve_reg`, drivers/of/fdt.c, v6.8).
public struct DeviceTreeReservedMemoryRegion: Equatable, Hashable, Sendable {
    /// The child node's name (`uname`), e.g. `secmon@80000000`.
    public var name: String
    /// Its full path.
    public var path: String
    /// Start of the range.
    public var base: UInt64
    /// Size of the range (never 0: the kernel skips empty entries).
    public var size: UInt64
    /// Whether the node has `no-map` (memblock_mark_nomap rather than memblock_reserve).
    public var noMap: Bool

    /// Makes a region record.
    public init(name: String, path: String, base: UInt64, size: UInt64, noMap: Bool = false) {
        self.name = name
        self.path = path
        self.base = base
        self.size = size
        self.noMap = noMap
    }
}

/// Everything NUMA setup and the early memblock scans read from a device tree.
public struct DeviceTreeNUMAFacts: Equatable, Hashable, Sendable {
    /// CPU nodes in DT order, including those with `status = "fail"` (see
    /// `DeviceTreeCPU.isEnumeratedByKernel` and `enumeratedCPUs`).
    public var cpus: [DeviceTreeCPU]
    /// Every `device_type = "memory"` node, in DT (pre-order) order.
    public var memory: [DeviceTreeMemoryNode]
    /// The first `numa-distance-map-v1` node, nil when there is none.
    public var distanceMap: DeviceTreeDistanceMap?
    /// The memory reservation block (§5.3), in blob order.
    public var memoryReservations: [DeviceTreeMemoryReservation]
    /// Static `reg` ranges of available `/reserved-memory` children, as the kernel reserves them.
    public var reservedMemory: [DeviceTreeReservedMemoryRegion]
    /// True when `/reserved-memory` exists but fails `__reserved_mem_check_root`
    /// (cells differ from the root's, or no `ranges`): the kernel then prints
    /// "Reserved memory: unsupported node format, ignoring" and reserves nothing
    /// (`reservedMemory` is empty).
    public var reservedMemoryIgnored: Bool
    /// `/chosen` `bootargs` up to its first NUL; nil when absent or empty (the
    /// kernel then keeps its built-in command line). Not truncated to COMMAND_LINE_SIZE.
    public var bootargs: String?
    /// `dt_root_addr_cells`: the root's `#address-cells`, else 1.
    public var rootAddressCells: UInt32
    /// `dt_root_size_cells`: the root's `#size-cells`, else 1.
    public var rootSizeCells: UInt32
    /// `boot_cpuid_phys` from the header.
    public var bootCpuidPhys: UInt32

    /// The CPUs `for_each_of_cpu_node` visits (those not failed), in order.
    public var enumeratedCPUs: [DeviceTreeCPU] { cpus.filter(\.isEnumeratedByKernel) }
}

public extension DeviceTree {
    /// Extracts the NUMA facts (see `DeviceTreeNUMAFacts`). Throws only for
    /// text the emulator must read but that is not UTF-8 (`bootargs`,
    /// `status`, `device_type`), rather than guessing at its content.
    func numaFacts() throws(DeviceTreeError) -> DeviceTreeNUMAFacts {
        let visits = allNodes()

        var cpus: [DeviceTreeCPU] = []
        // of_find_node_by_path("/cpus"): exact full-name match among the root's children.
        if let cpusNode = root.children.first(where: { $0.name == "cpus" }) {
            for child in cpusNode.children
            where KernelOF.nameEquals(child, "cpu") || KernelOF.isType(child, "cpu") {
                let visit = DeviceTreeNodeVisit(path: "/cpus/" + child.name, node: child, ancestors: [root, cpusNode])
                let (inherited, source) = KernelOF.inheritedNodeId(visit)
                cpus.append(DeviceTreeCPU(
                    path: visit.path, reg: KernelOF.cpuHwid(visit),
                    numaNodeId: U32PropertyValue(reading: "numa-node-id", in: child),
                    inheritedNumaNodeId: inherited, inheritedNumaNodeIdSource: source,
                    status: try KernelOF.cString("status", of: visit),
                    deviceType: try KernelOF.cString("device_type", of: visit),
                    mmuType: try KernelOF.cString("mmu-type", of: visit)))
            }
        }

        var memory: [DeviceTreeMemoryNode] = []
        for visit in visits where KernelOF.isType(visit.node, "memory") {
            memory.append(DeviceTreeMemoryNode(
                path: visit.path, regs: KernelOF.addressResources(visit),
                numaNodeId: U32PropertyValue(reading: "numa-node-id", in: visit.node),
                addressCells: KernelOF.addressCells(of: visit), sizeCells: KernelOF.sizeCells(of: visit),
                regByteLength: visit.node.property(named: "reg")?.value.count,
                status: try KernelOF.cString("status", of: visit),
                isAvailable: KernelOF.isAvailable(visit.node)))
        }

        let distanceMap = visits.first { $0.node.isCompatible(with: "numa-distance-map-v1") }.map { visit in
            let property = visit.node.property(named: "distance-matrix")
            let matrix = property.map { property in
                (try? property.u32Array()) ?? []  // not a whole number of cells: the kernel's entry_count <= 0
            }
            return DeviceTreeDistanceMap(path: visit.path, matrix: matrix, matrixByteLength: property?.value.count)
        }

        let rootAddressCells = KernelOF.rootCells("#address-cells", root: root)
        let rootSizeCells = KernelOF.rootCells("#size-cells", root: root)
        let (reserved, ignored) = reservedMemoryRegions(rootAddressCells: rootAddressCells, rootSizeCells: rootSizeCells)

        return DeviceTreeNUMAFacts(
            cpus: cpus, memory: memory, distanceMap: distanceMap, memoryReservations: memoryReservations,
            reservedMemory: reserved, reservedMemoryIgnored: ignored, bootargs: try bootargs(),
            rootAddressCells: rootAddressCells, rootSizeCells: rootSizeCells, bootCpuidPhys: bootCpuidPhys)
    }

    /// `fdt_scan_reserved_mem` (drivers/of/fdt.c, v6.8): `/reserved-memory`
    /// must repeat the root's cells and have `ranges`; then each available
    /// child's `reg` (a whole number of root-cell entries, else skipped) gives
    /// one region per non-empty entry. Returns the regions and whether the
    /// whole node was ignored.
    private func reservedMemoryRegions(rootAddressCells: UInt32,
                                       rootSizeCells: UInt32) -> ([DeviceTreeReservedMemoryRegion], Bool) {
        guard let parent = visit(at: "/reserved-memory") else { return ([], false) }
        let node = parent.node
        guard U32PropertyValue(reading: "#size-cells", in: node).value == rootSizeCells,
              U32PropertyValue(reading: "#address-cells", in: node).value == rootAddressCells,
              node.property(named: "ranges") != nil else { return ([], true) }
        let entryBytes = (Int(rootAddressCells) + Int(rootSizeCells)) * 4
        guard entryBytes > 0 else { return ([], false) }
        var regions: [DeviceTreeReservedMemoryRegion] = []
        for child in node.children where KernelOF.isAvailable(child) {
            guard let reg = child.property(named: "reg"), reg.value.count % entryBytes == 0 else { continue }
            let noMap = child.property(named: "no-map") != nil
            for entry in stride(from: 0, to: reg.value.count / 4, by: entryBytes / 4) {
                let base = BigEndian.readNumber(reg.value, cellIndex: entry, count: Int(rootAddressCells))
                let size = BigEndian.readNumber(reg.value, cellIndex: entry + Int(rootAddressCells), count: Int(rootSizeCells))
                guard size != 0 else { continue }
                regions.append(DeviceTreeReservedMemoryRegion(
                    name: child.name, path: parent.path + "/" + child.name, base: base, size: size, noMap: noMap))
            }
        }
        return (regions, false)
    }

    /// `early_init_dt_scan_chosen` (drivers/of/fdt.c, v6.8): `/chosen` (or
    /// `/chosen@0`) `bootargs`, used only when its length is > 0; the string
    /// ends at the first NUL.
    private func bootargs() throws(DeviceTreeError) -> String? {
        guard let chosen = visit(at: "/chosen") ?? visit(at: "/chosen@0"),
              let property = chosen.node.property(named: "bootargs"), !property.value.isEmpty else { return nil }
        return try KernelOF.cString("bootargs", of: chosen)
    }
}
