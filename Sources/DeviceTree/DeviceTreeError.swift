import KernelSupport

/// Every way reading, decoding or writing a device tree can fail.
///
/// A reader of firmware must never trap on what the firmware says: every check in
/// this module ends in one of these values. `kind` says what went wrong (tests
/// compare it), `offset` says where in the blob (structural errors), `nodePath`
/// says which node (decoding errors), and `fileName` lets a command line print
/// `board.dtb: offset 0x48: …`.
public struct DeviceTreeError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var kind: Kind
    /// Byte offset in the blob of the offending field or token, when the error
    /// comes from the flattened form.
    public var offset: Int?
    /// The file the blob came from, when the caller named it.
    public var fileName: String?
    /// The node whose property could not be decoded, for model errors: its full
    /// path (`/cpus/cpu@0`) from tree-level helpers, its name from node-level ones.
    public var nodePath: String?

    /// Makes an error; the location fields are optional because model-level
    /// errors have no blob offset and blob-level errors have no node path yet.
    public init(_ kind: Kind, offset: Int? = nil, fileName: String? = nil, nodePath: String? = nil) {
        self.kind = kind
        self.offset = offset
        self.fileName = fileName
        self.nodePath = nodePath
    }

    /// The message without location, e.g. `bad magic 0x12345678 (expected 0xd00dfeed)`.
    public var message: String { kind.message }

    /// `file: offset 0x48: /path: message`, each prefix only when known.
    public var description: String {
        var text = ""
        if let fileName { text += fileName + ": " }
        if let offset, offset >= 0 { text += "offset " + Printk.hexAlt(UInt64(offset)) + ": " }
        if let nodePath { text += nodePath + ": " }
        return text + message
    }

    /// The same error attributed to `path`: decoders on a property do not know
    /// their node, so node-level helpers add the node's name and tree-level
    /// helpers replace it with the full path.
    func at(path: String) -> DeviceTreeError {
        var copy = self
        copy.nodePath = path
        return copy
    }

    /// The three blocks a flattened tree points at (Devicetree Specification v0.4 §5.1).
    public enum Block: String, Equatable, Hashable, Sendable {
        case memoryReservationMap = "memory reservation block"
        case structure = "structure block"
        case strings = "strings block"
    }

    /// The specific failure; associated values carry the numbers the message prints.
    public enum Kind: Equatable, Hashable, Sendable {
        // Header (§5.2).
        /// The data is shorter than the header its version needs.
        case truncatedHeader(available: Int, required: Int)
        /// The first word is not 0xd00dfeed.
        case badMagic(found: UInt32)
        /// version < 16 or last_comp_version > 17: a layout this reader does not know.
        case unsupportedVersion(version: UInt32, lastCompatibleVersion: UInt32)
        /// totalsize is smaller than the header itself.
        case totalSizeTooSmall(totalSize: UInt32, headerSize: Int)
        /// totalsize claims more bytes than the data holds.
        case totalSizeExceedsData(totalSize: UInt32, available: Int)
        /// A block starts inside the header.
        case blockOverlapsHeader(block: Block, blockOffset: UInt32, headerSize: Int)
        /// A block (offset, size) does not fit inside totalsize.
        case blockOutOfBounds(block: Block, blockOffset: UInt32, size: UInt32, totalSize: UInt32)
        /// A block is not aligned as §5.1 requires (8 for the reservation map, 4 for the structure block).
        case misalignedBlock(block: Block, blockOffset: UInt32, alignment: Int)

        // Memory reservation block (§5.3).
        /// No (0, 0) entry before totalsize.
        case unterminatedReservationMap

        // Structure block (§5.4).
        /// A token value that is none of FDT_BEGIN_NODE/END_NODE/PROP/NOP/END.
        case unknownToken(UInt32)
        /// A node name without its NUL inside the structure block.
        case unterminatedNodeName
        /// A node or property name that is not valid UTF-8.
        case invalidName(reason: String)
        /// FDT_PROP without room for its length and nameoff words.
        case truncatedPropertyHeader
        /// A property's value runs past the structure block.
        case propertyOutOfBounds(name: String, length: UInt32, available: Int)
        /// A property's nameoff points outside the strings block.
        case nameOffsetOutOfBounds(nameOffset: UInt32, stringsSize: UInt32)
        /// A property name with no NUL before the end of the strings block.
        case unterminatedPropertyName(nameOffset: UInt32)
        /// FDT_PROP before the root node or after it closed.
        case propertyOutsideNode
        /// FDT_PROP after the node's first child (§5.4.2: properties precede subnodes).
        case propertyAfterChild(name: String)
        /// FDT_END_NODE with no open node.
        case unexpectedEndNode
        /// A second top-level node after the root closed.
        case nodeAfterRoot
        /// FDT_END (or the end of the block) while nodes are still open.
        case unclosedNodes(depth: Int)
        /// The structure block holds no root node.
        case missingRoot
        /// The root closed but the block ends without FDT_END.
        case missingEndToken
        /// Nodes nested deeper than `FlattenedDeviceTree.maximumDepth`.
        case nestingTooDeep(limit: Int)
        /// An offset or length computation on blob values does not fit 64 bits.
        case arithmeticOverflow(what: String)

        // Property decoding (model level).
        /// A property whose length does not fit the requested type.
        case badPropertyLength(property: String, length: Int, expected: String)
        /// A property that is not the requested string form.
        case invalidString(property: String, reason: String)
        /// `#address-cells`/`#size-cells` outside what `reg` decoding supports.
        case unsupportedCells(addressCells: UInt32, sizeCells: UInt32)

        // Writer.
        /// A node or property name the flattened form cannot hold (it contains NUL).
        case unrepresentableName(String)
        /// The serialised blob or one of its blocks would exceed 4 GiB.
        case blobTooLarge(what: String)

        /// A one-line explanation naming the offending values.
        public var message: String {
            switch self {
            case let .truncatedHeader(available, required):
                return "blob is \(available) bytes, shorter than the \(required)-byte header"
            case let .badMagic(found):
                return "bad magic \(hex(found)) (expected 0xd00dfeed)"
            case let .unsupportedVersion(version, last):
                return "unsupported version \(version) (last_comp_version \(last)); need version >= 16 and last_comp_version <= 17"
            case let .totalSizeTooSmall(total, header):
                return "totalsize \(hex(total)) is smaller than the \(header)-byte header"
            case let .totalSizeExceedsData(total, available):
                return "totalsize \(hex(total)) exceeds the \(hex(available)) bytes of data"
            case let .blockOverlapsHeader(block, offset, header):
                return "\(block.rawValue) at \(hex(offset)) starts inside the \(header)-byte header"
            case let .blockOutOfBounds(block, offset, size, total):
                return "\(block.rawValue) at \(hex(offset)) size \(hex(size)) extends past totalsize \(hex(total))"
            case let .misalignedBlock(block, offset, alignment):
                return "\(block.rawValue) at \(hex(offset)) is not \(alignment)-byte aligned"
            case .unterminatedReservationMap:
                return "memory reservation block has no terminating (0, 0) entry before totalsize"
            case let .unknownToken(token):
                return "unknown structure token \(hex(token))"
            case .unterminatedNodeName:
                return "node name is not NUL-terminated inside the structure block"
            case let .invalidName(reason):
                return "invalid name: \(reason)"
            case .truncatedPropertyHeader:
                return "FDT_PROP without room for its length and nameoff"
            case let .propertyOutOfBounds(name, length, available):
                return "property \"\(name)\" length \(hex(length)) runs past the structure block (\(hex(available)) bytes left)"
            case let .nameOffsetOutOfBounds(nameOffset, size):
                return "property nameoff \(hex(nameOffset)) is outside the strings block (size \(hex(size)))"
            case let .unterminatedPropertyName(nameOffset):
                return "property name at nameoff \(hex(nameOffset)) is not NUL-terminated inside the strings block"
            case .propertyOutsideNode:
                return "FDT_PROP outside any node"
            case let .propertyAfterChild(name):
                return "property \"\(name)\" follows a child node"
            case .unexpectedEndNode:
                return "FDT_END_NODE without a matching FDT_BEGIN_NODE"
            case .nodeAfterRoot:
                return "FDT_BEGIN_NODE after the root node closed"
            case let .unclosedNodes(depth):
                return "structure ends with \(depth) unclosed node\(depth == 1 ? "" : "s")"
            case .missingRoot:
                return "structure block has no root node"
            case .missingEndToken:
                return "structure block ends without FDT_END"
            case let .nestingTooDeep(limit):
                return "nodes nested deeper than \(limit) levels"
            case let .arithmeticOverflow(what):
                return "\(what) overflows 64 bits"
            case let .badPropertyLength(property, length, expected):
                return "property \"\(property)\" has length \(length), expected \(expected)"
            case let .invalidString(property, reason):
                return "property \"\(property)\" is not a valid string: \(reason)"
            case let .unsupportedCells(address, size):
                return "#address-cells = \(address), #size-cells = \(size): reg decoding supports 1-2 address and 0-2 size cells"
            case let .unrepresentableName(name):
                return "name \"\(name.debugDescription.dropFirst().dropLast())\" contains NUL"
            case let .blobTooLarge(what):
                return "\(what) exceeds 4 GiB"
            }
        }

        private func hex<T: BinaryInteger>(_ value: T) -> String {
            Printk.hexAlt(UInt64(truncatingIfNeeded: value))
        }
    }
}
