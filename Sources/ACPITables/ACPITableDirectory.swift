import Foundation

/// The tables pcpu-boot reads from a directory of ACPI tables, as `acpidump -b`
/// writes them (`srat.dat`, `slit.dat`, `apic.dat`, `facp.dat`) or as
/// `/sys/firmware/acpi/tables/` holds them (`SRAT`, `SLIT`, `APIC`, `FACP`).
/// Every table present is checked (header, length, checksum, each structure);
/// an absent table is nil, as the kernel's `acpi_table_parse` finds nothing.
public struct ACPITableSet: Equatable, Sendable {
    public var srat: SRAT?
    public var slit: SLIT?
    public var madt: MADT?
    public var fadt: FADTRevision?
    /// Where each table came from, by signature.
    public var files: [String: String]

    public init(srat: SRAT? = nil, slit: SLIT? = nil, madt: MADT? = nil, fadt: FADTRevision? = nil,
                files: [String: String] = [:]) {
        self.srat = srat
        self.slit = slit
        self.madt = madt
        self.fadt = fadt
        self.files = files
    }

    /// The signatures read, in the order `load` reports them.
    public static let signatures = ["SRAT", "SLIT", "APIC", "FACP"]

    /// Parses tables already in memory, by signature.
    public init(tables: [String: (bytes: [UInt8], fileName: String?)]) throws(ACPITableError) {
        self.init()
        for signature in Self.signatures {
            guard let entry = tables[signature] else { continue }
            let table = try ACPITable(bytes: entry.bytes, signature: signature, fileName: entry.fileName)
            if let name = entry.fileName { files[signature] = name }
            switch signature {
            case "SRAT": srat = try SRAT(table)
            case "SLIT": slit = try SLIT(table)
            case "APIC": madt = try MADT(table)
            default: fadt = try FADTRevision(table)
            }
        }
    }

    /// Reads the directory `path`. A directory without any of the tables, two files
    /// for one table, or a file that cannot be read are errors.
    public static func load(directory path: String) throws(ACPITableError) -> ACPITableSet {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ACPITableError(table: "ACPI tables", offset: nil, "no such directory", fileName: path)
        }
        guard isDirectory.boolValue else {
            throw ACPITableError(table: "ACPI tables", offset: nil,
                                 "not a directory (expected a directory of tables: SRAT, SLIT, APIC or srat.dat, …)",
                                 fileName: path)
        }
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: path).sorted() } catch {
            throw ACPITableError(table: "ACPI tables", offset: nil, "cannot list the directory", fileName: path)
        }
        var found: [String: String] = [:]
        for name in names {
            guard let signature = signature(ofFileNamed: name) else { continue }
            let file = path.hasSuffix("/") ? path + name : path + "/" + name
            if let other = found[signature] {
                throw ACPITableError(table: signature, offset: nil,
                                     "two files hold this table: \(other) and \(file); keep one", fileName: path)
            }
            found[signature] = file
        }
        guard !found.isEmpty else {
            throw ACPITableError(table: "ACPI tables", offset: nil,
                                 "none of SRAT, SLIT, APIC (MADT) or FACP found (as /sys/firmware/acpi/tables "
                                 + "names them, or srat.dat, … as acpidump -b does)", fileName: path)
        }
        var tables: [String: (bytes: [UInt8], fileName: String?)] = [:]
        for (signature, file) in found {
            guard let data = fm.contents(atPath: file) else {
                throw ACPITableError(table: signature, offset: nil, "cannot read the file", fileName: file)
            }
            tables[signature] = ([UInt8](data), file)
        }
        return try ACPITableSet(tables: tables)
    }

    /// `SRAT` or `srat.dat` (any case) → `SRAT`; other names (SSDT1, dynamic/, …) → nil.
    static func signature(ofFileNamed name: String) -> String? {
        var stem = name.uppercased()
        if stem.hasSuffix(".DAT") { stem = String(stem.dropLast(4)) }
        return signatures.contains(stem) ? stem : nil
    }
}
