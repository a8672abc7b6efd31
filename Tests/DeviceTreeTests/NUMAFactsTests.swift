import DeviceTree
import Testing

/// `numaFacts()` on built trees: the distinctions drivers/of/of_numa.c,
/// drivers/of/base.c and arm64 smp.c (v6.8) make must survive extraction.
@Suite("NUMA facts")
struct NUMAFactsTests {
    /// A root with 2/2 cells, `/cpus` (1/0 cells) holding `cpus`, plus `extra` root children.
    func tree(cpus: [DeviceTreeNode], cpusProperties: [DeviceTreeProperty] = [.u32("#address-cells", 1), .u32("#size-cells", 0)],
              rootProperties: [DeviceTreeProperty] = [.u32("#address-cells", 2), .u32("#size-cells", 2)],
              extra: [DeviceTreeNode] = []) -> DeviceTree {
        DeviceTree(root: DeviceTreeNode(name: "", properties: rootProperties,
                                        children: [DeviceTreeNode(name: "cpus", properties: cpusProperties, children: cpus)] + extra))
    }

    func cpu(_ unit: String, _ properties: [DeviceTreeProperty]) -> DeviceTreeNode {
        DeviceTreeNode(name: "cpu@" + unit, properties: [.string("device_type", "cpu"), .cells("reg", [UInt32(unit, radix: 16)!])] + properties)
    }

    @Test("numa-node-id lengths: of_property_read_u32 semantics")
    func nodeIdLengths() throws {
        let facts = try tree(cpus: [
            cpu("0", []),
            cpu("1", [.bytes("numa-node-id", [])]),
            cpu("2", [.bytes("numa-node-id", [0, 1])]),
            cpu("3", [.u32("numa-node-id", 3)]),
            cpu("4", [.cells("numa-node-id", [4, 99])]),  // longer: the first cell is read
            cpu("5", [.bytes("numa-node-id", [0, 0, 0, 5, 7])]),
        ]).numaFacts()
        #expect(facts.cpus.map(\.numaNodeId) == [.absent, .malformed(length: 0), .malformed(length: 2), .value(3), .value(4), .value(5)])
        #expect(facts.cpus.map(\.numaNodeId.kernelReturnCode) == [-22, -75, -75, 0, 0, 0])
        #expect(facts.cpus.map(\.numaNodeId.description) == ["absent", "malformed (0 bytes)", "malformed (2 bytes)", "3", "4", "5"])
    }

    @Test("of_node_to_nid walks up past absent ids and stops at a bad one")
    func inheritedNodeId() throws {
        let facts = try tree(cpus: [
            cpu("0", []),
            cpu("1", [.u32("numa-node-id", 1)]),
            cpu("2", [.bytes("numa-node-id", [9])]),
        ], cpusProperties: [.u32("#address-cells", 1), .u32("#size-cells", 0), .u32("numa-node-id", 7)]).numaFacts()
        #expect(facts.cpus.map(\.numaNodeId) == [.absent, .value(1), .malformed(length: 1)])
        #expect(facts.cpus.map(\.inheritedNumaNodeId) == [.value(7), .value(1), .malformed(length: 1)])
        #expect(facts.cpus.map(\.inheritedNumaNodeIdSource) == ["/cpus", "/cpus/cpu@1", "/cpus/cpu@2"])

        let fromRoot = try tree(cpus: [cpu("0", [])], rootProperties: [.u32("#address-cells", 2), .bytes("numa-node-id", [1, 2])]).numaFacts()
        #expect(fromRoot.cpus[0].inheritedNumaNodeId == .malformed(length: 2))
        #expect(fromRoot.cpus[0].inheritedNumaNodeIdSource == "/")
    }

