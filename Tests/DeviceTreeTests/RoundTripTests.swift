import DeviceTree
import Testing

/// `FlattenedDeviceTreeWriter`: parse → write → parse gives the same tree, the
/// written layout is the canonical dtc one, and the writer refuses what the
/// reader would refuse.
@Suite("Writer and round trips")
struct RoundTripTests {
    @Test("fixture round trip", arguments: Fixtures.dtbCases)
    func fixtureRoundTrip(_ name: String) throws {
        let original = try Fixtures.dtb(name)
        let parsed = try FlattenedDeviceTree(bytes: original)
        let written = try parsed.tree.flattened()
        let reparsed = try FlattenedDeviceTree(bytes: written)
        #expect(reparsed.tree == parsed.tree)
        #expect(reparsed.header.version == 17)
        #expect(reparsed.header.lastCompatibleVersion == 16)
        #expect(reparsed.header.memoryReservationMapOffset == 40)
        #expect(reparsed.header.structureOffset == 56)
        // QEMU (libfdt) lays blobs out as dtc does, with strings in order of
        // first use, so the writer reproduces them byte for byte.
        #expect(reparsed.header.structureSize == parsed.header.structureSize)
        #expect(reparsed.header.stringsSize == parsed.header.stringsSize)
        #expect(written == original)
        // Writing is deterministic and a fixed point.
        #expect(try reparsed.tree.flattened() == written)
    }

    @Test("a built tree round-trips with reservations and boot CPU")
    func builtTree() throws {
        let tree = DeviceTree(
            root: DeviceTreeNode(name: "", properties: [
                .u32("#address-cells", 2), .u32("#size-cells", 2), .strings("compatible", ["vendor,board", "generic"]),
            ], children: [
                DeviceTreeNode(name: "cpus", properties: [.u32("#address-cells", 1), .u32("#size-cells", 0)], children: [
                    DeviceTreeNode(name: "cpu@0", properties: [.string("device_type", "cpu"), .cells("reg", [0]), .u32("numa-node-id", 0)]),
                    DeviceTreeNode(name: "cpu@100", properties: [.string("device_type", "cpu"), .cells("reg", [0x100]), .u32("numa-node-id", 1)]),
                ]),
                DeviceTreeNode(name: "memory@80000000", properties: [
                    .string("device_type", "memory"),
                    .reg([.init(address: 0x8000_0000, size: 0x4000_0000)], addressCells: 2, sizeCells: 2),
                    .u32("numa-node-id", 1), .empty("hotpluggable"), .u64("big", 0x0123_4567_89ab_cdef), .bytes("odd", [1, 2, 3]),
                ]),
            ]),
            memoryReservations: [.init(address: 0x4800_0000, size: 0x10_0000), .init(address: 0xffff_ffff_0000_0000, size: 1)],
            bootCpuidPhys: 0x100)
        let blob = try tree.flattened()
        let parsed = try FlattenedDeviceTree(bytes: blob)
        #expect(parsed.tree == tree)
        #expect(parsed.header.bootCpuidPhys == 0x100)
        #expect(parsed.header.structureOffset == 40 + 3 * 16)
        #expect(try parsed.tree.node(at: "/memory@80000000")?.property(named: "big")?.u64() == 0x0123_4567_89ab_cdef)
        #expect(try parsed.tree.reg(at: "/memory@80000000") == [.init(address: 0x8000_0000, size: 0x4000_0000)])
    }

    @Test("property names are stored once, in order of first use")
    func stringsDeduplicated() throws {
        let tree = DeviceTree(root: DeviceTreeNode(name: "", properties: [.u32("a", 1), .u32("bb", 2)], children: [
            DeviceTreeNode(name: "x", properties: [.u32("bb", 3), .u32("a", 4), .u32("ccc", 5)]),
        ]))
        let blob = try tree.flattened()
        let header = try FlattenedDeviceTreeHeader(validating: blob)
        let strings = Array(blob[Int(header.stringsOffset)..<Int(header.stringsOffset + header.stringsSize)])
        #expect(strings == Array("a\0bb\0ccc\0".utf8))
        #expect(try DeviceTree(flattened: blob) == tree)
    }

    @Test("an empty root round-trips")
    func emptyRoot() throws {
        let tree = DeviceTree(root: DeviceTreeNode(name: ""))
        let blob = try tree.flattened()
        #expect(blob.count == 40 + 16 + 4 + 4 + 4 + 4)  // header, terminator, BEGIN "" pad, END_NODE, END
        #expect(try DeviceTree(flattened: blob) == tree)
    }

    @Test("the writer refuses names containing NUL")
    func nulInName() {
        let badNode = DeviceTree(root: DeviceTreeNode(name: "", children: [DeviceTreeNode(name: "a\0b")]))
        #expect(throws: DeviceTreeError(.unrepresentableName("a\0b"))) { try badNode.flattened() }
        let badProperty = DeviceTree(root: DeviceTreeNode(name: "", properties: [.u32("x\0", 1)]))
        #expect(throws: DeviceTreeError(.unrepresentableName("x\0"))) { try badProperty.flattened() }
    }

    @Test("the writer refuses nesting the reader would refuse")
    func writerDepth() throws {
        func chain(_ depth: Int) -> DeviceTreeNode {
            var node = DeviceTreeNode(name: "n\(depth)")
            for level in stride(from: depth - 1, through: 1, by: -1) {
                node = DeviceTreeNode(name: level == 1 ? "" : "n\(level)", children: [node])
            }
            return node
        }
        let deepest = DeviceTree(root: chain(FlattenedDeviceTree.maximumDepth))
        #expect(try DeviceTree(flattened: deepest.flattened()) == deepest)
        let tooDeep = DeviceTree(root: chain(FlattenedDeviceTree.maximumDepth + 1))
        #expect(throws: DeviceTreeError(.nestingTooDeep(limit: 64), nodePath: "n65")) { try tooDeep.flattened() }
    }
}
