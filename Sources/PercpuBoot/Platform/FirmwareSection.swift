/// The `firmware:` section: exactly one of `device-tree` or `acpi`.
///
/// Only the structure is checked. Values the kernel would reject (node ids
/// beyond MAX_NUMNODES, a distance map with zero or asymmetric distances,
/// overlapping memory, CPUs without `reg`) are kept as written: reproducing
/// the kernel's reaction to them is the emulator's job.
enum FirmwareSection {
    static let keys = ["device-tree", "acpi"]

    static func parse(_ field: Field, context: LoadContext,
                      dtbLoader: (String) throws(InputError) -> DeviceTreeFirmware) throws(InputError) -> Firmware {
        let fields = try field.mapping(keys: keys, expected: "a mapping with device-tree or acpi")
        let written = fields.entries.map(\.name)
        if written.count > 1 {
            throw fields.key(written[1])!.error("firmware has both device-tree and acpi",
                                                expected: "exactly one of device-tree or acpi")
        }
        guard let name = written.first else {
            throw field.error("firmware describes nothing", expected: "a device-tree or an acpi mapping")
        }
        let expected = name == "acpi"
            ? "a mapping with processors and memory" : "a mapping with dtb, or with cpus and memory"
        let value = try fields.required(name, expected: expected)
        return name == "acpi"
            ? .acpi(try ACPISection.parse(value, context: context))
            : .deviceTree(try DeviceTreeSection.parse(value, context: context, dtbLoader: dtbLoader))
    }
}

/// `firmware.device-tree`: a DTB file, or the device tree's NUMA-relevant
/// nodes written out (`/cpus`, memory nodes, the distance map, reservations).
enum DeviceTreeSection {
    static let keys = ["dtb", "boot-cpu", "cpus", "cpu-count", "memory", "distance-map", "reserved", "boot-loader-memory"]
    static let cpuKeys = ["reg", "numa-node-id", "status"]
    static let memoryKeys = ["reg", "numa-node-id"]
    /// More CPUs than any NR_CPUS: a bound that keeps `cpu-count` from exhausting memory.
    static let maximumCPUCount = 65536
    static let nodeIDExpected = "a 32-bit node id, or a list of 32-bit cells for a malformed property"

    static func parse(_ field: Field, context: LoadContext,
                      dtbLoader: (String) throws(InputError) -> DeviceTreeFirmware) throws(InputError)
        -> DeviceTreeFirmware {
        let fields = try field.mapping(keys: keys)
        let bootLoaderMemory = try fields["boot-loader-memory"].map(BootLoaderMemorySection.parse) ?? []
        if let dtbField = fields["dtb"] {
            for entry in fields.entries where entry.name != "dtb" && entry.name != "boot-loader-memory" {
                throw entry.key.error("'\(entry.name)' cannot be combined with 'dtb', which describes the whole tree",
                                      expected: "either dtb or a written-out description")
            }
            let path = try context.existingFile(dtbField, what: "flattened device tree (.dtb)")
            var firmware = try dtbLoader(path)
            if firmware.source == nil { firmware.source = path }
            return firmware.fixingUpMemory(bootLoaderMemory)
        }
        if fields.has("dtb") { throw fields.absent("dtb", expected: "the path of a .dtb file") }

        var cpus: [DTCPU]
        if let countField = fields["cpu-count"] {
            if fields.has("cpus") {
                throw fields.key("cpu-count")!.error("'cpu-count' is a shorthand for 'cpus'; give one of them",
                                                     expected: "either cpus or cpu-count")
            }
            let count = try countField.int(in: 0...maximumCPUCount)
            cpus = (0..<count).map { DTCPU(path: "/cpus/cpu@\(String($0, radix: 16))", hardwareID: UInt64($0)) }
        } else {
            cpus = []
            for element in try fields["cpus"]?.sequence(expected: "a list of cpu mappings") ?? [] {
                cpus.append(try cpu(element))
            }
        }
        var memory: [DTMemoryNode] = []
        for element in try fields["memory"]?.sequence(expected: "a list of memory node mappings") ?? [] {
            memory.append(try memoryNode(element))
        }
        let boot = try fields["boot-cpu"]?.number(expected: "the boot CPU's reg (hardware id)")
        return DeviceTreeFirmware(
            cpus: cpus, memory: memory,
            distanceMatrix: try fields["distance-map"].map(distanceMap),
            reservations: try PlatformLoader.ranges(fields["reserved"], named: true),
            bootCPUHardwareID: boot ?? cpus.first?.hardwareID ?? 0,
            source: context.file).fixingUpMemory(bootLoaderMemory)
    }

