import DeviceTree
import Testing

/// The real QEMU arm64 `virt` blobs recorded with the kernel boots. Expected
/// values come from each case's qemu-command.txt and from decompiling the
/// blob with `dtc -I dtb -O dts` (counts, header fields, property values).
@Suite("QEMU virt fixture blobs")
struct FixtureTests {
    /// Header facts and sizes per case, read off the blobs with a hex dump.
    struct HeaderFacts: Sendable {
        var name: String
        var totalSize: UInt32
        var structureSize: UInt32
        var stringsOffset: UInt32
        var stringsSize: UInt32
        var nodes: Int
        var properties: Int
        var cpus: Int
    }

    static let headers: [HeaderFacts] = [
        .init(name: "arm64-1cpu", totalSize: 0x1d4e, structureSize: 0x1b50, stringsOffset: 0x1b88, stringsSize: 0x1c6, nodes: 56, properties: 219, cpus: 1),
        .init(name: "arm64-2node-dt", totalSize: 0x219d, structureSize: 0x1f74, stringsOffset: 0x1fac, stringsSize: 0x1f1, nodes: 68, properties: 262, cpus: 6),
        .init(name: "arm64-4node-embed", totalSize: 0x2421, structureSize: 0x21f8, stringsOffset: 0x2230, stringsSize: 0x1f1, nodes: 74, properties: 282, cpus: 8),
        .init(name: "arm64-4node-numaoff", totalSize: 0x2421, structureSize: 0x21f8, stringsOffset: 0x2230, stringsSize: 0x1f1, nodes: 74, properties: 282, cpus: 8),
        .init(name: "arm64-4node-page", totalSize: 0x2421, structureSize: 0x21f8, stringsOffset: 0x2230, stringsSize: 0x1f1, nodes: 74, properties: 282, cpus: 8),
        .init(name: "arm64-nonuma-8cpu", totalSize: 0x2160, structureSize: 0x1f54, stringsOffset: 0x1f8c, stringsSize: 0x1d4, nodes: 70, properties: 262, cpus: 8),
    ]

    @Test("fixtures are found from #filePath")
    func fixturesLocated() throws {
        let directory = try #require(Fixtures.kernelBootsDirectory())
        #expect(directory.path.hasSuffix("Tests/Fixtures/kernel-boots"))
    }

    @Test("header and shape", arguments: headers)
    func header(_ facts: HeaderFacts) throws {
        let bytes = try Fixtures.dtb(facts.name)
        let fdt = try FlattenedDeviceTree(bytes: bytes, fileName: "board.dtb")
        #expect(bytes.count == Int(facts.totalSize))
        #expect(fdt.header.magic == 0xd00d_feed)
        #expect(fdt.header.totalSize == facts.totalSize)
        #expect(fdt.header.memoryReservationMapOffset == 0x28)
        #expect(fdt.header.structureOffset == 0x38)
        #expect(fdt.header.structureSize == facts.structureSize)
        #expect(fdt.header.stringsOffset == facts.stringsOffset)
        #expect(fdt.header.stringsSize == facts.stringsSize)
        #expect(fdt.header.version == 17)
        #expect(fdt.header.lastCompatibleVersion == 16)
        #expect(fdt.header.bootCpuidPhys == 0)
        #expect(fdt.tree.memoryReservations.isEmpty)

        let tree = fdt.tree
        let visits = tree.allNodes()
        #expect(visits.count == facts.nodes)
        #expect(visits.reduce(0) { $0 + $1.node.properties.count } == facts.properties)
        #expect(tree.root.name == "")
        #expect(try tree.root.compatible() == ["linux,dummy-virt"])
        #expect(try tree.root.string("model") == "linux,dummy-virt")
        #expect(try tree.root.addressCells() == 2)
        #expect(try tree.root.sizeCells() == 2)
        let cpus = try #require(tree.node(at: "/cpus"))
        #expect(try cpus.addressCells() == 1)
        #expect(try cpus.sizeCells() == 0)
        #expect(cpus.children.map(\.name) == ["cpu-map"] + (0..<facts.cpus).map { "cpu@\($0)" })
        #expect(try tree.node(at: "/chosen")?.string("stdout-path") == "/pl011@9000000")
        #expect(try tree.node(at: "/psci")?.compatible() == ["arm,psci-1.0", "arm,psci-0.2", "arm,psci"])
        #expect(try tree.node(at: "/cpus/cpu@0")?.deviceType() == "cpu")
        #expect(try tree.reg(at: "/cpus/cpu@0") == [DeviceTreeRegEntry(address: 0, size: 0)])
        #expect(try tree.reg(at: "/fw-cfg@9020000") == [DeviceTreeRegEntry(address: 0x902_0000, size: 0x18)])
    }

