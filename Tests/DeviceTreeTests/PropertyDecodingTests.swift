import DeviceTree
import Testing

/// The strict typed accessors, `reg` decoding with the parent's cells, path
/// lookup and `compatible` matching.
@Suite("Property decoding and lookup")
struct PropertyDecodingTests {
    @Test("u32, u64, u32Array: exact lengths")
    func integers() throws {
        #expect(try DeviceTreeProperty.u32("x", 0xdead_beef).u32() == 0xdead_beef)
        #expect(try DeviceTreeProperty.u64("x", 0x1_0000_0002).u64() == 0x1_0000_0002)
        #expect(try DeviceTreeProperty.cells("x", [1, 2, 3]).u32Array() == [1, 2, 3])
        #expect(try DeviceTreeProperty.empty("x").u32Array() == [])
        #expect(throws: DeviceTreeError(.badPropertyLength(property: "x", length: 8, expected: "4 bytes"))) {
            try DeviceTreeProperty.cells("x", [1, 2]).u32()
        }
        #expect(throws: DeviceTreeError(.badPropertyLength(property: "x", length: 3, expected: "4 bytes"))) {
            try DeviceTreeProperty.bytes("x", [0, 0, 1]).u32()
        }
        #expect(throws: DeviceTreeError(.badPropertyLength(property: "x", length: 4, expected: "8 bytes"))) {
            try DeviceTreeProperty.u32("x", 1).u64()
        }
        #expect(throws: DeviceTreeError(.badPropertyLength(property: "x", length: 6, expected: "a multiple of 4 bytes"))) {
            try DeviceTreeProperty.bytes("x", [0, 0, 0, 1, 0, 0]).u32Array()
        }
    }

    @Test("string and stringList")
    func strings() throws {
        #expect(try DeviceTreeProperty.string("s", "memory").string() == "memory")
        #expect(try DeviceTreeProperty.string("s", "").string() == "")
        #expect(try DeviceTreeProperty.strings("s", ["a", "", "b"]).stringList() == ["a", "", "b"])
        #expect(try DeviceTreeProperty.empty("s").stringList() == [])
        #expect(throws: DeviceTreeError(.invalidString(property: "s", reason: "not NUL-terminated"))) {
            try DeviceTreeProperty.bytes("s", Array("abc".utf8)).string()
        }
        #expect(throws: DeviceTreeError(.invalidString(property: "s", reason: "empty value"))) {
            try DeviceTreeProperty.empty("s").string()
        }
        #expect(throws: DeviceTreeError(.invalidString(property: "s", reason: "NUL inside the string (a string list?)"))) {
            try DeviceTreeProperty.strings("s", ["a", "b"]).string()
        }
        #expect(throws: DeviceTreeError(.invalidString(property: "s", reason: "not valid UTF-8"))) {
            try DeviceTreeProperty.bytes("s", [0xc3, 0x28, 0]).string()
        }
        #expect(throws: DeviceTreeError(.invalidString(property: "s", reason: "not NUL-terminated"))) {
            try DeviceTreeProperty.bytes("s", [0x61, 0, 0x62]).stringList()
        }
    }

    @Test("node-level accessors: nil when absent, errors name the node")
    func nodeAccessors() throws {
        let node = DeviceTreeNode(name: "cpu@0", properties: [.bytes("numa-node-id", [0, 1]), .string("device_type", "cpu")])
        #expect(try node.u32("absent") == nil)
        #expect(try node.string("absent") == nil)
        #expect(try node.deviceType() == "cpu")
        #expect(try node.status() == nil)
        #expect(try node.compatible() == [])
        let error = DeviceTreeError(.badPropertyLength(property: "numa-node-id", length: 2, expected: "4 bytes"), nodePath: "cpu@0")
        #expect(throws: error) { try node.u32("numa-node-id") }
        #expect(error.description == "cpu@0: property \"numa-node-id\" has length 2, expected 4 bytes")
    }

    static let tree = DeviceTree(root: DeviceTreeNode(name: "", properties: [.u32("#address-cells", 2), .u32("#size-cells", 2)], children: [
        DeviceTreeNode(name: "cpus", properties: [.u32("#address-cells", 1), .u32("#size-cells", 0)], children: [
            DeviceTreeNode(name: "cpu-map"),
            DeviceTreeNode(name: "cpu@0", properties: [.cells("reg", [0])]),
            DeviceTreeNode(name: "cpu@1", properties: [.cells("reg", [1, 2])]),
        ]),
        DeviceTreeNode(name: "memory@40000000", properties: [
            .cells("reg", [0, 0x4000_0000, 0, 0x2000_0000, 1, 0, 0, 0x1000]),
        ]),
        DeviceTreeNode(name: "bad-reg", properties: [.cells("reg", [0, 1, 2])]),
        DeviceTreeNode(name: "bus", properties: [.u32("#address-cells", 3)], children: [
            DeviceTreeNode(name: "dev@0", properties: [.cells("reg", [0, 0, 0, 0])]),
        ]),
        DeviceTreeNode(name: "defaults", children: [
            DeviceTreeNode(name: "leaf", properties: [.cells("reg", [0, 0x10, 0x20])]),
        ]),
        DeviceTreeNode(name: "soc", properties: [.strings("compatible", ["Vendor,SoC", "simple-bus"])], children: [
            DeviceTreeNode(name: "uart@1000"),
            DeviceTreeNode(name: "uart@2000"),
        ]),
    ]))

    @Test("reg uses the parent's #address-cells/#size-cells")
    func reg() throws {
        let tree = Self.tree
        #expect(try tree.reg(at: "/memory@40000000") == [.init(address: 0x4000_0000, size: 0x2000_0000), .init(address: 0x1_0000_0000, size: 0x1000)])
        #expect(try tree.reg(at: "/cpus/cpu@0") == [.init(address: 0, size: 0)])
        #expect(try tree.reg(at: "/cpus/cpu@1") == [.init(address: 1, size: 0), .init(address: 2, size: 0)])
        #expect(try tree.reg(at: "/cpus/cpu-map") == nil)
        #expect(try tree.reg(at: "/nowhere") == nil)
        #expect(try tree.reg(at: "/") == nil)
        // No cells on the parent: the specification's defaults, 2 address + 1 size.
        #expect(try tree.reg(at: "/defaults/leaf") == [.init(address: 0x10, size: 0x20)])
        #expect(throws: DeviceTreeError(.badPropertyLength(property: "reg", length: 12, expected: "a multiple of 16 bytes (2 address + 2 size cells)"), nodePath: "/bad-reg")) {
            try tree.reg(at: "/bad-reg")
        }
        #expect(throws: DeviceTreeError(.unsupportedCells(addressCells: 3, sizeCells: 1), nodePath: "/bus/dev@0")) {
            try tree.reg(at: "/bus/dev@0")
        }
        let node = DeviceTreeNode(name: "n", properties: [.reg([.init(address: 0xabc, size: 0)], addressCells: 1, sizeCells: 0)])
        #expect(try node.reg(addressCells: 1, sizeCells: 0) == [.init(address: 0xabc, size: 0)])
        #expect(throws: DeviceTreeError(.unsupportedCells(addressCells: 0, sizeCells: 1), nodePath: "n")) {
            try node.reg(addressCells: 0, sizeCells: 1)
        }
    }

    @Test("path lookup")
    func paths() {
        let tree = Self.tree
        #expect(tree.node(at: "/")?.name == "")
        #expect(tree.node(at: "/cpus/cpu@1")?.name == "cpu@1")
        #expect(tree.node(at: "/cpus/cpu")?.name == "cpu@0")  // libfdt: a name without @ matches the first name@unit
        #expect(tree.node(at: "/cpus/cpu-map")?.name == "cpu-map")
        #expect(tree.node(at: "/soc/uart@2000")?.name == "uart@2000")
        #expect(tree.node(at: "/soc/uart@3000") == nil)
        #expect(tree.node(at: "//cpus//cpu@0/")?.name == "cpu@0")
        #expect(tree.node(at: "cpus") == nil)
        #expect(tree.visit(at: "/cpus/cpu")?.path == "/cpus/cpu@0")
        #expect(tree.visit(at: "/cpus/cpu@0")?.ancestors.map(\.name) == ["", "cpus"])
        #expect(tree.node(at: "/soc/uart@1000")?.baseName == "uart")
        #expect(tree.node(at: "/soc/uart@1000")?.unitAddress == "1000")
        #expect(tree.node(at: "/soc")?.unitAddress == nil)
    }

    @Test("pre-order walk with paths")
    func walk() {
        #expect(Self.tree.allNodes().map(\.path) == [
            "/", "/cpus", "/cpus/cpu-map", "/cpus/cpu@0", "/cpus/cpu@1", "/memory@40000000", "/bad-reg",
            "/bus", "/bus/dev@0", "/defaults", "/defaults/leaf", "/soc", "/soc/uart@1000", "/soc/uart@2000",
        ])
    }

    @Test("compatible matching is case-insensitive, entry by entry")
    func compatible() throws {
        let soc = try #require(Self.tree.node(at: "/soc"))
        #expect(try soc.compatible() == ["Vendor,SoC", "simple-bus"])
        #expect(soc.isCompatible(with: "vendor,soc"))
        #expect(soc.isCompatible(with: "simple-bus"))
        #expect(!soc.isCompatible(with: "simple"))
        #expect(!soc.isCompatible(with: "Vendor,SoC\0simple-bus"))
        #expect(!(Self.tree.node(at: "/cpus")?.isCompatible(with: "") ?? true))
        let unterminated = DeviceTreeNode(name: "x", properties: [.bytes("compatible", Array("a\0b".utf8))])
        #expect(unterminated.isCompatible(with: "b"))
    }

    @Test("the property lookup takes the first of duplicates")
    func duplicates() throws {
        let node = DeviceTreeNode(name: "n", properties: [.u32("x", 1), .u32("x", 2)])
        #expect(try node.u32("x") == 1)
    }
}
