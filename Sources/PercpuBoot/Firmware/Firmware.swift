/// How a platform's firmware describes CPUs, memory and NUMA.
///
/// Device-tree firmware is kept as the facts `drivers/of/of_numa.c` and the
/// architecture's CPU enumeration read (whether from a YAML description or a
/// real DTB), so both go through one path. ACPI firmware is kept as the SRAT
/// and SLIT entries `drivers/acpi/numa/srat.c` parses.
public enum Firmware: Equatable, Sendable, Codable {
    case deviceTree(DeviceTreeFirmware)
    case acpi(ACPIFirmware)
}

/// A device-tree machine: `/cpus`, memory nodes, the distance map.
public struct DeviceTreeFirmware: Equatable, Sendable, Codable {
    public var cpus: [DTCPU]
    public var memory: [DTMemoryNode]
    /// The `distance-matrix` cells of the first `numa-distance-map-v1` node:
    /// nil = no such node; `.some(nil)` = node without the property.
    public var distanceMatrix: [UInt32]??
    /// The DTB's memory reservation block and static /reserved-memory children.
    public var reservations: [PhysRange]
    /// `boot_cpuid_phys` of the DTB header: the hardware id of the boot CPU.
    public var bootCPUHardwareID: UInt64
    /// Where it came from (a DTB path, or the YAML file).
    public var source: String?

    public init(cpus: [DTCPU], memory: [DTMemoryNode], distanceMatrix: [UInt32]?? = nil,
                reservations: [PhysRange] = [], bootCPUHardwareID: UInt64 = 0, source: String? = nil) {
        self.cpus = cpus
        self.memory = memory
        self.distanceMatrix = distanceMatrix
        self.reservations = reservations
        self.bootCPUHardwareID = bootCPUHardwareID
        self.source = source
    }
}

/// A `u32` property as `of_property_read_u32` sees it.
public enum DTU32: Equatable, Sendable, Codable {
    /// No such property (-EINVAL).
    case absent
    case value(UInt32)
    /// Present but of the wrong length (-ENODATA / -EOVERFLOW).
    case malformed(length: Int)
}

/// A `/cpus/cpu@N` node.
public struct DTCPU: Equatable, Sendable, Codable {
    public var path: String
    /// The `reg` hardware id (MPIDR on arm64, hart id on riscv); nil when missing or malformed.
    public var hardwareID: UInt64?
    /// The node's own `numa-node-id` (what `of_numa_parse_cpu_nodes` reads).
    public var numaNodeID: DTU32
    /// What `of_node_to_nid` finds: the node's or its nearest ancestor's `numa-node-id`.
    public var inheritedNumaNodeID: DTU32
    /// `status` as written (up to its first NUL), nil when the node has none.
    public var status: String?
    /// riscv `mmu-type` (`riscv,sv39`, `riscv,sv48`, …), nil when absent.
    public var mmuType: String? = nil

    public init(path: String, hardwareID: UInt64?, numaNodeID: DTU32 = .absent,
                inheritedNumaNodeID: DTU32? = nil, status: String? = nil, mmuType: String? = nil) {
        self.path = path
        self.hardwareID = hardwareID
        self.numaNodeID = numaNodeID
        self.inheritedNumaNodeID = inheritedNumaNodeID ?? numaNodeID
        self.status = status
        self.mmuType = mmuType
    }

    /// `fdt_device_is_available()`: no status, "okay" or "ok".
    public var isAvailable: Bool { status == nil || status == "okay" || status == "ok" }
}

/// A `device_type = "memory"` node.
public struct DTMemoryNode: Equatable, Sendable, Codable {
    public var path: String
    public var regs: [PhysRange]
    public var numaNodeID: DTU32
    /// Where it was written, for messages: `FILE:LINE:COLUMN` of a platform file's
    /// memory entry, or the `--memory` flag; nil for a DTB's own node.
    public var origin: String?

    public init(path: String, regs: [PhysRange], numaNodeID: DTU32 = .absent, origin: String? = nil) {
        self.path = path
        self.regs = regs
        self.numaNodeID = numaNodeID
        self.origin = origin
    }

    /// The node's content; where it was written (`origin`) is not part of it.
    public static func == (a: DTMemoryNode, b: DTMemoryNode) -> Bool {
        a.path == b.path && a.regs == b.regs && a.numaNodeID == b.numaNodeID
    }
}

