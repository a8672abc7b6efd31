import KernelSupport

/// The x86 CPU enumeration of v6.9 and later (the 6.12 profile): the MADT walk
/// (`acpi_parse_lapic` / `acpi_parse_x2apic`, arch/x86/kernel/acpi/boot.c) registering
/// every usable APIC with `topology_register_apic`, then `topology_init_possible_cpus`
/// (arch/x86/kernel/cpu/topology.c, pr_fmt `CPU topo: `), which replaced
/// `prefill_possible_map` and its `smpboot: Allowing …` line.
///
/// The domain shifts come from the boot CPU's CPUID, which the platform model does not
/// describe: the machine is taken to be QEMU's default shape (one package, one die, one
/// thread per core, every registered APIC id a core), so the package and die counts are
/// 1 and the per-package counts are the number of registered APIC ids. Registration
/// happens on a VM (the bare-metal-only "Ignoring hot-pluggable APIC ID" check of some
/// 6.1x kernels does not apply) whose first enabled MADT entry is the boot CPU with the
/// APICBASE BSP bit set (`check_for_real_bsp` stays silent).
struct X86CPUTopology: Equatable, Sendable {
    /// `cpuid_to_apicid[]` for the present CPUs (CPU 0 = the boot CPU).
    var cpuToAPIC: [UInt32] = []
    /// `phys_cpu_present_map`.
    var presentAPICs: Set<UInt32> = []
    /// The SMT-domain map: every registered APIC id, present or not.
    var registeredAPICs: Set<UInt32> = []
    /// `topo_info.nr_assigned_cpus` (starts at 1: CPU 0 is the boot CPU's).
    var assigned = 1
    var disabled = 0
    var rejected = 0
    let bootAPIC: UInt32
    /// nr_cpu_ids while the MADT is walked (after `topology_apply_cmdline_limits_early`).
    let nrCPUIDs: Int
    var warnedOnce: Set<String> = []

    static let prefix = "CPU topo: "

    /// `topology_apply_cmdline_limits_early` (v6.12): `maxcpus=0` / `nosmp` allow one CPU,
    /// `possible_cpus=N` at most N; a lower limit prints `Limiting to %u possible CPUs` and
    /// becomes nr_cpu_ids.
    static func cmdlineLimit(nrCPUIDs: Int, maxCPUs: Int, possibleCPUs: Int?, log: inout KernelLog) -> Int {
        var possible = nrCPUIDs
        if maxCPUs == 0 { possible = 1 }
        if let limit = possibleCPUs, limit >= 0 { possible = min(limit, possible) }
        if possible < nrCPUIDs {
            log.print(.info, prefix, "Limiting to \(possible) possible CPUs")
            return possible
        }
        return nrCPUIDs
    }

    /// The whole enumeration: the boot APIC (`topology_register_boot_apic`, registered while
    /// the MADT address is set up), every MADT processor entry in table order, the
    /// platform's `hotplugCPUs` as further disabled entries (APIC ids after the highest
    /// listed one, as QEMU's `maxcpus=` lists them), then `topology_init_possible_cpus`.
    static func enumerate(_ acpi: ACPIFirmware?, nrCPUIDs: Int, maxCPUs: Int, possibleCPUs: Int?,
                          log: inout KernelLog) -> X86CPUs {
        let limit = cmdlineLimit(nrCPUIDs: nrCPUIDs, maxCPUs: maxCPUs, possibleCPUs: possibleCPUs, log: &log)
        let processors = acpi?.x86MADTEntries(ignoresLowX2APICBesideLAPIC: true,
                                              disabledUsableWithoutOnlineCapable: acpi?.hypervisor ?? false) ?? []
        let boot = processors.first(where: \.enabled).map { UInt32(truncatingIfNeeded: $0.hardwareID) } ?? 0
        var topology = X86CPUTopology(bootAPIC: boot, nrCPUIDs: limit)
        if !processors.isEmpty { topology.registerAPIC(boot, present: true, log: &log) }
        for entry in processors {
            // Invalid ids: 0xff in a local APIC entry, 0xffffffff in an x2APIC one.
            if entry.hardwareID == 0xffff_ffff { continue }
            topology.register(entry.hardwareID, present: entry.enabled, log: &log)
        }
        // The slots' ids run from the highest listed id + 1; those at or above
        // MAX_LOCAL_APIC are all rejected alike, so they are counted rather than walked.
        let slots = UInt64(max(acpi?.hotplugCPUs ?? 0, 0))
        let first = processors.map(\.hardwareID).filter { $0 < 0xffff_ffff }.max().map { $0 + 1 } ?? 0
        let limitID = UInt64(X86NUMA.maxLocalAPIC)
        let walked = first >= limitID ? 0 : min(slots, limitID - first)
        for i in 0..<walked { topology.register(first + i, present: false, log: &log) }
        if slots > walked {
            topology.register(max(first, limitID), present: false, log: &log)
            topology.rejected += Int(clamping: slots - walked - 1)
        }
        return topology.initPossibleCPUs(smpFoundConfig: !processors.isEmpty, log: &log)
    }

