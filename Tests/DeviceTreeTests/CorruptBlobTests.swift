import DeviceTree
import Testing

/// Truncated, corrupted and hostile blobs: each must end in the specific
/// `DeviceTreeError` at the right offset — never a trap, never a hang.
@Suite("Corrupt and truncated blobs")
struct CorruptBlobTests {
    static let small = RawFDT.minimal()

    @Test("the minimal hand-built blob parses")
    func minimalParses() throws {
        let tree = try DeviceTree(flattened: Self.small.bytes())
        #expect(tree.root.children.map(\.name) == ["child@1"])
        #expect(try tree.reg(at: "/child@1") == [.init(address: 1, size: 2)])
    }

    @Test("every truncation length fails with the header error")
    func everyTruncation() throws {
        let blob = Self.small.bytes()
        for length in 0..<blob.count {
            let error = try #require(parseError(Array(blob[..<length])))
            if length < 40 {
                #expect(error.kind == .truncatedHeader(available: length, required: 40), "length \(length)")
            } else {
                #expect(error.kind == .totalSizeExceedsData(totalSize: UInt32(blob.count), available: length), "length \(length)")
                #expect(error.offset == 4)
            }
        }
    }

    @Test("every truncation of a fixture fails without trapping")
    func everyFixtureTruncation() throws {
        let blob = try Fixtures.dtb("arm64-2node-dt")
        for length in 0..<blob.count {
            #expect(parseError(Array(blob[..<length])) != nil)
        }
    }

    @Test("every cut of the structure block gives a structural error")
    func everyStructureCut() throws {
        let fdt = Self.small
        let full = fdt.bytes()
        var kinds = Set<DeviceTreeError.Kind>()
        for cut in 0..<fdt.structure.count {
            var blob = full
            blob.setBE32(UInt32(cut), at: 36)  // size_dt_struct
            let error = try #require(parseError(blob), "cut \(cut)")
            let offset = try #require(error.offset)
            // At most the padding of the last name past the cut.
            #expect(offset >= fdt.structureOffset && offset <= fdt.structureOffset + cut + 3, "cut \(cut): \(error)")
            kinds.insert(error.kind)
        }
        #expect(kinds.contains(.missingRoot))
        #expect(kinds.contains(.unclosedNodes(depth: 1)))
        #expect(kinds.contains(.unclosedNodes(depth: 2)))
        #expect(kinds.contains(.missingEndToken))
        #expect(kinds.contains(.truncatedPropertyHeader))
        #expect(kinds.contains(.unterminatedNodeName))
        #expect(kinds.contains(.propertyOutOfBounds(name: "reg", length: 12, available: 0)))
    }

