/// Finding nodes and reading the standard properties of Devicetree
/// Specification v0.4 §2.3 (`compatible`, `status`, `#address-cells`,
/// `#size-cells`, `reg`, `device_type`).
public extension DeviceTreeNode {
    /// The first property called `name` (the kernel's `of_find_property` also
    /// takes the first), or nil.
    func property(named name: String) -> DeviceTreeProperty? {
        properties.first { $0.name == name }
    }

    /// The name without its unit address: `cpu` for `cpu@0`.
    var baseName: String {
        if let at = name.firstIndex(of: "@") { return String(name[..<at]) }
        return name
    }

    /// The unit address after `@`, or nil when the name has none.
    var unitAddress: String? {
        guard let at = name.firstIndex(of: "@") else { return nil }
        return String(name[name.index(after: at)...])
    }

    /// The child called `name`. An exact match wins; a name without `@` also
    /// matches the first child whose name is `name@…` (libfdt's
    /// `fdt_subnode_offset_namelen` rule).
    func child(named name: String) -> DeviceTreeNode? {
        if let exact = children.first(where: { $0.name == name }) { return exact }
        if name.contains("@") { return nil }
        return children.first { $0.baseName == name && $0.name.contains("@") }
    }

    /// The node at `path` relative to this one (`cpus/cpu@0`); an empty path is
    /// this node. Empty components (`a//b`) are skipped.
    func node(atRelativePath path: String) -> DeviceTreeNode? {
        var current = self
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let next = current.child(named: String(component)) else { return nil }
            current = next
        }
        return current
    }

    /// The property `name` as one strict `<u32>`; nil when absent.
    func u32(_ name: String) throws(DeviceTreeError) -> UInt32? {
        guard let property = property(named: name) else { return nil }
        do throws(DeviceTreeError) { return try property.u32() } catch { throw error.at(path: self.name) }
    }

    /// The property `name` as a cell array; nil when absent.
    func u32Array(_ name: String) throws(DeviceTreeError) -> [UInt32]? {
        guard let property = property(named: name) else { return nil }
        do throws(DeviceTreeError) { return try property.u32Array() } catch { throw error.at(path: self.name) }
    }

    /// The property `name` as one strict `<string>`; nil when absent.
    func string(_ name: String) throws(DeviceTreeError) -> String? {
        guard let property = property(named: name) else { return nil }
        do throws(DeviceTreeError) { return try property.string() } catch { throw error.at(path: self.name) }
    }

    /// The property `name` as a `<stringlist>`; nil when absent.
    func stringList(_ name: String) throws(DeviceTreeError) -> [String]? {
        guard let property = property(named: name) else { return nil }
        do throws(DeviceTreeError) { return try property.stringList() } catch { throw error.at(path: self.name) }
    }

    /// `#address-cells` (§2.3.5): how many cells encode an address in this
    /// node's children's `reg`. The specification's default is 2 when absent.
    func addressCells() throws(DeviceTreeError) -> UInt32 {
        try u32("#address-cells") ?? 2
    }

    /// `#size-cells` (§2.3.5): how many cells encode a size in this node's
    /// children's `reg`. The specification's default is 1 when absent.
    func sizeCells() throws(DeviceTreeError) -> UInt32 {
        try u32("#size-cells") ?? 1
    }

    /// `reg` (§2.3.6) decoded with the given cell counts (the parent's
    /// `#address-cells`/`#size-cells`). Supported: 1–2 address cells and 0–2
    /// size cells; the length must be a whole number of entries. Nil when the
    /// node has no `reg`.
    func reg(addressCells: UInt32, sizeCells: UInt32) throws(DeviceTreeError) -> [DeviceTreeRegEntry]? {
        guard let property = property(named: "reg") else { return nil }
        guard (1...2).contains(addressCells), (0...2).contains(sizeCells) else {
            throw DeviceTreeError(.unsupportedCells(addressCells: addressCells, sizeCells: sizeCells), nodePath: name)
        }
        let entryCells = Int(addressCells + sizeCells)
        guard property.value.count % (entryCells * 4) == 0 else {
            throw DeviceTreeError(.badPropertyLength(property: "reg", length: property.value.count,
                                                     expected: "a multiple of \(entryCells * 4) bytes (\(addressCells) address + \(sizeCells) size cells)"),
                                  nodePath: name)
        }
        return stride(from: 0, to: property.value.count / 4, by: entryCells).map { cell in
            DeviceTreeRegEntry(
                address: BigEndian.readNumber(property.value, cellIndex: cell, count: Int(addressCells)),
                size: BigEndian.readNumber(property.value, cellIndex: cell + Int(addressCells), count: Int(sizeCells)))
        }
    }

    /// `reg` decoded with `parent`'s `#address-cells`/`#size-cells` (defaults 2/1).
    func reg(parent: DeviceTreeNode) throws(DeviceTreeError) -> [DeviceTreeRegEntry]? {
        try reg(addressCells: parent.addressCells(), sizeCells: parent.sizeCells())
    }

    /// `device_type` (§2.3.11) as a strict string; nil when absent.
    func deviceType() throws(DeviceTreeError) -> String? {
        try string("device_type")
    }

    /// `status` (§2.3.4) as a strict string; nil when absent.
    func status() throws(DeviceTreeError) -> String? {
        try string("status")
    }

    /// `compatible` (§2.3.1) as a string list; empty when absent.
    func compatible() throws(DeviceTreeError) -> [String] {
        try stringList("compatible") ?? []
    }

    /// Whether one `compatible` entry equals `value`, compared like the
    /// kernel's `__of_device_is_compatible` (drivers/of/base.c, v6.8):
    /// case-insensitively, entry by entry; a malformed list still matches its
    /// well-formed entries.
    func isCompatible(with value: String) -> Bool {
        guard let property = property(named: "compatible") else { return false }
        let wanted = Array(value.utf8)
        return property.cStringPieces.contains { asciiCaseInsensitiveEqual($0, wanted) }
    }
}