    /// `topology_register_apic(apic_id, acpi_id, present)` (v6.12): ids ≥ MAX_LOCAL_APIC are
    /// rejected (`APIC ID %x exceeds kernel limit of: %x`, once); once nr_cpu_ids CPU numbers
    /// are handed out every further APIC but the boot CPU's is rejected (`CPU limit of %d
    /// reached. Ignoring further CPUs`, once) — disabled entries included.
    mutating func register(_ id: UInt64, present: Bool, log: inout KernelLog) {
        guard id < UInt64(X86NUMA.maxLocalAPIC) else {
            warnOnce("limit", .err, "APIC ID \(Printk.hex(id)) exceeds kernel limit of: \(Printk.hex(UInt64(X86NUMA.maxLocalAPIC) - 1))", log: &log)
            rejected += 1
            return
        }
        let apic = UInt32(id)
        if apic != bootAPIC && assigned >= nrCPUIDs {
            warnOnce("cpus", .warning, "CPU limit of \(nrCPUIDs) reached. Ignoring further CPUs", log: &log)
            rejected += 1
            return
        }
        registerAPIC(apic, present: present, log: &log)
    }

    /// `topo_register_apic` (v6.12): a present APIC gets CPU 0 (the boot CPU), the number it
    /// already has, or the next one; a non-present one only counts as disabled. Both enter
    /// the domain maps.
    mutating func registerAPIC(_ apic: UInt32, present: Bool, log: inout KernelLog) {
        if present {
            presentAPICs.insert(apic)
            if apic == bootAPIC {
                if cpuToAPIC.isEmpty { cpuToAPIC.append(apic) } else { cpuToAPIC[0] = apic }
            } else if !cpuToAPIC.prefix(assigned).contains(apic) {
                cpuToAPIC.append(apic)
                assigned += 1
            }
        } else {
            disabled += 1
        }
        registeredAPICs.insert(apic)
    }

    /// `topology_init_possible_cpus` (v6.12): possible = min(present + disabled, nr_cpu_ids)
    /// (1 without an MADT: `restrict_to_up`), `%u possible CPUs exceed the limit of %u`
    /// when cut; the topology summary; `Allowing %u present CPUs plus %u hotplug CPUs`;
    /// `Rejected CPUs %u`. CPUs 0 ..< possible become possible: the present ones first in
    /// registration order, then the disabled APIC ids ascending.
    func initPossibleCPUs(smpFoundConfig: Bool, log: inout KernelLog) -> X86CPUs {
        var assigned = self.assigned, disabled = self.disabled
        var registered = registeredAPICs
        if cpuToAPIC.isEmpty { registered.insert(0) }       // topology_register_boot_apic(0)
        let total = assigned + disabled
        var allowed = 1
        if smpFoundConfig {
            if assigned > nrCPUIDs {                         // WARN_ON_ONCE: not reachable here
                disabled += assigned - nrCPUIDs
                assigned = nrCPUIDs
            }
            allowed = min(total, nrCPUIDs)
        }
        if total > allowed { log.print(.warning, Self.prefix, "\(total) possible CPUs exceed the limit of \(allowed)") }
        assigned = min(allowed, assigned)
        disabled = allowed - assigned
        // One package and die, one thread per core: every registered APIC id is a core.
        let packages = 1, dies = 1
        let diesPerPackage = 1 << (getCountOrder(dies) - getCountOrder(packages))
        let cores = registered.count, threads = registered.count
        let threadsPerCore = (threads + cores - 1) / max(cores, 1)
        log.print(.info, Self.prefix, "Max. logical packages: \(pad3(packages))")
        log.print(.info, Self.prefix, "Max. logical dies:     \(pad3(dies))")
        log.print(.info, Self.prefix, "Max. dies per package: \(pad3(diesPerPackage))")
        log.print(.info, Self.prefix, "Max. threads per core: \(pad3(threadsPerCore))")
        log.print(.info, Self.prefix, "Num. cores per package:   \(pad3(cores))")
        log.print(.info, Self.prefix, "Num. threads per package: \(pad3(threads))")
        log.print(.info, Self.prefix, "Allowing \(assigned) present CPUs plus \(disabled) hotplug CPUs")
        if rejected > 0 { log.print(.info, Self.prefix, "Rejected CPUs \(rejected)") }

        var state = X86CPUs()
        for (cpu, apic) in cpuToAPIC.prefix(assigned).enumerated() { state.apicID[cpu] = apic }
        if cpuToAPIC.isEmpty { state.apicID[0] = 0 }
        state.numProcessors = assigned
        state.disabledCPUs = disabled
        state.nrCPUIDs = max(allowed, 1)
        return state
    }

    /// `get_count_order(n)`: ceil(log2(n)).
    func getCountOrder(_ n: Int) -> Int {
        n <= 1 ? 0 : Int.bitWidth - (n - 1).leadingZeroBitCount
    }

    /// `%3u`.
    func pad3(_ n: Int) -> String {
        let text = String(n)
        return String(repeating: " ", count: max(3 - text.count, 0)) + text
    }

    /// `pr_warn_once` / `pr_err_once` of topology.c.
    mutating func warnOnce(_ site: String, _ level: LogLevel, _ text: String, log: inout KernelLog) {
        guard warnedOnce.insert(site).inserted else { return }
        log.print(level, Self.prefix, text)
    }
}
