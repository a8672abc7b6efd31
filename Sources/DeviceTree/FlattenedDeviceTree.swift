/// The flattened device tree reader (Devicetree Specification v0.4 §5).
///
/// `FlattenedDeviceTree(bytes:)` validates the header, reads the memory
/// reservation block (§5.3) and walks the structure block's tokens (§5.4)
/// into a `DeviceTree`. Every read is bounded by the block it belongs to and
/// every offset computation is overflow-checked, so any input — truncated,
/// corrupted or hostile — ends in either a tree or a `DeviceTreeError` naming
/// the byte offset. Each loop step consumes at least 4 bytes, so the walk
/// always terminates.
public struct FlattenedDeviceTree: Equatable, Hashable, Sendable {
    /// The header magic, 0xd00dfeed (§5.2).
    public static let magic: UInt32 = 0xd00d_feed
    /// Deepest node nesting accepted (root = 1), the kernel's `FDT_MAX_DEPTH`
    /// (drivers/of/fdt.c, v6.8), so a hostile blob cannot make consumers recurse without bound.
    public static let maximumDepth = 64

    /// The validated header.
    public var header: FlattenedDeviceTreeHeader
    /// The tree the blob describes.
    public var tree: DeviceTree

    /// Parses `bytes`; `fileName` only labels errors (`board.dtb: offset 0x48: …`).
    public init(bytes: [UInt8], fileName: String? = nil) throws(DeviceTreeError) {
        let header = try FlattenedDeviceTreeHeader(validating: bytes, fileName: fileName)
        let reader = StructureReader(bytes: bytes, header: header, fileName: fileName)
        let reservations = try reader.readReservations()
        let root = try reader.readStructure()
        self.header = header
        self.tree = DeviceTree(root: root, memoryReservations: reservations, bootCpuidPhys: header.bootCpuidPhys)
    }

    /// Parses `bytes` and returns only the tree.
    public static func parse(_ bytes: [UInt8], fileName: String? = nil) throws(DeviceTreeError) -> DeviceTree {
        try FlattenedDeviceTree(bytes: bytes, fileName: fileName).tree
    }
}

public extension DeviceTree {
    /// Parses a flattened blob (see `FlattenedDeviceTree`).
    init(flattened bytes: [UInt8], fileName: String? = nil) throws(DeviceTreeError) {
        self = try FlattenedDeviceTree.parse(bytes, fileName: fileName)
    }
}

/// Structure block tokens (§5.4.1).
enum FDTToken: UInt32 {
    case beginNode = 1
    case endNode = 2
    case prop = 3
    case nop = 4
    case end = 9
}

/// The bounded reader behind `FlattenedDeviceTree`: header already validated,
/// so `[0, totalsize)` and each block range are known to be inside `bytes`.
private struct StructureReader {
    let bytes: [UInt8]
    let header: FlattenedDeviceTreeHeader
    let fileName: String?

    /// An error at a blob offset.
    func fail(_ kind: DeviceTreeError.Kind, at offset: UInt64) -> DeviceTreeError {
        DeviceTreeError(kind, offset: Int(clamping: offset), fileName: fileName)
    }

    /// `a + b`, or an overflow error naming `what` at `offset`.
    func sum(_ a: UInt64, _ b: UInt64, _ what: String, at offset: UInt64) throws(DeviceTreeError) -> UInt64 {
        let (result, overflow) = a.addingReportingOverflow(b)
        if overflow { throw fail(.arithmeticOverflow(what: what), at: offset) }
        return result
    }

    /// `x` rounded up to a multiple of 4 (FDT_TAGALIGN), overflow-checked.
    func align4(_ x: UInt64, at offset: UInt64) throws(DeviceTreeError) -> UInt64 {
        try sum(x, 3, "alignment of \(x)", at: offset) & ~3
    }

    /// The big-endian u32 at `offset`, or nil when it does not end by `limit`.
    func u32(at offset: UInt64, limit: UInt64) -> UInt32? {
        guard offset <= limit, limit - offset >= 4 else { return nil }
        return BigEndian.u32(bytes, at: Int(offset))
    }

    /// The big-endian u64 at `offset`, or nil when it does not end by `limit`.
    func u64(at offset: UInt64, limit: UInt64) -> UInt64? {
        guard offset <= limit, limit - offset >= 8 else { return nil }
        return UInt64(BigEndian.u32(bytes, at: Int(offset))) << 32 | UInt64(BigEndian.u32(bytes, at: Int(offset) + 4))
    }

    /// The bytes from `start` up to the next NUL before `limit`, or nil when
    /// there is none.
    func cString(from start: UInt64, limit: UInt64) -> ArraySlice<UInt8>? {
        guard start < limit else { return nil }
        let slice = bytes[Int(start)..<Int(limit)]
        guard let nul = slice.firstIndex(of: 0) else { return nil }
        return slice[..<nul]
    }

    /// The memory reservation block (§5.3): (address, size) u64 pairs up to
    /// the (0, 0) terminator, which must come before totalsize.
    func readReservations() throws(DeviceTreeError) -> [DeviceTreeMemoryReservation] {
        var result: [DeviceTreeMemoryReservation] = []
        var offset = UInt64(header.memoryReservationMapOffset)
        let limit = UInt64(header.totalSize)
        while true {
            guard let address = u64(at: offset, limit: limit),
                  let size = u64(at: offset + 8, limit: limit) else {
                throw fail(.unterminatedReservationMap, at: offset)
            }
            if address == 0 && size == 0 { return result }
            result.append(DeviceTreeMemoryReservation(address: address, size: size))
            offset += 16  // cannot overflow: offset + 16 <= limit <= UInt32.max
        }
    }