    @Test("which /cpus children are CPUs, and which the kernel enumerates")
    func cpuSelection() throws {
        let facts = try tree(cpus: [
            DeviceTreeNode(name: "cpu-map", children: [DeviceTreeNode(name: "cpu@9", properties: [.string("device_type", "cpu")])]),
            DeviceTreeNode(name: "cpu@0", properties: [.cells("reg", [0])]),  // by name, no device_type
            DeviceTreeNode(name: "core", properties: [.string("device_type", "cpu"), .cells("reg", [1])]),  // by type
            DeviceTreeNode(name: "l2-cache", properties: [.string("device_type", "cache")]),
            cpu("2", [.string("status", "fail")]),
            cpu("3", [.string("status", "fail-sss")]),
            cpu("4", [.string("status", "disabled")]),
            DeviceTreeNode(name: "CPU@5", properties: [.cells("reg", [5])]),  // of_node_name_eq is case-sensitive
        ]).numaFacts()
        #expect(facts.cpus.map(\.path) == ["/cpus/cpu@0", "/cpus/core", "/cpus/cpu@2", "/cpus/cpu@3", "/cpus/cpu@4"])
        #expect(facts.cpus.map(\.deviceType) == [nil, "cpu", "cpu", "cpu", "cpu"])
        #expect(facts.cpus.map(\.status) == [nil, nil, "fail", "fail-sss", "disabled"])
        #expect(facts.enumeratedCPUs.map(\.path) == ["/cpus/cpu@0", "/cpus/core", "/cpus/cpu@4"])
    }

    @Test("CPU reg (MPIDR) with /cpus #address-cells, as of_get_cpu_hwid reads it")
    func cpuReg() throws {
        let twoCells = try tree(cpus: [
            DeviceTreeNode(name: "cpu@100000000", properties: [.string("device_type", "cpu"), .cells("reg", [1, 0])]),
            DeviceTreeNode(name: "cpu@1", properties: [.string("device_type", "cpu"), .cells("reg", [1])]),  // too short
            DeviceTreeNode(name: "cpu@2", properties: [.string("device_type", "cpu")]),  // no reg
            DeviceTreeNode(name: "cpu@3", properties: [.string("device_type", "cpu"), .cells("reg", [0, 3, 0, 4])]),  // longer: first
        ], cpusProperties: [.u32("#address-cells", 2), .u32("#size-cells", 0)]).numaFacts()
        #expect(twoCells.cpus.map(\.reg) == [0x1_0000_0000, nil, nil, 3])

        // /cpus without #address-cells: the kernel walks up to the root's (2 here) ...
        let inherited = try tree(cpus: [DeviceTreeNode(name: "cpu@0", properties: [.cells("reg", [0, 0x81])])],
                                 cpusProperties: []).numaFacts()
        #expect(inherited.cpus.map(\.reg) == [0x81])
        // ... and with no cells anywhere uses OF_ROOT_NODE_ADDR_CELLS_DEFAULT = 1.
        let defaulted = try tree(cpus: [DeviceTreeNode(name: "cpu@0", properties: [.cells("reg", [0x81, 0])])],
                                 cpusProperties: [], rootProperties: []).numaFacts()
        #expect(defaulted.cpus.map(\.reg) == [0x81])
        #expect(defaulted.rootAddressCells == 1 && defaulted.rootSizeCells == 1)
        // Zero address cells: no hwid.
        let zero = try tree(cpus: [DeviceTreeNode(name: "cpu@0", properties: [.cells("reg", [1])])],
                            cpusProperties: [.u32("#address-cells", 0)]).numaFacts()
        #expect(zero.cpus.map(\.reg) == [nil])
    }

    func memory(_ name: String, _ properties: [DeviceTreeProperty], children: [DeviceTreeNode] = []) -> DeviceTreeNode {
        DeviceTreeNode(name: name, properties: [.string("device_type", "memory")] + properties, children: children)
    }

