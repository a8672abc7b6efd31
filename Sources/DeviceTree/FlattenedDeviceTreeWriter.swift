/// Serialises a `DeviceTree` to a flattened blob (Devicetree Specification v0.4 §5).
///
/// Layout, as dtc writes it: the 40-byte header, the memory reservation block
/// at offset 40 (8-byte aligned), the structure block right after it, then the
/// strings block; `totalsize` ends at the last string. Version 17,
/// last_comp_version 16. Property names are stored once each in the strings
/// block, in order of first use — the layout libfdt and dtc produce, so a
/// QEMU-dumped blob is reproduced byte for byte. The writer refuses what the reader would
/// refuse (names containing NUL, nesting beyond `FlattenedDeviceTree.maximumDepth`,
/// anything past 4 GiB), so its output always parses back to an equal tree.
public struct FlattenedDeviceTreeWriter: Sendable {
    /// The `version` field written.
    public static let version: UInt32 = 17
    /// The `last_comp_version` field written.
    public static let lastCompatibleVersion: UInt32 = 16

    /// Makes a writer (it has no settings; a value so callers can hold one).
    public init() {}

    /// The blob for `tree`.
    public func write(_ tree: DeviceTree) throws(DeviceTreeError) -> [UInt8] {
        var strings = StringsBlock()
        let structure = try structureBlock(tree.root, strings: &strings)

        var reservations: [UInt8] = []
        for entry in tree.memoryReservations {
            reservations += BigEndian.bytes(of: entry.address) + BigEndian.bytes(of: entry.size)
        }
        reservations += [UInt8](repeating: 0, count: 16)

        let headerSize = 40
        let reservationOffset = headerSize
        let structureOffset = reservationOffset + reservations.count
        let stringsOffset = structureOffset + structure.count
        let totalSize = stringsOffset + strings.bytes.count
        guard let total32 = UInt32(exactly: totalSize) else { throw DeviceTreeError(.blobTooLarge(what: "totalsize")) }

        var blob: [UInt8] = []
        blob.reserveCapacity(totalSize)
        for field in [FlattenedDeviceTree.magic, total32, UInt32(structureOffset), UInt32(stringsOffset),
                      UInt32(reservationOffset), Self.version, Self.lastCompatibleVersion, tree.bootCpuidPhys,
                      UInt32(strings.bytes.count), UInt32(structure.count)] {
            blob += BigEndian.bytes(of: field)
        }
        blob += reservations
        blob += structure
        blob += strings.bytes
        return blob
    }

    /// The deduplicated strings block being built: each distinct property name
    /// once, NUL-terminated, at the offset of its first use.
    private struct StringsBlock {
        var bytes: [UInt8] = []
        var offsets: [String: UInt32] = [:]

        /// The nameoff of `name`, appending it on first use.
        mutating func offset(of name: String) throws(DeviceTreeError) -> UInt32 {
            if let known = offsets[name] { return known }
            guard let offset = UInt32(exactly: bytes.count) else { throw DeviceTreeError(.blobTooLarge(what: "strings block")) }
            bytes += Array(name.utf8) + [0]
            offsets[name] = offset
            return offset
        }
    }

    /// The structure block for the tree under `root`, written iteratively
    /// (depth-first, children in order) and ended by FDT_END.
    private func structureBlock(_ root: DeviceTreeNode, strings: inout StringsBlock) throws(DeviceTreeError) -> [UInt8] {
        var out: [UInt8] = []
        // Each frame: a node whose BEGIN_NODE and properties are written, and the next child to write.
        var stack: [(node: DeviceTreeNode, next: Int)] = []
        try begin(root, depth: 1, into: &out, strings: &strings)
        stack.append((root, 0))
        while let top = stack.last {
            if top.next == top.node.children.count {
                out += BigEndian.bytes(of: FDTToken.endNode.rawValue)
                stack.removeLast()
                continue
            }
            stack[stack.count - 1].next += 1
            let child = top.node.children[top.next]
            try begin(child, depth: stack.count + 1, into: &out, strings: &strings)
            stack.append((child, 0))
        }
        out += BigEndian.bytes(of: FDTToken.end.rawValue)
        guard out.count <= Int(UInt32.max) else { throw DeviceTreeError(.blobTooLarge(what: "structure block")) }
        return out
    }

    /// FDT_BEGIN_NODE with the padded name, then one FDT_PROP per property.
    private func begin(_ node: DeviceTreeNode, depth: Int, into out: inout [UInt8],
                       strings: inout StringsBlock) throws(DeviceTreeError) {
        guard depth <= FlattenedDeviceTree.maximumDepth else {
            throw DeviceTreeError(.nestingTooDeep(limit: FlattenedDeviceTree.maximumDepth), nodePath: node.name)
        }
        let name = Array(node.name.utf8)
        guard !name.contains(0) else { throw DeviceTreeError(.unrepresentableName(node.name)) }
        out += BigEndian.bytes(of: FDTToken.beginNode.rawValue)
        out += name + [0]
        pad(&out)
        for property in node.properties {
            guard !property.name.utf8.contains(0) else { throw DeviceTreeError(.unrepresentableName(property.name)) }
            guard let length = UInt32(exactly: property.value.count) else {
                throw DeviceTreeError(.blobTooLarge(what: "property \"\(property.name)\""))
            }
            out += BigEndian.bytes(of: FDTToken.prop.rawValue)
            out += BigEndian.bytes(of: length)
            out += BigEndian.bytes(of: try strings.offset(of: property.name))
            out += property.value
            pad(&out)
        }
    }

    /// Zero bytes up to the next 4-byte boundary (FDT_TAGALIGN).
    private func pad(_ out: inout [UInt8]) {
        while out.count % 4 != 0 { out.append(0) }
    }
}

public extension DeviceTree {
    /// This tree as a flattened blob (see `FlattenedDeviceTreeWriter`).
    func flattened() throws(DeviceTreeError) -> [UInt8] {
        try FlattenedDeviceTreeWriter().write(self)
    }
}
