import Foundation
import PercpuBoot

/// What the machine options say, as a plain value: built by ArgumentParser's
/// `MachineOptions`, by the fast path of a plain boot (`BootFastPath`), or field by
/// field by `check` and `compare`.
struct MachineRequest: Equatable {
    var platform: String?
    var dtb: String?
    var acpiTables: String?
    var kernelConfig: String?
    var systemMap: String?
    var vmlinux: String?
    var arch: String?
    var kernel: String?
    var staticSize: String?
    var nrCPUs: String?
    var perCPUStart: String?
    var cmdline: String?
    var memblockFrom: String?
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
        // numa_emulation() is emulated for x86_64's `numa=fake=N` and `=<size>[MG]` (X86NUMAEmulation):
        // say where it is not, rather than print the firmware's nodes as if the kernel had kept them.
        if let fake = KernelCommandLine(platform.cmdline).numaFake {
            let shown = "numa=fake=\(fake.prefix(50))"
            if platform.arch != .x86_64 {
                notes.append("'\(shown)': NUMA emulation (CONFIG_NUMA_EMU) is emulated on x86_64 only; the nodes, CPU groups and "
                             + "per-CPU lines are those of the firmware's NUMA description")
            } else if platform.config.numaEmu && fake.contains("U") {
                notes.append("'\(shown)': the uniform form (numa=fake=<N>U, split_nodes_size_interleave_uniform) is not emulated; "
                             + "the nodes, CPU groups and per-CPU lines are those of the firmware's NUMA description")
            }
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

