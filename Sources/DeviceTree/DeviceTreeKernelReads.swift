/// How Linux v6.8 reads the properties NUMA setup depends on.
///
/// The kernel is more lenient than the specification in some places and
/// stricter in others; the NUMA facts must show what the kernel would see,
/// so these helpers reproduce the exact kernel functions they name
/// (drivers/of/base.c, drivers/of/property.c, drivers/of/address.c,
/// drivers/of/fdt.c, include/linux/of.h).

/// The outcome of `of_property_read_u32(np, name, &v)` (drivers/of/property.c, v6.8).
///
/// That function reads the *first* cell of any value at least 4 bytes long,
/// returns -EINVAL when the property is absent and -EOVERFLOW when the value is
/// shorter than 4 bytes. (-ENODATA, for a property with no value pointer, cannot
/// happen for a tree unflattened from a blob: even an empty property points
/// into the blob, so an empty value is `.malformed(length: 0)` → -EOVERFLOW.)
/// Callers distinguish absent from malformed: `of_numa_parse_memory_nodes`
/// skips a memory node without `numa-node-id` but fails on a bad one, and
/// `of_node_to_nid` walks up past an absent one but stops at a bad one.
public enum U32PropertyValue: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// No such property (-EINVAL).
    case absent
    /// The first cell of a value of 4 bytes or more (return 0).
    case value(UInt32)
    /// A value shorter than 4 bytes, with its length (-EOVERFLOW).
    case malformed(length: Int)

    /// `of_property_read_u32` of `property` (nil = absent).
    public init(_ property: DeviceTreeProperty?) {
        guard let property else {
            self = .absent
            return
        }
        if property.value.count < 4 {
            self = .malformed(length: property.value.count)
        } else {
            self = .value(BigEndian.u32(property.value, at: 0))
        }
    }

    /// `of_property_read_u32(node, name, …)`.
    public init(reading name: String, in node: DeviceTreeNode) {
        self.init(node.property(named: name))
    }

    /// The value when the read succeeded.
    public var value: UInt32? {
        if case let .value(v) = self { return v }
        return nil
    }

    /// The kernel's return code: 0, -EINVAL (-22) or -EOVERFLOW (-75).
    public var kernelReturnCode: Int32 {
        switch self {
        case .absent: -22
        case .value: 0
        case .malformed: -75
        }
    }

    /// `absent`, the decimal value, or `malformed (N bytes)`.
    public var description: String {
        switch self {
        case .absent: "absent"
        case let .value(v): String(v)
        case let .malformed(length): "malformed (\(length) byte\(length == 1 ? "" : "s"))"
        }
    }
}

/// Kernel-faithful readings of cells, addresses, names and types.
enum KernelOF {
    /// `OF_ROOT_NODE_ADDR_CELLS_DEFAULT` (include/linux/of.h): 1, not the specification's 2.
    static let rootAddressCellsDefault: UInt32 = 1
    /// `OF_ROOT_NODE_SIZE_CELLS_DEFAULT` (include/linux/of.h): 1.
    static let rootSizeCellsDefault: UInt32 = 1
    /// `OF_MAX_ADDR_CELLS` (drivers/of/address.c).
    static let maxAddressCells: UInt32 = 4

    /// `of_bus_n_addr_cells` / `of_bus_n_size_cells` (drivers/of/base.c, v6.8):
    /// the first node of `chain` (searched in order) whose property reads as a
    /// u32, else the root default. `chain` runs from the starting node upward.
    static func busCells(_ name: String, chain: [DeviceTreeNode], default fallback: UInt32) -> UInt32 {
        for node in chain {
            if let cells = U32PropertyValue(reading: name, in: node).value { return cells }
        }
        return fallback
    }

    /// The chain `of_n_addr_cells(np)` searches: the parent and its ancestors
    /// (the node itself only when it is the root).
    static func cellsChain(of visit: DeviceTreeNodeVisit) -> [DeviceTreeNode] {
        visit.ancestors.isEmpty ? [visit.node] : Array(visit.ancestors.reversed())
    }

    /// `of_n_addr_cells(np)`: address cells of the bus `np` sits on.
    static func addressCells(of visit: DeviceTreeNodeVisit) -> UInt32 {
        busCells("#address-cells", chain: cellsChain(of: visit), default: rootAddressCellsDefault)
    }

    /// `of_n_size_cells(np)`: size cells of the bus `np` sits on.
    static func sizeCells(of visit: DeviceTreeNodeVisit) -> UInt32 {
        busCells("#size-cells", chain: cellsChain(of: visit), default: rootSizeCellsDefault)
    }

    /// `dt_root_addr_cells` / `dt_root_size_cells` (`early_init_dt_scan_root`,
    /// drivers/of/fdt.c): the root's property read with `be32_to_cpup`, else 1.
    /// A present value shorter than 4 bytes (which the kernel would read past)
    /// counts as absent here.
    static func rootCells(_ name: String, root: DeviceTreeNode) -> UInt32 {
        U32PropertyValue(reading: name, in: root).value ?? 1
    }

