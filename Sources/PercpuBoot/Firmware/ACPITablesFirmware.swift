import ACPITables
import Foundation

/// ACPI firmware from the machine's binary tables (`--acpi-tables DIR`, or
/// `firmware.acpi.tables` in a platform file), read by our own reader (ACPITables):
/// the SRAT, SLIT, MADT and FADT, turned into the same model a platform file's
/// `firmware.acpi` section describes, with the MADT kept apart from the SRAT.
public enum ACPITablesFirmware {
    /// Reads and checks the tables in `directory`. Any defect is an `InputError`
    /// naming the file, the table, the byte offset and what is wrong.
    public static func load(directory: String) throws(InputError) -> ACPIFirmware {
        do {
            return firmware(try ACPITableSet.load(directory: directory), source: directory)
        } catch {
            throw InputError(file: error.fileName ?? directory, message: messageWithoutFile(error))
        }
    }

    /// `SRAT at offset 0x30: …` (the file is the InputError's own).
    static func messageWithoutFile(_ error: ACPITableError) -> String {
        var copy = error
        copy.fileName = nil
        return copy.description
    }

    /// The model of the tables:
    /// - `processors`: the SRAT's local APIC, x2APIC, GICC, RINTC and generic initiator
    ///   entries in table order (the order `acpi_table_parse_entries_array` hands them to
    ///   their handlers, so proximity domains get nodes in this order), disabled ones
    ///   included — the kernel skips them itself;
    /// - `memory`: every memory affinity entry, in table order;
    /// - `madt`: the MADT's processor structures (nil without an MADT: then the SRAT's
    ///   entries stand for it, as in a platform file);
    /// - `onlineCapableSupported`: from the FADT revision.
    public static func firmware(_ tables: ACPITableSet, source: String?) -> ACPIFirmware {
        var processors: [SRATProcessor] = []
        var memory: [SRATMemory] = []
        for entry in tables.srat?.entries ?? [] {
            switch entry {
            case .localAPIC(let e):
                processors.append(SRATProcessor(hardwareID: UInt64(e.apicID), proximityDomain: e.proximityDomain,
                                                enabled: e.enabled, kind: .localAPIC))
            case .x2APIC(let e):
                processors.append(SRATProcessor(hardwareID: UInt64(e.apicID), proximityDomain: e.proximityDomain,
                                                enabled: e.enabled, kind: .x2APIC))
            case .gicc(let e):
                processors.append(SRATProcessor(hardwareID: 0, proximityDomain: e.proximityDomain, enabled: e.enabled,
                                                kind: .gicc, uid: e.acpiProcessorUID))
            case .rintc(let e):
                processors.append(SRATProcessor(hardwareID: 0, proximityDomain: e.proximityDomain, enabled: e.enabled,
                                                kind: .rintc, uid: e.acpiProcessorUID))
            case .genericInitiator(let e):
                processors.append(SRATProcessor(hardwareID: 0, proximityDomain: e.proximityDomain, enabled: e.enabled,
                                                kind: .genericInitiator))
            case .memory(let e):
                memory.append(SRATMemory(base: e.base, length: e.length, proximityDomain: e.proximityDomain,
                                         enabled: e.enabled, hotpluggable: e.hotPluggable, nonVolatile: e.nonVolatile))
            case .other:
                continue
            }
        }
        let madt = tables.madt.map { table in
            table.processors.map { p in
                MADTProcessorEntry(kind: MADTProcessorEntry.Kind(p.kind), hardwareID: p.hardwareID, uid: p.uid,
                                   enabled: p.enabled, onlineCapable: p.onlineCapable)
            }
        }
        return ACPIFirmware(processors: processors, memory: memory, slit: tables.slit?.matrix,
                            sratRevision: Int(tables.srat?.revision ?? 3), madt: madt, hasSRAT: tables.srat != nil,
                            onlineCapableSupported: tables.fadt?.supportsOnlineCapable, source: source)
    }
}

extension MADTProcessorEntry.Kind {
    init(_ kind: MADTProcessor.Kind) {
        switch kind {
        case .localAPIC: self = .localAPIC
        case .x2APIC: self = .x2APIC
        case .gicc: self = .gicc
        case .rintc: self = .rintc
        }
    }
}
