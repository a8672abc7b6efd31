import KernelSupport

/// How x86 numbers its CPUs and decides which are possible (v6.1; v6.8 differs only
/// where noted): the MADT walk (`acpi_parse_lapic` / `acpi_parse_x2apic` →
/// `acpi_register_lapic` → `generic_processor_info`, arch/x86/kernel/acpi/boot.c and
/// apic/apic.c), `prefill_possible_map` (arch/x86/kernel/smpboot.c) and
/// `init_cpu_to_node` (arch/x86/mm/numa.c).
///
/// The platform's ACPI processor list stands for the MADT in table order; `enabled: false`
/// is a MADT entry without the Enabled bit (a hot-pluggable slot: it only counts in
/// disabled_cpus, as QEMU's `-smp N,maxcpus=M` produces), and `hotplug-cpus` adds more
/// such slots. The boot CPU is the first enabled entry (QEMU's BSP has APIC id 0).
struct X86CPUs: Equatable, Sendable {
    /// `x86_cpu_to_apicid[cpu]` for every CPU the MADT walk registered.
    var apicID: [Int: UInt32] = [:]
    var numProcessors = 0
    var disabledCPUs = 0
    /// nr_cpu_ids after prefill_possible_map.
    var nrCPUIDs = 1
    /// cpu_possible_mask: 0 ..< nrCPUIDs.
    var possible: [Int] { Array(0..<nrCPUIDs) }

    static let prefix = "smpboot: "

    /// The MADT walk and `prefill_possible_map`. `nrCPUIDs` is nr_cpu_ids before it
    /// (NR_CPUS, or `nr_cpus=`); `maxCPUs` is `setup_max_cpus` (`maxcpus=`, `nosmp` → 0);
    /// `possibleCPUs` is `possible_cpus=`.
    static func enumerate(_ acpi: ACPIFirmware?, kernel: KernelVersion, nrCPUIDs: Int, maxCPUs: Int,
                          possibleCPUs: Int?, log: inout KernelLog) -> X86CPUs {
        var state = X86CPUs()
        let madt = acpi?.x86MADTEntries(ignoresLowX2APICBesideLAPIC: false) ?? []
        var walk = MADTWalk(nrCPUIDs: nrCPUIDs, bootAPIC: madt.first(where: \.enabled)
            .map { UInt32(truncatingIfNeeded: $0.hardwareID) } ?? 0)
        for entry in madt {
            walk.register(entry, state: &state, log: &log)
        }
        state.disabledCPUs += acpi?.hotplugCPUs ?? 0
        state.prefillPossibleMap(kernel: kernel, walk: &walk, maxCPUs: maxCPUs, possibleCPUs: possibleCPUs, log: &log)
        return state
    }

    /// `prefill_possible_map` (v6.1): possible = present + disabled (hotplug) CPUs, or
    /// `possible_cpus=`; capped by nr_cpu_ids and, when `maxcpus=0`, by 1;
    /// `smpboot: Allowing %d CPUs, %d hotplug CPUs`; CPUs 0 ..< possible become possible.
    /// 6.1 first registers the boot CPU if the firmware listed none.
    mutating func prefillPossibleMap(kernel: KernelVersion, walk: inout MADTWalk, maxCPUs: Int, possibleCPUs: Int?,
                                     log: inout KernelLog) {
        if !kernel.has(.x86BootCPUNotListedFallbackDropped) && numProcessors == 0 {
            log.print(.warning, Self.prefix, "Boot CPU (id \(walk.bootAPIC)) not listed by BIOS")
            walk.genericProcessorInfo(walk.bootAPIC, state: &self, log: &log)
            if numProcessors == 0 { numProcessors = 1 }
        }
        let limit = maxCPUs != 0 ? maxCPUs : 1
        var possible: Int
        if let possibleCPUs {
            possible = possibleCPUs
        } else {
            possible = numProcessors + (maxCPUs != 0 ? disabledCPUs : 0)     // CONFIG_HOTPLUG_CPU
        }
        if possible > walk.nrCPUIDs {
            log.print(.warning, Self.prefix, "\(possible) Processors exceeds NR_CPUS limit of \(walk.nrCPUIDs)")
            possible = walk.nrCPUIDs
        }
        if maxCPUs == 0 && possible > limit {
            log.print(.warning, Self.prefix, "\(possible) Processors exceeds max_cpus limit of \(maxCPUs)")
            possible = limit
        }
        // set_nr_cpu_ids(): a kernel with no possible CPU does not get this far; keep the boot CPU.
        nrCPUIDs = max(possible, 1)
        log.print(.info, Self.prefix, "Allowing \(possible) CPUs, \(max(possible - numProcessors, 0)) hotplug CPUs")
    }

