/// The System Resource Affinity Table (`struct acpi_table_srat` and its subtables,
/// include/acpi/actbl3.h; ACPI 6.5 §5.2.16): the structures the supported kernels'
/// `acpi_numa_init` (drivers/acpi/numa/srat.c) reads, in table order.
public struct SRAT: Equatable, Sendable {
    /// `srat->header.revision` — `acpi_srat_revision`, which decides whether proximity
    /// domains are 8 bits (≤ 1) or 32.
    public var revision: UInt8
    /// The subtables in table order.
    public var entries: [SRATEntry]

    /// The fixed part: header, table revision (u32), reserved (u64).
    static let fixedSize = 48

    public init(_ table: ACPITable) throws(ACPITableError) {
        revision = table.header.revision
        let r = table.reader
        var entries: [SRATEntry] = []
        for sub in try table.subtables(after: Self.fixedSize) {
            let o = sub.offset
            switch sub.type {
            case 0:     // struct acpi_srat_cpu_affinity, 16 bytes
                try table.requireLength(sub, 16, "processor local APIC affinity")
                // pxm = proximity_domain_lo | proximity_domain_hi[0..2] << 8 (the kernel ORs the high
                // bytes in only when acpi_srat_revision >= 2; the emulator applies that).
                let low = UInt32(try r.u8(o + 2, "proximity domain low"))
                let high = UInt32(try r.u8(o + 9, "proximity domain high")) | UInt32(try r.u8(o + 10, "")) << 8
                    | UInt32(try r.u8(o + 11, "")) << 16
                entries.append(.localAPIC(SRATLocalAPICAffinity(
                    offset: o, proximityDomain: low | high << 8, apicID: try r.u8(o + 3, "APIC id"),
                    flags: try r.u32(o + 4, "flags"), localSAPICEID: try r.u8(o + 8, "local SAPIC EID"))))
            case 1:     // struct acpi_srat_mem_affinity, 40 bytes
                try table.requireLength(sub, 40, "memory affinity")
                entries.append(.memory(SRATMemoryAffinity(
                    offset: o, proximityDomain: try r.u32(o + 2, "proximity domain"),
                    base: try r.u64(o + 8, "base address"), length: try r.u64(o + 16, "length"),
                    flags: try r.u32(o + 28, "flags"))))
            case 2:     // struct acpi_srat_x2apic_cpu_affinity, 24 bytes
                try table.requireLength(sub, 24, "processor local x2APIC affinity")
                entries.append(.x2APIC(SRATX2APICAffinity(
                    offset: o, proximityDomain: try r.u32(o + 4, "proximity domain"),
                    apicID: try r.u32(o + 8, "x2APIC id"), flags: try r.u32(o + 12, "flags"))))
            case 3:     // struct acpi_srat_gicc_affinity, 18 bytes
                try table.requireLength(sub, 18, "GICC affinity")
                entries.append(.gicc(SRATUIDAffinity(
                    offset: o, proximityDomain: try r.u32(o + 2, "proximity domain"),
                    acpiProcessorUID: try r.u32(o + 6, "ACPI processor UID"), flags: try r.u32(o + 10, "flags"))))
            case 5:     // struct acpi_srat_generic_affinity, 32 bytes
                try table.requireLength(sub, 32, "generic initiator affinity")
                entries.append(.genericInitiator(SRATGenericInitiator(
                    offset: o, deviceHandleType: try r.u8(o + 3, "device handle type"),
                    proximityDomain: try r.u32(o + 4, "proximity domain"), flags: try r.u32(o + 24, "flags"))))
            case 7:     // struct acpi_srat_rintc_affinity, 20 bytes
                try table.requireLength(sub, 20, "RINTC affinity")
                entries.append(.rintc(SRATUIDAffinity(
                    offset: o, proximityDomain: try r.u32(o + 4, "proximity domain"),
                    acpiProcessorUID: try r.u32(o + 8, "ACPI processor UID"), flags: try r.u32(o + 12, "flags"))))
            default:    // GIC ITS (4), generic port (6), future types: no kernel here reads them for NUMA
                entries.append(.other(type: sub.type, offset: o))
            }
        }
        self.entries = entries
    }
}

/// One SRAT subtable.
public enum SRATEntry: Equatable, Sendable {
    case localAPIC(SRATLocalAPICAffinity)
    case memory(SRATMemoryAffinity)
    case x2APIC(SRATX2APICAffinity)
    case gicc(SRATUIDAffinity)
    case genericInitiator(SRATGenericInitiator)
    case rintc(SRATUIDAffinity)
    case other(type: UInt8, offset: Int)
}

/// Type 0: `ACPI_SRAT_CPU_ENABLED` is bit 0 of the flags.
public struct SRATLocalAPICAffinity: Equatable, Sendable {
    public var offset: Int
    /// All 32 bits: the low byte and the three high bytes.
    public var proximityDomain: UInt32
    public var apicID: UInt8
    public var flags: UInt32
    public var localSAPICEID: UInt8
    public var enabled: Bool { flags & 1 != 0 }
}

/// Type 1: flags bit 0 enabled, bit 1 hot-pluggable, bit 2 non-volatile.
public struct SRATMemoryAffinity: Equatable, Sendable {
    public var offset: Int
    public var proximityDomain: UInt32
    public var base: UInt64
    public var length: UInt64
    public var flags: UInt32
    public var enabled: Bool { flags & 1 != 0 }
    public var hotPluggable: Bool { flags & 2 != 0 }
    public var nonVolatile: Bool { flags & 4 != 0 }
}

/// Type 2.
public struct SRATX2APICAffinity: Equatable, Sendable {
    public var offset: Int
    public var proximityDomain: UInt32
    public var apicID: UInt32
    public var flags: UInt32
    public var enabled: Bool { flags & 1 != 0 }
}

/// Types 3 (GICC, arm64) and 7 (RINTC, riscv): a processor named by its ACPI
/// processor UID, which the MADT maps to a hardware id.
public struct SRATUIDAffinity: Equatable, Sendable {
    public var offset: Int
    public var proximityDomain: UInt32
    public var acpiProcessorUID: UInt32
    public var flags: UInt32
    public var enabled: Bool { flags & 1 != 0 }
}

/// Type 5: a generic initiator (an accelerator, a PCI device) with its own domain.
public struct SRATGenericInitiator: Equatable, Sendable {
    public var offset: Int
    /// 0 ACPI device handle, 1 PCI device handle.
    public var deviceHandleType: UInt8
    public var proximityDomain: UInt32
    public var flags: UInt32
    public var enabled: Bool { flags & 1 != 0 }
}