    /// `of_get_cpu_hwid(cpun, 0)` (drivers/of/base.c, v6.8): the first
    /// `of_n_addr_cells` cells of `reg` folded into a u64 (`of_read_number`,
    /// so only the low 64 bits survive). Nil where the kernel returns ~0 for
    /// "no hwid": no `reg`, zero address cells, or `reg` shorter than one address.
    static func cpuHwid(_ visit: DeviceTreeNodeVisit) -> UInt64? {
        let cells = UInt64(addressCells(of: visit))
        guard let reg = visit.node.property(named: "reg"), cells > 0,
              cells * 4 <= UInt64(reg.value.count) else { return nil }
        return BigEndian.readNumber(reg.value, cellIndex: 0, count: Int(cells))
    }

    /// The ranges `of_address_to_resource(np, i, …)` yields for i = 0, 1, …
    /// (drivers/of/address.c, v6.8), as `of_numa_parse_memory_nodes` consumes
    /// them: none unless 1 ≤ #address-cells ≤ 4 (`OF_CHECK_ADDR_COUNT`) and
    /// #size-cells > 0 (`OF_CHECK_COUNTS` in the translation); then one per whole
    /// (address, size) group of cells, trailing cells ignored, each number
    /// folded by `of_read_number`. Addresses are taken untranslated, which is
    /// what the kernel computes for children of the root (memory nodes in
    /// practice); deeper nodes would be translated through `ranges`.
    static func addressResources(_ visit: DeviceTreeNodeVisit) -> [DeviceTreeRegEntry] {
        let addressCells = UInt64(addressCells(of: visit))
        let sizeCells = UInt64(sizeCells(of: visit))
        guard let reg = visit.node.property(named: "reg"),
              (1...UInt64(maxAddressCells)).contains(addressCells), sizeCells > 0 else { return [] }
        let entryCells = addressCells + sizeCells
        let count = UInt64(reg.value.count / 4) / entryCells
        return (0..<count).map { index in
            let first = Int(index * entryCells)
            return DeviceTreeRegEntry(
                address: BigEndian.readNumber(reg.value, cellIndex: first, count: Int(addressCells)),
                size: BigEndian.readNumber(reg.value, cellIndex: first + Int(addressCells), count: Int(sizeCells)))
        }
    }

    /// `of_node_to_nid(np)`'s walk (drivers/of/of_numa.c, v6.8): from the node
    /// up through its parents while `numa-node-id` is absent; the first node
    /// where it is present (well-formed or not) ends the walk. Returns that
    /// reading and the path of the node it came from (nil when none had it).
    static func inheritedNodeId(_ visit: DeviceTreeNodeVisit) -> (U32PropertyValue, String?) {
        var path = visit.path
        var nodes = visit.ancestors + [visit.node]
        while let node = nodes.popLast() {
            let reading = U32PropertyValue(reading: "numa-node-id", in: node)
            if reading != .absent { return (reading, path) }
            path = parentPath(of: path)
        }
        return (.absent, nil)
    }

    /// `/a/b` → `/a`, `/a` → `/`.
    static func parentPath(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// `__of_node_is_type(np, type)`: `strcmp` of `device_type` with `type`,
    /// i.e. the bytes up to the first NUL, case-sensitive.
    static func isType(_ node: DeviceTreeNode, _ type: String) -> Bool {
        guard let property = node.property(named: "device_type") else { return false }
        return property.firstCStringBytes.elementsEqual(type.utf8)
    }

    /// `of_node_name_eq(np, name)`: the node name up to `@` equals `name`.
    static func nameEquals(_ node: DeviceTreeNode, _ name: String) -> Bool {
        node.baseName == name
    }

    /// `__of_device_is_fail(np)`: `status` is `fail` or starts with `fail-`.
    static func isFail(_ node: DeviceTreeNode) -> Bool {
        guard let status = node.property(named: "status")?.firstCStringBytes else { return false }
        return status.elementsEqual("fail".utf8) || status.starts(with: "fail-".utf8)
    }

    /// `of_fdt_device_is_available` / `__of_device_is_available`: no `status`,
    /// or `status` is `okay` or `ok`.
    static func isAvailable(_ node: DeviceTreeNode) -> Bool {
        guard let property = node.property(named: "status") else { return true }
        guard !property.value.isEmpty else { return false }
        let status = property.firstCStringBytes
        return status.elementsEqual("okay".utf8) || status.elementsEqual("ok".utf8)
    }

    /// A `status`/`device_type`-like property as the kernel's C string
    /// (up to the first NUL), decoded strictly as UTF-8; nil when absent.
    static func cString(_ name: String, of visit: DeviceTreeNodeVisit) throws(DeviceTreeError) -> String? {
        guard let property = visit.node.property(named: name) else { return nil }
        do throws(DeviceTreeError) {
            return try DeviceTreeProperty.decodeUTF8(property.firstCStringBytes, property: name)
        } catch {
            throw error.at(path: visit.path)
        }
    }
}