    /// One `/cpus/cpu@N` node.
    static func cpu(_ field: Field) throws(InputError) -> DTCPU {
        let fields = try field.mapping(keys: cpuKeys, expected: "a cpu mapping with reg, numa-node-id and status")
        let reg = try fields["reg"]?.number(expected: "the CPU's hardware id (MPIDR, hart id)")
        // Kept as written: riscv before 4.20 tells "okay" from an absent status.
        let status = try fields["status"]?.string()
        return DTCPU(path: reg.map { "/cpus/cpu@\(String($0, radix: 16))" } ?? "/cpus/cpu",
                     hardwareID: reg,
                     numaNodeID: try fields["numa-node-id"].map(nodeID) ?? .absent,
                     status: status)
    }

    /// One `device_type = "memory"` node.
    static func memoryNode(_ field: Field) throws(InputError) -> DTMemoryNode {
        let fields = try field.mapping(keys: memoryKeys, expected: "a memory mapping with reg and numa-node-id")
        let regs = try fields["reg"].map(regList) ?? []
        let at = field.error("").location
        return DTMemoryNode(path: regs.first.map { "/memory@\(String($0.base, radix: 16))" } ?? "/memory",
                            regs: regs,
                            numaNodeID: try fields["numa-node-id"].map(nodeID) ?? .absent,
                            origin: "\(at) '\(field.path)'")
    }

    /// `numa-node-id`: a number is a well-formed u32 property; a list of cells is
    /// the property as written, malformed unless it has exactly one cell.
    static func nodeID(_ field: Field) throws(InputError) -> DTU32 {
        guard case .sequence = field.node else { return .value(try field.u32(nodeIDExpected)) }
        let cells = try field.sequence(expected: nodeIDExpected)
        var values: [UInt32] = []
        for cell in cells { values.append(try cell.u32("a 32-bit cell")) }
        return values.count == 1 ? .value(values[0]) : .malformed(length: 4 * values.count)
    }

    static let regExpected = "[base, size] or a list of [base, size] pairs"

    /// `reg: [base, size]` or `reg: [[base, size], ...]`.
    static func regList(_ field: Field) throws(InputError) -> [PhysRange] {
        let elements = try field.sequence(expected: regExpected)
        if let first = elements.first, case .sequence = first.node {
            var regs: [PhysRange] = []
            for element in elements { regs.append(try pair(element)) }
            return regs
        }
        return elements.isEmpty ? [] : [try pair(field)]
    }

    /// One `[base, size]`.
    private static func pair(_ field: Field) throws(InputError) -> PhysRange {
        let elements = try field.sequence(expected: "a [base, size] pair")
        guard elements.count == 2 else {
            throw field.error("a reg entry has \(elements.count) number\(elements.count == 1 ? "" : "s")",
                              expected: regExpected)
        }
        let base = try elements[0].number(expected: "an address")
        let size = try elements[1].number(expected: "a size in bytes")
        try PlatformLoader.checkEnd(base: base, size: size, at: elements[1])
        return PhysRange(base: base, size: size)
    }

    static let distanceMapExpected = "a list of [from, to, distance] triplets, { matrix: [...] } "
        + "or { missing-matrix: true }"

