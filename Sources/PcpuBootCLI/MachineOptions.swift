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

    /// Builds the platform the options describe, or the diagnostic (status 2).
    func prepare() -> Result<PreparedBoot, CommandOutput> {
        do throws(CLIInputError) {
            return .success(try prepareThrowing())
        } catch {
            return .failure(CommandOutput.inputError(error.message))
        }
    }

    private func prepareThrowing() throws(CLIInputError) -> PreparedBoot {
        var platform: Platform
        let build = try KernelBuildInputs.load(config: kernelConfig, systemMap: systemMap, vmlinux: vmlinux)
        let archFlag = try arch.map { (value) throws(CLIInputError) -> Architecture in
            guard let a = Architecture(rawValue: value) else {
                throw CLIInputError(unknownValue("--arch", value, Architecture.allCases.map(\.rawValue)))
            }
            return a
        }
        let archValue = archFlag ?? build.architecture
        let kernelValue = try kernel.map { (value) throws(CLIInputError) -> KernelVersion in
            do throws(KernelVersionError) { return try KernelVersion.parse(value) } catch {
                throw CLIInputError("--kernel: \(error)")
            }
        }
        let dtbFirmware = try dtb.map { (path) throws(CLIInputError) -> DeviceTreeFirmware in
            do throws(InputError) { return try DeviceTreeBlob.load(path: path) } catch { throw CLIInputError(error.description) }
        }
        let acpiFirmware = try acpiTables.map { (path) throws(CLIInputError) -> ACPIFirmware in
            if dtb != nil { throw CLIInputError("--dtb and --acpi-tables both describe the firmware; give one of them") }
            do throws(InputError) { return try ACPITablesFirmware.load(directory: path) } catch { throw CLIInputError(error.description) }
        }
        let firmwareFromFlags: Firmware? = dtbFirmware.map { .deviceTree($0) } ?? acpiFirmware.map { .acpi($0) }
        if let name = platform_ {
            let source = try PlatformResolver.resolve(name)
            do throws(InputError) {
                platform = try source.load()
            } catch {
                throw CLIInputError(error.description)
            }
            if let archValue, archValue != platform.arch {
                platform.arch = archValue
            }
        } else {
            guard let firmwareFromFlags else {
                throw CLIInputError("no platform given: name a platform file or bundled platform (pcpu-boot list), or give --dtb or --acpi-tables, and --arch")
            }
            let flag = dtb != nil ? "--dtb" : "--acpi-tables"
            guard let archValue else { throw CLIInputError("\(flag) needs --arch (arm64, riscv64 or x86_64)") }
            guard staticSize != nil || build.section != nil else {
                throw CLIInputError("\(flag) needs --static-size: the kernel's __per_cpu_end - __per_cpu_start (e.g. 87272 for Debian's 6.1 arm64 kernel; see `nm vmlinux | grep __per_cpu_`)")
            }
            platform = Platform(name: URL(fileURLWithPath: dtb ?? acpiTables!).deletingPathExtension().lastPathComponent,
                                arch: archValue, config: .defaults(for: archValue), staticSize: 0,
                                firmware: firmwareFromFlags)
        }
        if let firmwareFromFlags { platform.firmware = firmwareFromFlags }
        try applyBootLoaderMemory(&platform)
        var notes = try build.apply(to: &platform, kernelGiven: kernelValue != nil)
        if let kernelValue { platform.kernel = kernelValue }
        if let staticSize {
            guard let value = PlatformLoader.parseNumber(staticSize), value > 0, value < 1 << 30 else {
                throw CLIInputError("invalid --static-size '\(staticSize)'; expected a size between 1 and 1G, like 87272, 0x154e8 or 85K")
            }
            platform.staticSize = value
        }
        if let nrCPUs {
            guard let value = PlatformLoader.parseNumber(nrCPUs), value >= 1, value <= 65536 else {
                throw CLIInputError("invalid --nr-cpus '\(nrCPUs)'; expected a number from 1 to 65536")
            }
            platform.config.nrCpus = Int(value)
        }
        if let cmdline { platform.cmdline = cmdline }
        if let perCPUStart {
            guard let value = PlatformLoader.parseNumber(perCPUStart) else {
                throw CLIInputError("invalid --per-cpu-start '\(perCPUStart)'; expected an address like 0xffff800081a20000")
            }
            platform.perCPUStart = value
        }
        var memblockLog: Boot.MemblockLog?
        if let logPath = memblockFrom ?? platform.memblock.fromLog {
            let text: String
            do throws(InputError) { text = try InputFile.text(logPath, what: "boot log") } catch {
                throw CLIInputError(error.description)
            }
            memblockLog = Boot.MemblockLog(text: text, fileName: logPath)
        }
        // The CPU, not the tables, says whether a hypervisor is there: the log does.
        if acpiFirmware != nil, let memblockLog, case .acpi(var acpi) = platform.firmware,
           memblockLog.text.contains("Hypervisor detected: ") {
            acpi.hypervisor = true
            platform.firmware = .acpi(acpi)
        }
        // ACPI tables say nothing of RAM outside the SRAT: without a platform file, the log's first dump does.
        if platform_ == nil, acpiFirmware != nil, platform.memblock.memory.isEmpty, let memblockLog {
            do throws(BootError) {
                if let early = try memblockLog.earlyMemblock(arch: platform.arch, kernel: platform.kernel,
                                                             config: platform.config) { platform.memblock = early }
            } catch {
                throw CLIInputError(error.description)
            }
        }
        if let memblockLog {
            let real = RealBootLog(text: memblockLog.text)
            if let logArch = real.architecture, logArch != platform.arch {
                throw CLIInputError("\(memblockLog.fileName): the log is of an \(logArch.rawValue) boot (\(real.architectureEvidence ?? "its boot lines")), "
                    + "but the platform \(platform.name) is \(platform.arch.rawValue)")
            }
            if case .success(let logVersion)? = real.kernelVersion, logVersion != platform.kernel, let line = real.kernelVersionLine {
                notes.append("\(memblockLog.fileName):\(line + 1): the log was made by a \(logVersion) kernel, "
                    + "but kernel \(platform.kernel) is emulated (--kernel \(logVersion) to match)")
            }
        }
        // x86's numa_emulation() (arch/x86/mm/numa_emulation.c) is not emulated: say so rather than
        // print the firmware's nodes as if the kernel had kept them.
        if platform.arch == .x86_64, let fake = KernelCommandLine(platform.cmdline).words.first(where: { $0.hasPrefix("numa=fake=") }) {
            notes.append("'\(fake.prefix(60))': x86 NUMA emulation (numa_emulation) is not emulated; the nodes, CPU groups and "
                         + "per-CPU lines are those of the firmware's NUMA description and will differ from the kernel's")
        }
        return PreparedBoot(platform: platform, memblockLog: memblockLog, notes: notes)
    }

    private var platform_: String? { platform }

    /// `--memory`: the boot loader's fix-up of the tree's memory nodes.
    private func applyBootLoaderMemory(_ platform: inout Platform) throws(CLIInputError) {
        guard !memory.isEmpty else { return }
        var banks: [BootLoaderMemory] = []
        for text in memory {
            switch BootLoaderMemory.parse(text, origin: "--memory \(text.prefix(60))") {
            case .success(let bank): banks.append(bank)
            case .failure(let reason): throw CLIInputError("invalid --memory '\(text.prefix(60))\(text.count > 60 ? "..." : "")': \(reason)")
            }
        }
        guard case .deviceTree(let dt) = platform.firmware else {
            throw CLIInputError("--memory fixes up a device tree's /memory nodes; \(platform.name) has ACPI firmware, whose RAM is its SRAT/e820 memory (memblock.memory in the platform file)")
        }
        platform.firmware = .deviceTree(dt.fixingUpMemory(banks))
    }
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