    /// `init_cpu_to_node` (v6.1/v6.8): every possible CPU whose APIC id SRAT placed gets
    /// that node (bringing a memory-less node online); the others keep what
    /// `numa_init_array` gave them. Returns the nodes it brought online.
    func initCPUToNode(numa: inout X86NUMA) -> Set<Int> {
        var broughtOnline: Set<Int> = []
        for cpu in possible {
            guard let apic = apicID[cpu], let node = numa.apicidToNode[apic] else { continue }
            if !numa.onlineNodes.contains(node) {
                numa.onlineNodes.insert(node)
                broughtOnline.insert(node)
            }
            if cpu < numa.cpuToNode.count { numa.cpuToNode[cpu] = node }
        }
        return broughtOnline
    }
}

/// The MADT walk's own state: `nr_logical_cpuids`, `cpuid_to_apicid[]`, the boot
/// CPU's APIC id and whether it has been seen (`phys_cpu_present_map`).
struct MADTWalk {
    /// nr_cpu_ids during the walk.
    let nrCPUIDs: Int
    /// `boot_cpu_physical_apicid`.
    let bootAPIC: UInt32
    var nrLogicalCPUIDs = 1
    var cpuidToAPIC: [UInt32?] = [nil]
    var presentAPICs: Set<UInt32> = []
    var warnedLogicalLimit = false

    init(nrCPUIDs: Int, bootAPIC: UInt32) {
        self.nrCPUIDs = nrCPUIDs
        self.bootAPIC = bootAPIC
    }

    /// `acpi_parse_lapic` / `acpi_parse_x2apic` → `acpi_register_lapic` (v6.1): ids up to
    /// 0xfe are local APIC entries, larger ones x2APIC entries (whose invalid id is
    /// 0xffffffff; x2APIC mode is assumed, so every other id is valid); ids ≥
    /// MAX_LOCAL_APIC are refused; a disabled entry only counts in disabled_cpus (QEMU's
    /// MADT revision is below 5, so no online-capable distinction).
    mutating func register(_ entry: SRATProcessor, state: inout X86CPUs, log: inout KernelLog) {
        if entry.hardwareID == 0xffff_ffff { return }
        guard entry.hardwareID < UInt64(X86NUMA.maxLocalAPIC) else {
            log.print(.info, "ACPI: ", "skipped apicid that is too big")
            return
        }
        if !entry.enabled {
            state.disabledCPUs += 1
            return
        }
        genericProcessorInfo(UInt32(entry.hardwareID), state: &state, log: &log)
    }

    /// `generic_processor_info(apicid)` (arch/x86/kernel/apic/apic.c, v6.1): keeps one
    /// slot for the boot CPU until it is seen, refuses CPUs beyond nr_cpu_ids, gives
    /// the boot CPU number 0 and every other APIC the next logical number (the same
    /// number again for an APIC id seen before), and counts it present.
    mutating func genericProcessorInfo(_ apicid: UInt32, state: inout X86CPUs, log: inout KernelLog) {
        let bootDetected = presentAPICs.contains(bootAPIC)
        if !bootDetected && state.numProcessors >= nrCPUIDs - 1 && apicid != bootAPIC {
            let thiscpu = nrCPUIDs + state.disabledCPUs - 1
            log.print(.warning, "", "APIC: NR_CPUS/possible_cpus limit of \(nrCPUIDs) almost reached. Keeping one slot for boot cpu.  Processor \(thiscpu)/0x\(Printk.hex(UInt64(apicid))) ignored.")
            state.disabledCPUs += 1
            return
        }
        if state.numProcessors >= nrCPUIDs {
            let thiscpu = nrCPUIDs + state.disabledCPUs
            log.print(.warning, "", "APIC: NR_CPUS/possible_cpus limit of \(nrCPUIDs) reached. Processor \(thiscpu)/0x\(Printk.hex(UInt64(apicid))) ignored.")
            state.disabledCPUs += 1
            return
        }
        let cpu: Int
        if apicid == bootAPIC {
            cpu = 0
            cpuidToAPIC[0] = apicid
        } else if let known = cpuidToAPIC.prefix(nrLogicalCPUIDs).firstIndex(of: apicid) {
            cpu = known
        } else if nrLogicalCPUIDs >= nrCPUIDs {
            if !warnedLogicalLimit {
                warnedLogicalLimit = true
                log.print(.warning, "", "------------[ cut here ]------------")
                log.print(.warning, "", "APIC: NR_CPUS/possible_cpus limit of \(nrCPUIDs) reached. Processor \(nrLogicalCPUIDs)/0x\(Printk.hex(UInt64(apicid))) and the rest are ignored.")
            }
            state.disabledCPUs += 1
            return
        } else {
            cpu = nrLogicalCPUIDs
            cpuidToAPIC.append(apicid)
            nrLogicalCPUIDs += 1
        }
        state.numProcessors += 1
        presentAPICs.insert(apicid)
        state.apicID[cpu] = apicid
    }
}