    @Test("4 nodes x 2 CPUs, 1 GiB each, distance map (arm64-4node-*)",
          arguments: ["arm64-4node-embed", "arm64-4node-page", "arm64-4node-numaoff"])
    func fourNodes(_ name: String) throws {
        let facts = try Fixtures.tree(name).numaFacts()
        #expect(facts.cpus.map(\.path) == (0..<8).map { "/cpus/cpu@\($0)" })
        #expect(facts.cpus.map(\.reg) == (0..<8).map { UInt64($0) })
        // -numa node,nodeid=N,cpus=2N-2N+1
        let nodeIds: [U32PropertyValue] = [0, 0, 1, 1, 2, 2, 3, 3].map { .value($0) }
        #expect(facts.cpus.map(\.numaNodeId) == nodeIds)
        #expect(facts.cpus.map(\.inheritedNumaNodeId) == nodeIds)
        #expect(facts.cpus.map(\.inheritedNumaNodeIdSource) == facts.cpus.map(\.path))
        #expect(facts.cpus.allSatisfy { $0.deviceType == "cpu" && $0.status == nil && $0.isEnumeratedByKernel })
        #expect(facts.enumeratedCPUs == facts.cpus)

        // QEMU lists memory nodes highest first; DT order is kept.
        let gib: UInt64 = 0x4000_0000
        #expect(facts.memory.map(\.path) == ["/memory@100000000", "/memory@c0000000", "/memory@80000000", "/memory@40000000"])
        #expect(facts.memory.map(\.regs) == [[.init(address: 0x1_0000_0000, size: gib)], [.init(address: 0xc000_0000, size: gib)],
                                             [.init(address: 0x8000_0000, size: gib)], [.init(address: 0x4000_0000, size: gib)]])
        #expect(facts.memory.map(\.numaNodeId) == [3, 2, 1, 0].map { .value($0) })
        #expect(facts.memory.allSatisfy { $0.addressCells == 2 && $0.sizeCells == 2 && $0.regByteLength == 16 && $0.isAvailable })

        let map = try #require(facts.distanceMap)
        #expect(map.path == "/distance-map")
        #expect(map.matrix?.count == 48)
        #expect(map.matrixByteLength == 192)
        // -numa dist,src=a,dst=b,val=d, mirrored by QEMU, 10 on the diagonal.
        let dist: [[UInt32]] = [[10, 20, 30, 40], [20, 10, 20, 30], [30, 20, 10, 20], [40, 30, 20, 10]]
        let expected = (0..<4).flatMap { a in (0..<4).map { b in
            DeviceTreeDistanceEntry(from: UInt32(a), to: UInt32(b), distance: dist[a][b]) } }
        #expect(map.triplets == expected)

        #expect(facts.memoryReservations.isEmpty)
        #expect(facts.reservedMemory.isEmpty && !facts.reservedMemoryIgnored)
        #expect(facts.bootargs == nil)  // QEMU adds bootargs only at boot time
        #expect(facts.rootAddressCells == 2 && facts.rootSizeCells == 2)
        #expect(facts.bootCpuidPhys == 0)
    }

    @Test("2 nodes x 3 CPUs, distance 21 (arm64-2node-dt)")
    func twoNodes() throws {
        let facts = try Fixtures.tree("arm64-2node-dt").numaFacts()
        #expect(facts.cpus.count == 6)
        #expect(facts.cpus.map(\.numaNodeId) == [0, 0, 0, 1, 1, 1].map { .value($0) })
        #expect(facts.cpus.map(\.reg) == (0..<6).map { UInt64($0) })
        #expect(facts.memory.map(\.path) == ["/memory@80000000", "/memory@40000000"])
        #expect(facts.memory.map(\.regs) == [[.init(address: 0x8000_0000, size: 0x4000_0000)],
                                             [.init(address: 0x4000_0000, size: 0x4000_0000)]])
        #expect(facts.memory.map(\.numaNodeId) == [.value(1), .value(0)])
        #expect(facts.distanceMap?.triplets == [.init(from: 0, to: 0, distance: 10), .init(from: 0, to: 1, distance: 21),
                                                .init(from: 1, to: 0, distance: 21), .init(from: 1, to: 1, distance: 10)])
    }

    @Test("no NUMA description", arguments: [("arm64-1cpu", 1, UInt64(0x4000_0000)), ("arm64-nonuma-8cpu", 8, UInt64(0x8000_0000))])
    func noNUMA(_ name: String, _ cpuCount: Int, _ memorySize: UInt64) throws {
        let facts = try Fixtures.tree(name).numaFacts()
        #expect(facts.cpus.count == cpuCount)
        #expect(facts.cpus.allSatisfy { $0.numaNodeId == .absent && $0.inheritedNumaNodeId == .absent })
        #expect(facts.cpus.allSatisfy { $0.inheritedNumaNodeIdSource == nil })
        #expect(facts.memory.map(\.path) == ["/memory@40000000"])
        #expect(facts.memory.first?.regs == [.init(address: 0x4000_0000, size: memorySize)])
        #expect(facts.memory.first?.numaNodeId == .absent)
        #expect(facts.distanceMap == nil)
    }

    @Test("same machine, different boots: only /chosen seeds differ")
    func sameMachine() throws {
        var embed = try Fixtures.tree("arm64-4node-embed")
        var page = try Fixtures.tree("arm64-4node-page")
        #expect(embed != page)
        for index in embed.root.children.indices where embed.root.children[index].name == "chosen" {
            embed.root.children[index].properties.removeAll { $0.name == "rng-seed" || $0.name == "kaslr-seed" }
        }
        for index in page.root.children.indices where page.root.children[index].name == "chosen" {
            page.root.children[index].properties.removeAll { $0.name == "rng-seed" || $0.name == "kaslr-seed" }
        }
        #expect(embed == page)
    }
}