    @Test("random byte corruption never traps", arguments: ["small", "arm64-4node-embed"])
    func fuzz(_ source: String) throws {
        let original = source == "small" ? Self.small.bytes() : try Fixtures.dtb(source)
        var rng = SplitMix64(state: 0x5eed)
        var parsedCount = 0
        for _ in 0..<(source == "small" ? 4000 : 400) {
            var blob = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let index = Int.random(in: 0..<blob.count, using: &rng)
                blob[index] = UInt8.random(in: 0...255, using: &rng)
            }
            guard let tree = try? DeviceTree(flattened: blob) else { continue }
            parsedCount += 1
            _ = try? tree.numaFacts()
            #expect(try DeviceTree(flattened: tree.flattened()) == tree)
        }
        #expect(parsedCount > 0)
    }

    @Test("bad magic")
    func badMagic() {
        var blob = Self.small.bytes()
        blob.setBE32(0xedfe_0dd0, at: 0)
        let error = parseError(blob, fileName: "board.dtb")
        #expect(error == DeviceTreeError(.badMagic(found: 0xedfe_0dd0), offset: 0, fileName: "board.dtb"))
        #expect(error?.description == "board.dtb: offset 0x0: bad magic 0xedfe0dd0 (expected 0xd00dfeed)")
    }

    @Test("unsupported versions", arguments: [(UInt32(15), UInt32(15)), (17, 18), (0xffff_ffff, 0xffff_ffff)])
    func versions(_ version: UInt32, _ lastCompatible: UInt32) {
        var blob = Self.small.bytes()
        blob.setBE32(version, at: 20)
        blob.setBE32(lastCompatible, at: 24)
        #expect(parseError(blob) == DeviceTreeError(.unsupportedVersion(version: version, lastCompatibleVersion: lastCompatible), offset: 20))
    }

    @Test("version 16 (36-byte header, no size_dt_struct) is accepted")
    func version16() throws {
        var blob = Self.small.bytes()
        blob.setBE32(16, at: 20)
        let fdt = try FlattenedDeviceTree(bytes: blob)
        #expect(fdt.header.structureSize == nil)
        #expect(fdt.header.headerSize == 36)
        #expect(fdt.tree == (try DeviceTree(flattened: Self.small.bytes())))
    }

    @Test("totalsize larger than the data, or smaller than the header")
    func totalSize() {
        var blob = Self.small.bytes()
        blob.setBE32(UInt32(blob.count + 1), at: 4)
        #expect(parseError(blob) == DeviceTreeError(.totalSizeExceedsData(totalSize: UInt32(blob.count + 1), available: blob.count), offset: 4))
        blob.setBE32(39, at: 4)
        #expect(parseError(blob) == DeviceTreeError(.totalSizeTooSmall(totalSize: 39, headerSize: 40), offset: 4))
    }

    @Test("block offsets and sizes outside totalsize")
    func blockBounds() {
        let good = Self.small.bytes()
        let total = UInt32(good.count)
        var blob = good
        blob.setBE32(total & ~3, at: 8)  // off_dt_struct at the very end, size > 0
        #expect(parseError(blob) == DeviceTreeError(.blockOutOfBounds(block: .structure, blockOffset: total & ~3, size: blob.be32(at: 36), totalSize: total), offset: 8))
        blob = good
        blob.setBE32(0xffff_fff0, at: 12)  // off_dt_strings: offset + size overflows 32 bits
        #expect(parseError(blob) == DeviceTreeError(.blockOutOfBounds(block: .strings, blockOffset: 0xffff_fff0, size: blob.be32(at: 32), totalSize: total), offset: 12))
        blob = good
        blob.setBE32(0xffff_ffff, at: 32)  // size_dt_strings
        #expect(parseError(blob)?.kind == .blockOutOfBounds(block: .strings, blockOffset: blob.be32(at: 12), size: 0xffff_ffff, totalSize: total))
        blob = good
        blob.setBE32((total & ~7) - 8, at: 16)  // reservation map with no room for its terminator
        #expect(parseError(blob)?.kind == .blockOutOfBounds(block: .memoryReservationMap, blockOffset: (total & ~7) - 8, size: 16, totalSize: total))
        blob = good
        blob.setBE32(44, at: 16)
        #expect(parseError(blob) == DeviceTreeError(.misalignedBlock(block: .memoryReservationMap, blockOffset: 44, alignment: 8), offset: 16))
        blob = good
        blob.setBE32(8, at: 16)
        #expect(parseError(blob) == DeviceTreeError(.blockOverlapsHeader(block: .memoryReservationMap, blockOffset: 8, headerSize: 40), offset: 16))
        blob = good
        blob.setBE32(58, at: 8)
        #expect(parseError(blob)?.kind == .misalignedBlock(block: .structure, blockOffset: 58, alignment: 4))
    }

    @Test("reservation map without its (0, 0) terminator")
    func unterminatedReservations() throws {
        var fdt = RawFDT()
        fdt.reservations = [(0x1000, 0x2000)]
        fdt.begin("")
        fdt.end()
        fdt.finish()
        var blob = fdt.bytes()
        // Point the map at the structure block, whose words never form (0, 0) before the end.
        blob.setBE32(UInt32(fdt.structureOffset), at: 16)
        blob.setBE32(0xffff_ffff, at: fdt.structureOffset + 4)
        let error = parseError(blob)
        #expect(error?.kind == .unterminatedReservationMap)
        // And the good version reads the entry.
        #expect(try DeviceTree(flattened: fdt.bytes()).memoryReservations == [.init(address: 0x1000, size: 0x2000)])
    }

    @Test("nameoff outside the strings block")
    func nameOffsetOutOfBounds() {
        var fdt = RawFDT()
        fdt.begin("")
        _ = fdt.nameOffset("model")
        fdt.propRaw(length: 0, nameOffset: 6, value: [])
        fdt.end()
        fdt.finish()
        let error = parseError(fdt.bytes())
        #expect(error == DeviceTreeError(.nameOffsetOutOfBounds(nameOffset: 6, stringsSize: 6), offset: fdt.structureOffset + 8 + 8))
    }

    @Test("property name not NUL-terminated inside the strings block")
    func unterminatedPropertyName() {
        var fdt = RawFDT()
        fdt.begin("")
        fdt.prop("model", [])
        fdt.end()
        fdt.finish()
        var blob = fdt.bytes()
        blob.setBE32(5, at: 32)  // size_dt_strings drops the NUL of "model"
        #expect(parseError(blob)?.kind == .unterminatedPropertyName(nameOffset: 0))
    }

    @Test("property length running past the structure block")
    func propertyOverflow() {
        for length: UInt32 in [0xffff_ffff, 0xffff_fff8, 64] {
            var fdt = RawFDT()
            fdt.begin("")
            fdt.propRaw(length: length, nameOffset: fdt.nameOffset("reg"), value: [0, 0, 0, 0])
            fdt.end()
            fdt.finish()
            let error = parseError(fdt.bytes())
            #expect(error == DeviceTreeError(.propertyOutOfBounds(name: "reg", length: length, available: 12), offset: fdt.structureOffset + 8 + 4))
        }
    }

    /// Parses a structure built by `body` and returns the error.
    func structureError(_ body: (inout RawFDT) -> Void) -> (DeviceTreeError?, Int) {
        var fdt = RawFDT()
        body(&fdt)
        return (parseError(fdt.bytes()), fdt.structureOffset)
    }

    @Test("unbalanced FDT_END_NODE")
    func unbalancedEndNode() {
        let (error, base) = structureError { $0.begin(""); $0.end(); $0.end(); $0.finish() }
        #expect(error == DeviceTreeError(.unexpectedEndNode, offset: base + 12))
    }

    @Test("missing FDT_END, unclosed nodes, empty structure")
    func missingEnd() {
        var (error, base) = structureError { $0.begin(""); $0.end() }
        #expect(error == DeviceTreeError(.missingEndToken, offset: base + 12))
        (error, base) = structureError { $0.begin(""); $0.begin("a"); $0.end(); $0.finish() }
        #expect(error == DeviceTreeError(.unclosedNodes(depth: 1), offset: base + 20))
        (error, base) = structureError { $0.finish() }
        #expect(error == DeviceTreeError(.missingRoot, offset: base))
        (error, base) = structureError { $0.nop() }
        #expect(error == DeviceTreeError(.missingRoot, offset: base + 4))
    }

    @Test("nesting deeper than the limit")
    func hugeNesting() {
        let (error, base) = structureError { fdt in
            fdt.begin("")
            for _ in 0..<10_000 { fdt.begin("n") }
        }
        // Root at depth 1, "n" nodes at 8 bytes each: the 65th BEGIN_NODE is refused.
        #expect(error == DeviceTreeError(.nestingTooDeep(limit: 64), offset: base + 8 + 63 * 8))
    }

    @Test("token order violations")
    func tokenOrder() {
        var (error, base) = structureError { $0.token(5); $0.finish() }
        #expect(error == DeviceTreeError(.unknownToken(5), offset: base))
        (error, base) = structureError { $0.prop("x", []); $0.begin(""); $0.end(); $0.finish() }
        #expect(error == DeviceTreeError(.propertyOutsideNode, offset: base))
        (error, base) = structureError { $0.begin(""); $0.end(); $0.begin(""); $0.end(); $0.finish() }
        #expect(error == DeviceTreeError(.nodeAfterRoot, offset: base + 12))
        (error, base) = structureError { $0.begin(""); $0.begin("c"); $0.end(); $0.prop("late", []); $0.end(); $0.finish() }
        #expect(error == DeviceTreeError(.propertyAfterChild(name: "late"), offset: base + 20))
    }

    @Test("names: unterminated node name, invalid UTF-8")
    func badNames() {
        var (error, base) = structureError { $0.token(1); $0.structure += Array("abc".utf8) }
        #expect(error == DeviceTreeError(.unterminatedNodeName, offset: base + 4))
        (error, base) = structureError { $0.beginRaw([0xff, 0xfe, 0]); $0.end(); $0.finish() }
        #expect(error?.kind == .invalidName(reason: "node name is not valid UTF-8"))
        #expect(error?.offset == base + 4)
    }

    @Test("NOP tokens are skipped anywhere")
    func nops() throws {
        var fdt = RawFDT()
        fdt.nop()
        fdt.begin("")
        fdt.nop()
        fdt.prop("a", [1])
        fdt.nop()
        fdt.begin("c")
        fdt.end()
        fdt.nop()
        fdt.end()
        fdt.nop()
        fdt.finish()
        let tree = try DeviceTree(flattened: fdt.bytes())
        #expect(tree == DeviceTree(root: DeviceTreeNode(name: "", properties: [.bytes("a", [1])], children: [DeviceTreeNode(name: "c")])))
    }

    @Test("data beyond totalsize is ignored")
    func trailingData() throws {
        let blob = Self.small.bytes()
        #expect(try DeviceTree(flattened: blob + [1, 2, 3]) == DeviceTree(flattened: blob))
    }
}