    /// The `numa-distance-map-v1` node: `[[from, to, distance], ...]`,
    /// `{ matrix: [...] }` (the same), or `{ missing-matrix: true }` for a node
    /// without its `distance-matrix` property.
    static func distanceMap(_ field: Field) throws(InputError) -> [UInt32]? {
        if case .sequence = field.node { return try triplets(field) }
        let fields = try field.mapping(keys: ["matrix", "missing-matrix"], expected: distanceMapExpected)
        if let flag = fields["missing-matrix"] {
            guard try flag.bool() else {
                throw flag.error("'missing-matrix: false' says nothing; give the matrix instead",
                                 expected: "missing-matrix: true, or matrix: [...]")
            }
            if fields.has("matrix") {
                throw fields.key("matrix")!.error("'matrix' contradicts 'missing-matrix: true'",
                                                  expected: "one of matrix or missing-matrix")
            }
            return nil
        }
        return try triplets(try fields.required("matrix", expected: "a list of [from, to, distance] triplets"))
    }

    /// The `distance-matrix` cells, flattened.
    private static func triplets(_ field: Field) throws(InputError) -> [UInt32] {
        var cells: [UInt32] = []
        for element in try field.sequence(expected: "a list of [from, to, distance] triplets") {
            let values = try element.sequence(expected: "a [from, to, distance] triplet")
            guard values.count == 3 else {
                throw element.error("a distance entry has \(values.count) number\(values.count == 1 ? "" : "s")",
                                    expected: "a [from, to, distance] triplet")
            }
            for value in values { cells.append(try value.u32("a 32-bit cell")) }
        }
        return cells
    }
}

/// `firmware.acpi`: the SRAT's processor and memory affinity entries and the SLIT.
enum ACPISection {
    static let keys = ["tables", "srat-revision", "processors", "memory", "slit", "hotplug-cpus", "madt",
                       "online-capable", "hypervisor"]
    static let processorKeys = ["id", "pxm", "enabled", "kind", "uid"]
    static let madtKeys = ["id", "uid", "enabled", "online-capable", "kind"]
    static let memoryKeys = ["base", "size", "pxm", "hotplug", "non-volatile", "enabled"]

