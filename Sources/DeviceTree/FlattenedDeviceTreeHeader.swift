/// The flattened device tree header (Devicetree Specification v0.4 §5.2) and
/// the checks that make every later read of the blob safe.
///
/// All fields are big-endian u32. After `init(validating:)` succeeds, each
/// block (reservation map, structure, strings) is known to lie inside
/// `totalsize`, which is known to lie inside the data: the structure reader
/// then only has to bound its reads by the block ends.
public struct FlattenedDeviceTreeHeader: Equatable, Hashable, Sendable {
    /// 0xd00dfeed.
    public var magic: UInt32
    /// Total size of the blob in bytes, all blocks and gaps included.
    public var totalSize: UInt32
    /// Offset of the structure block.
    public var structureOffset: UInt32
    /// Offset of the strings block.
    public var stringsOffset: UInt32
    /// Offset of the memory reservation block.
    public var memoryReservationMapOffset: UInt32
    /// Format version (17 for current blobs).
    public var version: UInt32
    /// Lowest version this blob is backwards compatible with (16).
    public var lastCompatibleVersion: UInt32
    /// Physical ID of the boot CPU.
    public var bootCpuidPhys: UInt32
    /// Size of the strings block.
    public var stringsSize: UInt32
    /// Size of the structure block; nil for version 16, whose header lacks the field.
    public var structureSize: UInt32?

    /// The header size this version uses: 40 bytes from version 17, 36 before
    /// (libfdt's `fdt_header_size_`).
    public var headerSize: Int { version >= 17 ? 40 : 36 }

    /// The structure block's extent: `size_dt_struct` when the header has it,
    /// otherwise everything from its offset to `totalsize` (version 16).
    public var effectiveStructureSize: UInt32 {
        structureSize ?? (totalSize &- structureOffset)
    }

    /// Reads and checks the header of `bytes`: magic, version, totalsize
    /// against the data, and every block offset/size against totalsize
    /// (overflow-checked). `fileName` only labels errors.
    public init(validating bytes: [UInt8], fileName: String? = nil) throws(DeviceTreeError) {
        func fail(_ kind: DeviceTreeError.Kind, _ offset: Int) -> DeviceTreeError {
            DeviceTreeError(kind, offset: offset, fileName: fileName)
        }
        func word(_ index: Int) -> UInt32 { BigEndian.u32(bytes, at: index * 4) }

        guard bytes.count >= 4 else { throw fail(.truncatedHeader(available: bytes.count, required: 40), 0) }
        magic = word(0)
        guard magic == FlattenedDeviceTree.magic else { throw fail(.badMagic(found: magic), 0) }
        // version (offset 20) and last_comp_version (24) decide how long the header is.
        guard bytes.count >= 28 else { throw fail(.truncatedHeader(available: bytes.count, required: 40), 0) }
        version = word(5)
        lastCompatibleVersion = word(6)
        guard version >= 16, lastCompatibleVersion <= 17 else {
            throw fail(.unsupportedVersion(version: version, lastCompatibleVersion: lastCompatibleVersion), 20)
        }
        let size = version >= 17 ? 40 : 36
        guard bytes.count >= size else { throw fail(.truncatedHeader(available: bytes.count, required: size), 0) }
        totalSize = word(1)
        structureOffset = word(2)
        stringsOffset = word(3)
        memoryReservationMapOffset = word(4)
        bootCpuidPhys = word(7)
        stringsSize = word(8)
        structureSize = version >= 17 ? word(9) : nil

        guard Int(totalSize) >= size else { throw fail(.totalSizeTooSmall(totalSize: totalSize, headerSize: size), 4) }
        guard UInt64(totalSize) <= UInt64(bytes.count) else {
            throw fail(.totalSizeExceedsData(totalSize: totalSize, available: bytes.count), 4)
        }
        // The reservation map has no size field; it must at least hold its terminator.
        try Self.checkBlock(.memoryReservationMap, offset: memoryReservationMapOffset, size: 16, alignment: 8,
                            headerSize: size, totalSize: totalSize, fieldOffset: 16, fileName: fileName)
        try Self.checkBlock(.structure, offset: structureOffset, size: structureSize ?? 0, alignment: 4,
                            headerSize: size, totalSize: totalSize, fieldOffset: 8, fileName: fileName)
        try Self.checkBlock(.strings, offset: stringsOffset, size: stringsSize, alignment: 1,
                            headerSize: size, totalSize: totalSize, fieldOffset: 12, fileName: fileName)
    }

    /// Checks that the block `[offset, offset + size)` starts after the header,
    /// is aligned, and ends inside totalsize; `fieldOffset` is where the
    /// header field that is wrong lives (reported in the error).
    private static func checkBlock(_ block: DeviceTreeError.Block, offset: UInt32, size: UInt32, alignment: UInt32,
                                   headerSize: Int, totalSize: UInt32, fieldOffset: Int,
                                   fileName: String?) throws(DeviceTreeError) {
        guard Int(offset) >= headerSize else {
            throw DeviceTreeError(.blockOverlapsHeader(block: block, blockOffset: offset, headerSize: headerSize),
                                  offset: fieldOffset, fileName: fileName)
        }
        guard offset % alignment == 0 else {
            throw DeviceTreeError(.misalignedBlock(block: block, blockOffset: offset, alignment: Int(alignment)),
                                  offset: fieldOffset, fileName: fileName)
        }
        let (end, overflow) = UInt64(offset).addingReportingOverflow(UInt64(size))
        guard !overflow, end <= UInt64(totalSize) else {
            throw DeviceTreeError(.blockOutOfBounds(block: block, blockOffset: offset, size: size, totalSize: totalSize),
                                  offset: fieldOffset, fileName: fileName)
        }
    }
}