    @Test("memory nodes: DT order, reg as of_address_to_resource yields it")
    func memoryNodes() throws {
        let facts = try tree(cpus: [], extra: [
            memory("memory@80000000", [.cells("reg", [0, 0x8000_0000, 0, 0x1000, 0, 0x9000_0000, 0, 0x2000, 7]), .u32("numa-node-id", 1)]),
            memory("memory@0", [.cells("reg", [0, 0, 0, 0x1000]), .bytes("numa-node-id", [1, 2, 3])]),
            memory("memory@1", [.string("status", "disabled")]),
            DeviceTreeNode(name: "bus", properties: [.u32("#address-cells", 1), .u32("#size-cells", 0)], children: [
                memory("memory@5", [.cells("reg", [5])]),  // size cells 0: not translatable
            ]),
            DeviceTreeNode(name: "wide", properties: [.u32("#address-cells", 3), .u32("#size-cells", 1)], children: [
                memory("memory@6", [.cells("reg", [0xffff, 0, 6, 0x10])]),  // 3 address cells: low 64 bits
            ]),
            DeviceTreeNode(name: "huge", properties: [.u32("#address-cells", 5), .u32("#size-cells", 1)], children: [
                memory("memory@7", [.cells("reg", [0, 0, 0, 0, 7, 1])]),  // > OF_MAX_ADDR_CELLS
            ]),
            DeviceTreeNode(name: "not-memory", properties: [.string("device_type", "Memory")]),
            DeviceTreeNode(name: "odd", properties: [.bytes("device_type", Array("memory\0junk".utf8)), .cells("reg", [0, 0x10, 0, 0x10])]),
        ]).numaFacts()
        #expect(facts.memory.map(\.path) == ["/memory@80000000", "/memory@0", "/memory@1", "/bus/memory@5", "/wide/memory@6",
                                            "/huge/memory@7", "/odd"])
        #expect(facts.memory.map(\.regs) == [
            [.init(address: 0x8000_0000, size: 0x1000), .init(address: 0x9000_0000, size: 0x2000)],  // trailing cell ignored
            [.init(address: 0, size: 0x1000)], [], [], [.init(address: 6, size: 0x10)], [], [.init(address: 0x10, size: 0x10)],
        ])
        #expect(facts.memory.map(\.regByteLength) == [36, 16, nil, 4, 16, 24, 16])
        #expect(facts.memory.map(\.numaNodeId) == [.value(1), .malformed(length: 3), .absent, .absent, .absent, .absent, .absent])
        #expect(facts.memory.map(\.addressCells) == [2, 2, 2, 1, 3, 5, 2])
        #expect(facts.memory.map(\.sizeCells) == [2, 2, 2, 0, 1, 1, 2])
        #expect(facts.memory.map(\.isAvailable) == [true, true, false, true, true, true, true])
        #expect(facts.memory[2].status == "disabled")
    }

    @Test("distance map: first compatible node, missing or malformed matrix, leftover cells")
    func distanceMaps() throws {
        func map(_ properties: [DeviceTreeProperty]) throws -> DeviceTreeDistanceMap? {
            try tree(cpus: [], extra: [
                DeviceTreeNode(name: "other"),
                DeviceTreeNode(name: "distance-map", properties: [.string("compatible", "NUMA-Distance-Map-V1")] + properties),
                DeviceTreeNode(name: "second", properties: [.string("compatible", "numa-distance-map-v1"), .cells("distance-matrix", [0, 0, 10])]),
            ]).numaFacts().distanceMap
        }
        let missing = try #require(try map([]))
        #expect(missing.path == "/distance-map")
        #expect(missing.matrix == nil && missing.matrixByteLength == nil && missing.triplets.isEmpty)
        let leftovers = try #require(try map([.cells("distance-matrix", [0, 1, 20, 1, 0, 20, 0])]))
        #expect(leftovers.matrix?.count == 7)
        #expect(leftovers.triplets == [.init(from: 0, to: 1, distance: 20), .init(from: 1, to: 0, distance: 20)])
        let ragged = try #require(try map([.bytes("distance-matrix", [0, 0, 0, 0, 0, 0, 0, 1, 0, 20])]))
        #expect(ragged.matrix == [] && ragged.matrixByteLength == 10 && ragged.triplets.isEmpty)
        let empty = try #require(try map([.empty("distance-matrix")]))
        #expect(empty.matrix == [] && empty.matrixByteLength == 0)
        #expect(try tree(cpus: []).numaFacts().distanceMap == nil)
    }

    func reservedMemoryFacts(_ parentProperties: [DeviceTreeProperty], rootCells: (UInt32, UInt32) = (2, 2)) throws -> DeviceTreeNUMAFacts {
        try tree(cpus: [], rootProperties: [.u32("#address-cells", rootCells.0), .u32("#size-cells", rootCells.1)], extra: [
            DeviceTreeNode(name: "reserved-memory", properties: parentProperties, children: [
                DeviceTreeNode(name: "secmon@80000000", properties: [.cells("reg", [0, 0x8000_0000, 0, 0x10_0000]), .empty("no-map")]),
                DeviceTreeNode(name: "two@0", properties: [.cells("reg", [0, 0x1000, 0, 0x1000, 0, 0x3000, 0, 0])]),  // size 0 skipped
                DeviceTreeNode(name: "off@0", properties: [.cells("reg", [0, 0x5000, 0, 0x1000]), .string("status", "disabled")]),
                DeviceTreeNode(name: "okay@0", properties: [.cells("reg", [0, 0x6000, 0, 0x1000]), .string("status", "okay")]),
                DeviceTreeNode(name: "bad@0", properties: [.cells("reg", [0, 0x7000, 0])]),  // not whole entries: skipped
                DeviceTreeNode(name: "pool", properties: [.u32("size", 0x100_0000)]),  // dynamic: not a static reg
            ]),
        ]).numaFacts()
    }

    @Test("reserved-memory: static reg children as fdt_scan_reserved_mem reserves them")
    func reservedMemory() throws {
        let cells: [DeviceTreeProperty] = [.u32("#address-cells", 2), .u32("#size-cells", 2)]
        let facts = try reservedMemoryFacts(cells + [.empty("ranges")])
        #expect(!facts.reservedMemoryIgnored)
        #expect(facts.reservedMemory == [
            .init(name: "secmon@80000000", path: "/reserved-memory/secmon@80000000", base: 0x8000_0000, size: 0x10_0000, noMap: true),
            .init(name: "two@0", path: "/reserved-memory/two@0", base: 0x1000, size: 0x1000),
            .init(name: "okay@0", path: "/reserved-memory/okay@0", base: 0x6000, size: 0x1000),
        ])
        // Cells differing from the root's, or no ranges: the whole node is ignored.
        let noRanges = try reservedMemoryFacts(cells)
        #expect(noRanges.reservedMemoryIgnored && noRanges.reservedMemory.isEmpty)
        let mismatch = try reservedMemoryFacts([.u32("#address-cells", 1), .u32("#size-cells", 1), .empty("ranges")])
        #expect(mismatch.reservedMemoryIgnored && mismatch.reservedMemory.isEmpty)
        #expect(try !tree(cpus: []).numaFacts().reservedMemoryIgnored)
    }

    @Test("memory reservation block and boot CPU pass through")
    func headerFacts() throws {
        var t = tree(cpus: [])
        t.memoryReservations = [.init(address: 0x4000_0000, size: 0x1000)]
        t.bootCpuidPhys = 3
        let facts = try t.numaFacts()
        #expect(facts.memoryReservations == [.init(address: 0x4000_0000, size: 0x1000)])
        #expect(facts.bootCpuidPhys == 3)
    }

    @Test("bootargs from /chosen")
    func bootargs() throws {
        func args(_ chosen: String, _ property: DeviceTreeProperty?) throws -> String? {
            try tree(cpus: [], extra: [DeviceTreeNode(name: chosen, properties: property.map { [$0] } ?? [])]).numaFacts().bootargs
        }
        #expect(try args("chosen", .string("bootargs", "console=ttyAMA0 numa=off")) == "console=ttyAMA0 numa=off")
        #expect(try args("chosen@0", .string("bootargs", "percpu_alloc=page")) == "percpu_alloc=page")
        #expect(try args("chosen", .bytes("bootargs", Array("a b\0ignored".utf8))) == "a b")
        #expect(try args("chosen", .bytes("bootargs", Array("unterminated".utf8))) == "unterminated")
        #expect(try args("chosen", .empty("bootargs")) == nil)
        #expect(try args("chosen", nil) == nil)
        #expect(try args("other", .string("bootargs", "x")) == nil)
        #expect(throws: DeviceTreeError(.invalidString(property: "bootargs", reason: "not valid UTF-8"), nodePath: "/chosen")) {
            try args("chosen", .bytes("bootargs", [0x61, 0xff, 0]))
        }
    }

    @Test("facts survive a write and re-read")
    func factsRoundTrip() throws {
        let original = tree(cpus: [cpu("0", [.u32("numa-node-id", 1)]), cpu("1", [.bytes("numa-node-id", [1])])], extra: [
            memory("memory@0", [.cells("reg", [0, 0, 0, 0x1000]), .u32("numa-node-id", 1)]),
        ])
        #expect(try DeviceTree(flattened: original.flattened()).numaFacts() == original.numaFacts())
    }
}
