import ArgumentParser
import Foundation
import PercpuBoot

/// The options that describe the machine and kernel, shared by `boot`, `compare` and `check`.
struct MachineOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("A platform YAML file, or a bundled platform's name (see `pcpu-boot list`).",
                                 valueName: "platform"))
    var platform: String?

    @Option(help: ArgumentHelp("Firmware from a flattened device tree blob.", valueName: "file"))
    var dtb: String?

    @Option(name: .customLong("acpi-tables"),
            help: ArgumentHelp("Firmware from the machine's binary ACPI tables: a directory as /sys/firmware/acpi/tables holds them (SRAT, SLIT, APIC, FACP) or as acpidump -b writes them (srat.dat, ...).",
                               valueName: "dir"))
    var acpiTables: String?

    @Option(name: .customLong("config"),
            help: ArgumentHelp("The kernel's configuration (.config, /boot/config-*, /proc/config.gz): sets NR_CPUS, NODES_SHIFT, page size, ... and the kernel profile.",
                               valueName: "file"))
    var kernelConfig: String?

    @Option(name: .customLong("system-map"),
            help: ArgumentHelp("The kernel's System.map: static size and __per_cpu_start from __per_cpu_start/__per_cpu_end.", valueName: "file"))
    var systemMap: String?

    @Option(help: ArgumentHelp("The kernel's vmlinux (ELF64): the same from its symbols, or its .data..percpu section when stripped.",
                               valueName: "file"))
    var vmlinux: String?

    @Option(help: ArgumentHelp("Architecture, when no platform file names it.", valueName: "arm64|riscv64|x86_64"))
    var arch: String?

    @Option(help: ArgumentHelp("Kernel release, 3.10 to 7.2 (5.4, 6.12, 6.1.0-56-arm64; default: the platform's, else 6.8). See `pcpu-boot kernels`.", valueName: "version"))
    var kernel: String?

    @Option(name: .customLong("static-size"),
            help: ArgumentHelp("Size of the static per-CPU section (__per_cpu_end - __per_cpu_start); 87272, 0x154e8, 85K.",
                               valueName: "bytes"))
    var staticSize: String?

    @Option(name: .customLong("nr-cpus"), help: ArgumentHelp("CONFIG_NR_CPUS.", valueName: "n"))
    var nrCPUs: String?

    @Option(name: .customLong("per-cpu-start"),
            help: ArgumentHelp("Address of __per_cpu_start (System.map), for the __per_cpu_offset[] column.", valueName: "addr"))
    var perCPUStart: String?

    @Option(help: ArgumentHelp("Kernel command line (replaces the platform's): percpu_alloc=, numa=off, memblock=debug, nr_cpus=, ...",
                               valueName: "text"))
    var cmdline: String?

    @Option(name: .customLong("memblock-from"),
            help: ArgumentHelp("Start memblock from the MEMBLOCK configuration dump of a real memblock=debug boot log.",
                               valueName: "log"))
    var memblockFrom: String?

    @Option(name: .customLong("memory"),
            help: ArgumentHelp("RAM the boot loader or UEFI would write into the device tree's /memory nodes (repeatable): BASE:SIZE[@NODE], like 0x40000000:2G.",
                               valueName: "base:size[@node]"))
    var memory: [String] = []

    /// The values given, as a plain value (`MachineRequest`).
    var request: MachineRequest {
        MachineRequest(platform: platform, dtb: dtb, acpiTables: acpiTables, kernelConfig: kernelConfig, systemMap: systemMap, vmlinux: vmlinux, arch: arch, kernel: kernel, staticSize: staticSize, nrCPUs: nrCPUs, perCPUStart: perCPUStart, cmdline: cmdline, memblockFrom: memblockFrom, memory: memory)
    }

    /// Builds the platform the options describe, or the diagnostic (status 2).
    func prepare() -> Result<PreparedBoot, CommandOutput> { request.prepare() }
}

/// A platform ready to boot.
struct PreparedBoot {
    var platform: Platform
    var memblockLog: Boot.MemblockLog?
    /// Remarks for stderr that do not stop the boot: what --config, --system-map or --vmlinux
    /// set and what was defaulted, a log of another kernel version.
    var notes: [String] = []

    /// The notes as `pcpu-boot: note: …` lines.
    var noteText: String { notes.map { "pcpu-boot: note: \($0)\n" }.joined() }
}

/// A bad flag or file, reported with status 2.
struct CLIInputError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
