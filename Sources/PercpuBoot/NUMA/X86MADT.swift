/// The MADT's processor structures as x86's `acpi_parse_madt_lapic_entries`
/// (arch/x86/kernel/acpi/boot.c) hands them on: `acpi_parse_lapic` and
/// `acpi_parse_x2apic` each drop invalid ids (0xff, 0xffffffff) and entries that
/// cannot be onlined, and register the rest with their Enabled bit
/// (`acpi_register_lapic` in v6.1, `topology_register_apic` in v6.9+), in table order.
///
/// A platform file has no separate MADT: its `processors` stand for it.
extension ACPIFirmware {
    /// The entries the x86 MADT walk registers, as (APIC id, enabled) pairs in
    /// `SRATProcessor` form (the proximity domain is unused there).
    /// - Parameter ignoresLowX2APICBesideLAPIC: v6.9+ (`acpi_check_lapic` /
    ///   `has_lapic_cpus`, "x86/acpi: Ignore invalid x2APIC entries"): when the MADT
    ///   has usable local APIC entries, x2APIC entries with ids below 0xff are ignored.
    ///   6.1 registers them.
    /// - Parameter disabledUsableWithoutOnlineCapable: whether a disabled entry counts
    ///   when the FADT predates the online-capable bit. v6.1 (fed8d8773b8e "x86/acpi/boot:
    ///   Correct acpi_is_processor_usable() check"): always. "x86/acpi/boot: Correct
    ///   acpi_is_processor_usable() check again" (Yazen Ghannam, Nov 2025, Cc stable; in
    ///   Debian's 6.12.117): only under a hypervisor (`!hypervisor_is_type(X86_HYPER_NATIVE)`,
    ///   "QEMU expects legacy Enabled=0 LAPIC entries to be counted") — QEMU's TCG is no
    ///   detected hypervisor, so a TCG guest's hot-pluggable CPUs are dropped, as the
    ///   recorded 6.12.117 boot shows. The same patch drops f0551af02130's package check
    ///   from topology.c. The mainline release is not pinned here (the patch went through
    ///   a merge window); the caller passes `acpi.hypervisor` for the 6.12 profile.
    func x86MADTEntries(ignoresLowX2APICBesideLAPIC: Bool,
                        disabledUsableWithoutOnlineCapable: Bool = true) -> [SRATProcessor] {
        guard let madt else { return cpuAffinity }
        let onlineCapable = onlineCapableSupported ?? false
        /// `acpi_is_processor_usable(lapic_flags)`.
        func usable(_ entry: MADTProcessorEntry) -> Bool {
            if entry.enabled { return true }
            if onlineCapable { return entry.onlineCapable }
            return disabledUsableWithoutOnlineCapable
        }
        let hasLAPICCPUs = madt.contains { $0.kind == .localAPIC && $0.hardwareID != 0xff && usable($0) }
        var entries: [SRATProcessor] = []
        for entry in madt where usable(entry) {
            switch entry.kind {
            case .localAPIC:
                if entry.hardwareID == 0xff { continue }
            case .x2APIC:
                if entry.hardwareID == 0xffff_ffff { continue }
                if ignoresLowX2APICBesideLAPIC && hasLAPICCPUs && entry.hardwareID < 0xff { continue }
            case .gicc, .rintc:
                continue
            }
            entries.append(SRATProcessor(hardwareID: entry.hardwareID, proximityDomain: 0, enabled: entry.enabled,
                                         kind: entry.kind == .localAPIC ? .localAPIC : .x2APIC, uid: entry.uid))
        }
        return entries
    }
}