/// One node reached by a pre-order walk, with the path and the ancestors the
/// kernel's parent walks need (`of_node_to_nid`, `of_n_addr_cells`).
public struct DeviceTreeNodeVisit: Sendable {
    /// Full path: `/` for the root, `/cpus/cpu@0` below.
    public var path: String
    /// The node itself.
    public var node: DeviceTreeNode
    /// Ancestors, root first, the parent last (empty for the root).
    public var ancestors: [DeviceTreeNode]

    /// The parent node, nil for the root.
    public var parent: DeviceTreeNode? { ancestors.last }
}

public extension DeviceTree {
    /// The node at an absolute path (`/`, `/cpus/cpu@0`); see
    /// `DeviceTreeNode.child(named:)` for the unit-address rule.
    func node(at path: String) -> DeviceTreeNode? {
        guard path.hasPrefix("/") else { return nil }
        return root.node(atRelativePath: path)
    }

    /// `reg` of the node at `path`, decoded with its parent's cells (§2.3.6).
    /// Nil when the node or its `reg` is absent.
    func reg(at path: String) throws(DeviceTreeError) -> [DeviceTreeRegEntry]? {
        guard let visit = visit(at: path), let parent = visit.parent else { return nil }
        do throws(DeviceTreeError) { return try visit.node.reg(parent: parent) } catch { throw error.at(path: visit.path) }
    }

    /// Every node in depth-first pre-order (= blob order, the order of the
    /// kernel's `for_each_of_allnodes`), iteratively so deep trees cannot
    /// exhaust the stack.
    func allNodes() -> [DeviceTreeNodeVisit] {
        var result: [DeviceTreeNodeVisit] = []
        // Each frame: the visit, and the index of the next child to descend into.
        var stack: [(visit: DeviceTreeNodeVisit, next: Int)] = [(DeviceTreeNodeVisit(path: "/", node: root, ancestors: []), 0)]
        result.append(stack[0].visit)
        while let top = stack.last {
            let children = top.visit.node.children
            if top.next == children.count {
                stack.removeLast()
                continue
            }
            stack[stack.count - 1].next += 1
            let child = children[top.next]
            let path = top.visit.path == "/" ? "/" + child.name : top.visit.path + "/" + child.name
            let visit = DeviceTreeNodeVisit(path: path, node: child, ancestors: top.visit.ancestors + [top.visit.node])
            result.append(visit)
            stack.append((visit, 0))
        }
        return result
    }

    /// The visit (node, canonical path, ancestors) for an absolute path, or nil.
    func visit(at path: String) -> DeviceTreeNodeVisit? {
        guard path.hasPrefix("/") else { return nil }
        var visit = DeviceTreeNodeVisit(path: "/", node: root, ancestors: [])
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let child = visit.node.child(named: String(component)) else { return nil }
            let childPath = visit.path == "/" ? "/" + child.name : visit.path + "/" + child.name
            visit = DeviceTreeNodeVisit(path: childPath, node: child, ancestors: visit.ancestors + [visit.node])
        }
        return visit
    }
}