/// An ACPI machine: MADT/SRAT processor entries, SRAT memory affinity, SLIT.
///
/// Written in a platform file, `processors` stands for both the SRAT's processor
/// affinity entries and the MADT (in table order). Read from the binary tables
/// (`ACPITablesFirmware`), the two are kept apart: `processors` holds the SRAT's
/// processor and generic initiator entries in table order, `madt` the MADT's
/// processor structures with their enabled and online-capable flags (a QEMU
/// hot-pluggable CPU is enabled in the SRAT but not in the MADT).
public struct ACPIFirmware: Equatable, Sendable, Codable {
    public var processors: [SRATProcessor]
    public var memory: [SRATMemory]
    /// SLIT: `localities` × `localities` entries, row-major; nil without a SLIT.
    public var slit: [[UInt8]]?
    /// SRAT revision (pxm is 8 bits when ≤ 1).
    public var sratRevision: Int
    /// CPUs the firmware allows to be hot-added beyond those listed (x86 `possible_cpus`-like headroom).
    public var hotplugCPUs: Int
    /// The MADT's processor structures in table order; nil = `processors` stand for them.
    public var madt: [MADTProcessorEntry]?
    /// Whether there is an SRAT at all; nil = there is one iff `memory` is not empty
    /// (what QEMU builds: no SRAT without `-numa`).
    public var hasSRAT: Bool?
    /// `acpi_support_online_capable` (x86, v6.1): the FADT is revision 6.3 or newer, so a
    /// disabled MADT entry counts only when online-capable. nil = no FADT known (false).
    public var onlineCapableSupported: Bool?
    /// x86: whether the kernel finds itself under a hypervisor (`Hypervisor detected: %s`,
    /// e.g. KVM; not under QEMU's TCG), which v6.12's `acpi_is_processor_usable` consults
    /// for disabled MADT entries. nil = native.
    public var hypervisor: Bool?
    /// Where the tables came from (a directory), for reports.
    public var source: String?

    public init(processors: [SRATProcessor], memory: [SRATMemory], slit: [[UInt8]]? = nil,
                sratRevision: Int = 3, hotplugCPUs: Int = 0, madt: [MADTProcessorEntry]? = nil,
                hasSRAT: Bool? = nil, onlineCapableSupported: Bool? = nil, hypervisor: Bool? = nil,
                source: String? = nil) {
        self.processors = processors
        self.memory = memory
        self.slit = slit
        self.sratRevision = sratRevision
        self.hotplugCPUs = hotplugCPUs
        self.madt = madt
        self.hasSRAT = hasSRAT
        self.onlineCapableSupported = onlineCapableSupported
        self.hypervisor = hypervisor
        self.source = source
    }

    /// Whether the machine has an SRAT (`acpi_table_parse(ACPI_SIG_SRAT, …)` finds one).
    public var sratPresent: Bool { hasSRAT ?? !memory.isEmpty }

    /// The SRAT's CPU affinity entries (generic initiators left out).
    public var cpuAffinity: [SRATProcessor] { processors.filter { $0.kind != .genericInitiator } }
}

/// A processor affinity entry (x2APIC / local APIC on x86, GICC on arm64, RINTC on riscv),
/// or a generic initiator affinity entry.
public struct SRATProcessor: Equatable, Sendable, Codable {
    /// Which SRAT structure it is; nil = written in a platform file, where x86 takes ids
    /// above 0xfe as x2APIC entries and the rest as local APIC ones.
    public enum Kind: String, Equatable, Sendable, Codable {
        case localAPIC, x2APIC, gicc, rintc, genericInitiator
    }

    /// APIC id / MPIDR / hart id (0 for GICC/RINTC entries read from an SRAT, which name
    /// the CPU by `uid` only, and for generic initiators).
    public var hardwareID: UInt64
    public var proximityDomain: UInt32
    public var enabled: Bool
    public var kind: Kind?
    /// The ACPI processor UID of a GICC or RINTC entry, which the MADT maps to a CPU.
    public var uid: UInt32?

    public init(hardwareID: UInt64, proximityDomain: UInt32, enabled: Bool = true, kind: Kind? = nil,
                uid: UInt32? = nil) {
        self.hardwareID = hardwareID
        self.proximityDomain = proximityDomain
        self.enabled = enabled
        self.kind = kind
        self.uid = uid
    }
}

/// A processor structure of the MADT: local APIC, local x2APIC, GICC or RINTC.
public struct MADTProcessorEntry: Equatable, Sendable, Codable {
    public enum Kind: String, Equatable, Sendable, Codable { case localAPIC, x2APIC, gicc, rintc }
    public var kind: Kind
    /// APIC id, x2APIC id, MPIDR or hart id.
    public var hardwareID: UInt64
    /// The ACPI processor UID.
    public var uid: UInt32
    /// `ACPI_MADT_ENABLED`.
    public var enabled: Bool
    /// `ACPI_MADT_ONLINE_CAPABLE`.
    public var onlineCapable: Bool

    public init(kind: Kind, hardwareID: UInt64, uid: UInt32, enabled: Bool = true, onlineCapable: Bool = false) {
        self.kind = kind
        self.hardwareID = hardwareID
        self.uid = uid
        self.enabled = enabled
        self.onlineCapable = onlineCapable
    }
}

/// A memory affinity entry.
public struct SRATMemory: Equatable, Sendable, Codable {
    public var base: UInt64
    public var length: UInt64
    public var proximityDomain: UInt32
    public var enabled: Bool
    public var hotpluggable: Bool
    public var nonVolatile: Bool

    public init(base: UInt64, length: UInt64, proximityDomain: UInt32, enabled: Bool = true,
                hotpluggable: Bool = false, nonVolatile: Bool = false) {
        self.base = base
        self.length = length
        self.proximityDomain = proximityDomain
        self.enabled = enabled
        self.hotpluggable = hotpluggable
        self.nonVolatile = nonVolatile
    }
}
