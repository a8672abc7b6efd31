/// The Multiple APIC Description Table, signature `APIC` (`struct acpi_table_madt`,
/// actbl2.h; ACPI 6.5 §5.2.12): the processor structures the kernels' CPU enumeration
/// walks, in table order — local APIC (type 0) and local x2APIC (9) on x86
/// (`acpi_parse_lapic` / `acpi_parse_x2apic`), GICC (0x0b) on arm64
/// (`acpi_parse_gic_cpu_interface`), RINTC (0x18) on riscv (`acpi_parse_rintc`).
public struct MADT: Equatable, Sendable {
    public var revision: UInt8
    /// `flags` of the fixed part (bit 0: PCAT_COMPAT).
    public var flags: UInt32
    public var processors: [MADTProcessor]

    /// The fixed part: header, local interrupt controller address (u32), flags (u32).
    static let fixedSize = 44
    /// `ACPI_MADT_GICC_MIN_LENGTH` (6.1: the ACPI 5.1 structure, up to `efficiency_class`).
    static let giccMinimumLength = 76

    public init(_ table: ACPITable) throws(ACPITableError) {
        revision = table.header.revision
        let r = table.reader
        flags = try r.u32(40, "flags")
        var processors: [MADTProcessor] = []
        for sub in try table.subtables(after: Self.fixedSize) {
            let o = sub.offset
            switch sub.type {
            case 0x00:  // struct acpi_madt_local_apic, 8 bytes
                try table.requireLength(sub, 8, "processor local APIC")
                processors.append(MADTProcessor(kind: .localAPIC, offset: o, uid: UInt32(try r.u8(o + 2, "ACPI processor id")),
                                                hardwareID: UInt64(try r.u8(o + 3, "APIC id")), flags: try r.u32(o + 4, "flags")))
            case 0x09:  // struct acpi_madt_local_x2apic, 16 bytes
                try table.requireLength(sub, 16, "processor local x2APIC")
                processors.append(MADTProcessor(kind: .x2APIC, offset: o, uid: try r.u32(o + 12, "ACPI processor UID"),
                                                hardwareID: UInt64(try r.u32(o + 4, "x2APIC id")), flags: try r.u32(o + 8, "flags")))
            case 0x0b:  // struct acpi_madt_generic_interrupt (GICC), 76/80/82 bytes by ACPI version
                try table.requireLength(sub, Self.giccMinimumLength, "GICC")
                processors.append(MADTProcessor(kind: .gicc, offset: o, uid: try r.u32(o + 8, "ACPI processor UID"),
                                                hardwareID: try r.u64(o + 68, "MPIDR"), flags: try r.u32(o + 12, "flags")))
            case 0x18:  // struct acpi_madt_rintc, 36 bytes
                try table.requireLength(sub, 36, "RINTC")
                processors.append(MADTProcessor(kind: .rintc, offset: o, uid: try r.u32(o + 16, "ACPI processor UID"),
                                                hardwareID: try r.u64(o + 8, "hart id"), flags: try r.u32(o + 4, "flags")))
            default:    // I/O APIC, overrides, NMI sources, GICD, MSI frames, …: not CPUs
                continue
            }
        }
        self.processors = processors
    }
}

/// One processor structure of the MADT.
public struct MADTProcessor: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable { case localAPIC, x2APIC, gicc, rintc }
    public var kind: Kind
    public var offset: Int
    /// The ACPI processor UID (the one-byte processor id of a local APIC structure).
    public var uid: UInt32
    /// APIC id, x2APIC id, MPIDR or hart id.
    public var hardwareID: UInt64
    public var flags: UInt32
    /// `ACPI_MADT_ENABLED`.
    public var enabled: Bool { flags & 1 != 0 }
    /// Online capable (ACPI 6.3): a disabled processor that may be brought online —
    /// `ACPI_MADT_ONLINE_CAPABLE` (bit 1) in local APIC, x2APIC and RINTC structures,
    /// `ACPI_MADT_GICC_ONLINE_CAPABLE` (bit 3) in a GICC, whose bit 1 is the
    /// performance interrupt mode.
    public var onlineCapable: Bool { flags & (kind == .gicc ? 8 : 2) != 0 }
}

/// The two FADT fields the kernels' CPU enumeration reads: `header.revision` and
/// `minor_revision` (offset 131, ACPI 5.1+), which decide `acpi_support_online_capable`
/// (x86 `acpi_parse_madt`, v6.1: FADT 6.3 or newer).
public struct FADTRevision: Equatable, Sendable {
    public var major: UInt8
    public var minor: UInt8

    public init(_ table: ACPITable) throws(ACPITableError) {
        major = table.header.revision
        // Tables of before ACPI 5.1 end before the minor revision byte: it reads as 0. The
        // kernel compares the whole byte (errata number in the high nibble included).
        minor = table.bytes.count > 131 ? try table.reader.u8(131, "minor revision") : 0
    }

    public init(major: UInt8, minor: UInt8) {
        self.major = major
        self.minor = minor
    }

    /// `acpi_support_online_capable`: FADT revision above 6, or 6 with minor ≥ 3.
    public var supportsOnlineCapable: Bool { major > 6 || (major == 6 && minor >= 3) }
}