    /// One node still being read: its name, properties so far, children so far.
    private struct OpenNode {
        var name: String
        var properties: [DeviceTreeProperty] = []
        var children: [DeviceTreeNode] = []
    }

    /// Walks the structure block (§5.4) into the root node, checking token
    /// order (one root, properties before children, balanced nodes, FDT_END)
    /// and every bound.
    func readStructure() throws(DeviceTreeError) -> DeviceTreeNode {
        let start = UInt64(header.structureOffset)
        let end = try sum(start, UInt64(header.effectiveStructureSize), "structure block end", at: 8)
        let stringsStart = UInt64(header.stringsOffset)
        let stringsEnd = try sum(stringsStart, UInt64(header.stringsSize), "strings block end", at: 12)

        // Positions stay <= end + 3 <= 2^32 + 3, so the fixed "+ 4"/"+ 8" steps
        // below cannot overflow UInt64; steps by blob-provided lengths use `sum`.
        var stack: [OpenNode] = []
        var root: DeviceTreeNode?
        var position = start
        while true {
            let tokenOffset = position
            guard let rawToken = u32(at: position, limit: end) else {
                if !stack.isEmpty { throw fail(.unclosedNodes(depth: stack.count), at: tokenOffset) }
                throw fail(root == nil ? .missingRoot : .missingEndToken, at: tokenOffset)
            }
            position += 4
            guard let token = FDTToken(rawValue: rawToken) else {
                throw fail(.unknownToken(rawToken), at: tokenOffset)
            }
            switch token {
            case .nop:
                continue

            case .beginNode:
                if root != nil { throw fail(.nodeAfterRoot, at: tokenOffset) }
                if stack.count >= FlattenedDeviceTree.maximumDepth {
                    throw fail(.nestingTooDeep(limit: FlattenedDeviceTree.maximumDepth), at: tokenOffset)
                }
                guard let nameBytes = cString(from: position, limit: end) else {
                    throw fail(.unterminatedNodeName, at: position)
                }
                guard let name = String(validating: nameBytes, as: UTF8.self) else {
                    throw fail(.invalidName(reason: "node name is not valid UTF-8"), at: position)
                }
                let afterName = try sum(position, UInt64(nameBytes.count) + 1, "node name end", at: position)
                position = try align4(afterName, at: position)
                stack.append(OpenNode(name: name))

            case .endNode:
                guard let closed = stack.popLast() else { throw fail(.unexpectedEndNode, at: tokenOffset) }
                let node = DeviceTreeNode(name: closed.name, properties: closed.properties, children: closed.children)
                if stack.isEmpty {
                    root = node
                } else {
                    stack[stack.count - 1].children.append(node)
                }

            case .prop:
                guard let length = u32(at: position, limit: end),
                      let nameOffset = u32(at: position + 4, limit: end) else {
                    throw fail(.truncatedPropertyHeader, at: tokenOffset)
                }
                let name = try propertyName(nameOffset, stringsStart: stringsStart, stringsEnd: stringsEnd, at: position + 4)
                guard !stack.isEmpty else { throw fail(.propertyOutsideNode, at: tokenOffset) }
                guard stack[stack.count - 1].children.isEmpty else {
                    throw fail(.propertyAfterChild(name: name), at: tokenOffset)
                }
                let valueStart = position + 8
                let valueEnd = try sum(valueStart, UInt64(length), "property value end", at: position)
                guard valueEnd <= end else {
                    throw fail(.propertyOutOfBounds(name: name, length: length, available: Int(end - valueStart)), at: position)
                }
                let value = Array(bytes[Int(valueStart)..<Int(valueEnd)])
                stack[stack.count - 1].properties.append(DeviceTreeProperty(name: name, value: value))
                position = try align4(valueEnd, at: position)

            case .end:
                if !stack.isEmpty { throw fail(.unclosedNodes(depth: stack.count), at: tokenOffset) }
                guard let root else { throw fail(.missingRoot, at: tokenOffset) }
                return root
            }
        }
    }

    /// The property name at `nameOffset` in the strings block (§5.5), checked
    /// to start inside the block and end with a NUL inside it.
    func propertyName(_ nameOffset: UInt32, stringsStart: UInt64, stringsEnd: UInt64,
                      at fieldOffset: UInt64) throws(DeviceTreeError) -> String {
        guard nameOffset < header.stringsSize else {
            throw fail(.nameOffsetOutOfBounds(nameOffset: nameOffset, stringsSize: header.stringsSize), at: fieldOffset)
        }
        let nameStart = try sum(stringsStart, UInt64(nameOffset), "property name offset", at: fieldOffset)
        guard let nameBytes = cString(from: nameStart, limit: stringsEnd) else {
            throw fail(.unterminatedPropertyName(nameOffset: nameOffset), at: fieldOffset)
        }
        guard let name = String(validating: nameBytes, as: UTF8.self) else {
            throw fail(.invalidName(reason: "property name at nameoff \(nameOffset) is not valid UTF-8"), at: fieldOffset)
        }
        return name
    }
}