    static func parse(_ field: Field, context: LoadContext) throws(InputError) -> ACPIFirmware {
        let fields = try field.mapping(keys: keys)
        if let tablesField = fields["tables"] {
            // The binary tables describe everything but the hot-plug headroom.
            for entry in fields.entries where !["tables", "hotplug-cpus", "hypervisor"].contains(entry.name) {
                throw entry.key.error("'\(entry.name)' cannot be combined with 'tables', which read the machine's own SRAT, SLIT and MADT",
                                      expected: "either tables or a written-out description")
            }
            var firmware = try ACPITablesFirmware.load(directory: try context.existingDirectory(
                tablesField, what: "directory of ACPI tables (SRAT, SLIT, APIC or srat.dat, ...)"))
            firmware.hotplugCPUs = try fields["hotplug-cpus"]?.int(in: 0...DeviceTreeSection.maximumCPUCount) ?? 0
            firmware.hypervisor = try fields["hypervisor"]?.bool()
            return firmware
        }
        var processors: [SRATProcessor] = []
        for element in try fields["processors"]?.sequence(expected: "a list of processor mappings") ?? [] {
            let entry = try element.mapping(keys: processorKeys, expected: "a processor mapping with id, pxm, enabled")
            let kind = try entry["kind"].map { (field) throws(InputError) -> SRATProcessor.Kind in
                try enumValue(field, SRATProcessor.Kind.self, names: sratKinds)
            }
            // GICC/RINTC affinity names its CPU by uid, a generic initiator names none.
            let needsID = kind != .gicc && kind != .rintc && kind != .genericInitiator
            var id: UInt64 = 0
            if let idField = entry["id"] {
                id = try idField.number()
            } else if needsID {
                id = try entry.required("id", expected: "the APIC id, MPIDR or hart id").number()
            }
            processors.append(SRATProcessor(
                hardwareID: id,
                proximityDomain: try entry.required("pxm", expected: "a proximity domain").u32(),
                enabled: try entry["enabled"]?.bool() ?? true, kind: kind,
                uid: try entry["uid"]?.u32("an ACPI processor UID")))
        }
        var madt: [MADTProcessorEntry]?
        if let madtField = fields["madt"] {
            var entries: [MADTProcessorEntry] = []
            for element in try madtField.sequence(expected: "a list of MADT processor mappings") {
                let entry = try element.mapping(keys: madtKeys, expected: "an MADT mapping with id, uid, enabled, online-capable, kind")
                let id = try entry.required("id", expected: "the APIC id, MPIDR or hart id").number()
                entries.append(MADTProcessorEntry(
                    kind: try entry["kind"].map { (f) throws(InputError) in try enumValue(f, MADTProcessorEntry.Kind.self, names: madtKinds) }
                        ?? (id > 0xfe ? .x2APIC : .localAPIC),
                    hardwareID: id, uid: try entry["uid"]?.u32("an ACPI processor UID") ?? UInt32(truncatingIfNeeded: entries.count),
                    enabled: try entry["enabled"]?.bool() ?? true,
                    onlineCapable: try entry["online-capable"]?.bool() ?? false))
            }
            madt = entries
        }
        var memory: [SRATMemory] = []
        for element in try fields["memory"]?.sequence(expected: "a list of memory affinity mappings") ?? [] {
            let entry = try element.mapping(keys: memoryKeys,
                                            expected: "a memory mapping with base, size, pxm and flags")
            let base = try entry.required("base", expected: "an address").number(expected: "an address")
            let sizeField = try entry.required("size", expected: "a size in bytes")
            let size = try sizeField.number(expected: "a size in bytes")
            try PlatformLoader.checkEnd(base: base, size: size, at: sizeField)
            memory.append(SRATMemory(
                base: base, length: size,
                proximityDomain: try entry.required("pxm", expected: "a proximity domain").u32(),
                enabled: try entry["enabled"]?.bool() ?? true,
                hotpluggable: try entry["hotplug"]?.bool() ?? false,
                nonVolatile: try entry["non-volatile"]?.bool() ?? false))
        }
        return ACPIFirmware(
            processors: processors, memory: memory,
            slit: try fields["slit"].map(slit),
            sratRevision: try fields["srat-revision"]?.int(in: 0...255) ?? 3,
            hotplugCPUs: try fields["hotplug-cpus"]?.int(in: 0...DeviceTreeSection.maximumCPUCount) ?? 0,
            madt: madt, onlineCapableSupported: try fields["online-capable"]?.bool(),
            hypervisor: try fields["hypervisor"]?.bool())
    }

    static let sratKinds: [(String, SRATProcessor.Kind)] = [
        ("local-apic", .localAPIC), ("x2apic", .x2APIC), ("gicc", .gicc), ("rintc", .rintc),
        ("generic-initiator", .genericInitiator)]
    static let madtKinds: [(String, MADTProcessorEntry.Kind)] = [
        ("local-apic", .localAPIC), ("x2apic", .x2APIC), ("gicc", .gicc), ("rintc", .rintc)]

    /// One of `names`, with a did-you-mean.
    static func enumValue<T>(_ field: Field, _ type: T.Type, names: [(String, T)]) throws(InputError) -> T {
        let text = try field.string()
        if let hit = names.first(where: { $0.0 == text }) { return hit.1 }
        throw field.error("unknown kind '\(text)'", expected: listing(names.map(\.0)),
                          suggestion: didYouMean(text, among: names.map(\.0)))
    }

    /// A square matrix of bytes. Its values are not checked: the kernel's
    /// `slit_valid()` does that, and the emulator reproduces it.
    static func slit(_ field: Field) throws(InputError) -> [[UInt8]] {
        let rows = try field.sequence(expected: "a square matrix (a list of rows of numbers 0 to 255)")
        var matrix: [[UInt8]] = []
        for row in rows {
            let cells = try row.sequence(expected: "a row of \(rows.count) numbers 0 to 255")
            guard cells.count == rows.count else {
                throw row.error("a row of \(cells.count) entries in a SLIT of \(rows.count) localities",
                                expected: "\(rows.count) entries per row")
            }
            var bytes: [UInt8] = []
            for cell in cells { bytes.append(UInt8(try cell.integer(in: 0...255, expected: "a number 0 to 255"))) }
            matrix.append(bytes)
        }
        return matrix
    }
}
