import Foundation
import KernelBuild
import PercpuBoot

/// The platform `this-machine` boots, put together from what `RunningMachine` read, each
/// choice said in `assumptions` (what stood in for a missing source, and from where).
struct ThisMachinePlatform {
    var platform: Platform
    var memblockLog: Boot.MemblockLog?
    var real: RealBootLog?
    /// Where the kernel release came from.
    var kernelReason: String
    /// What stood in for what, one line each.
    var assumptions: [String] = []
    /// What `--config` / the symbols set and defaulted (the notes of `KernelBuildInputs.apply`).
    var buildNotes: [String] = []

    static func assemble(_ machine: RunningMachine) -> Result<ThisMachinePlatform, CommandOutput> {
        do throws(CLIInputError) {
            return .success(try assembleThrowing(machine))
        } catch {
            return .failure(.inputError(error.message))
        }
    }

    private static func assembleThrowing(_ machine: RunningMachine) throws(CLIInputError) -> ThisMachinePlatform {
        let real = machine.log.map(RealBootLog.init(text:))
        let logName = machine.logPath ?? "the log"
        var assumptions: [String] = []
        let arch = try architecture(machine, real: real, assumptions: &assumptions)
        let (kernel, kernelReason) = try kernelVersion(machine, real: real)
        let cmdline = machine.cmdline ?? real?.commandLine ?? ""
        if machine.cmdline == nil {
            assumptions.append(real?.commandLine != nil ? "command line: the log's 'Kernel command line:'" : "command line: empty (no /proc/cmdline, no log line)")
        }
        let words = cmdline.split(separator: " ")
        var firmware: Firmware
        var imported: Platform?
        // arm64's acpi_boot_table_init: ACPI with acpi=force, or when the tree is only the EFI stub's (no CPUs); never with acpi=off.
        let stubTree = machine.deviceTree == nil || machine.deviceTree?.cpus.isEmpty == true
        if let acpi = machine.acpi, arch == .x86_64 || ((stubTree || words.contains("acpi=force")) && !words.contains("acpi=off")) {
            firmware = .acpi(acpi)
        } else if let tree = machine.deviceTree, arch != .x86_64 {
            firmware = .deviceTree(tree)
            if machine.acpi != nil { assumptions.append("firmware: the device tree (acpi=off, or a full tree without acpi=force: arm64's acpi_boot_table_init)") }
        } else if let text = machine.log, let logPath = machine.logPath {
            let platform = try importedPlatform(text, logName: logPath, arch: arch, kernel: kernel)
            imported = platform
            firmware = platform.firmware
            assumptions.append("firmware: the machine as \(logName) describes it (SRAT lines, CPU counts), as `pcpu-boot import` reads it")
        } else if let topology = machine.topology, arch == .x86_64 {
            firmware = .acpi(topology.acpiFirmware())
            assumptions.append("firmware: the kernel's own NUMA view (/sys/devices/system: nodes, their CPUs, distances and memory blocks; "
                               + "/proc/cpuinfo's APIC ids): an SRAT/SLIT/MADT " + (topology.nodes.count > 1 ? "with those nodes" : "without SRAT (one node)"))
        } else {
            throw CLIInputError("\(machine.path("sys/firmware")): no firmware description could be read (ACPI tables, device tree"
                                + (arch == .x86_64 ? ", /sys/devices/system/node" : "") + "), and there is no boot log to take it from")
        }
        if case .acpi(var acpi) = firmware, imported == nil, real?.lines.contains(where: { $0.hasPrefix("Hypervisor detected: ") }) == true {
            acpi.hypervisor = true       // the CPU, not the tables, says so: the log does
            firmware = .acpi(acpi)
        }
        var platform = Platform(name: "this-machine", arch: arch, kernel: kernel, config: .defaults(for: arch), staticSize: 0,
                                cmdline: cmdline, firmware: firmware)
        if let imported { platform.memblock = imported.memblock }

        // RAM: the log's first memblock dump, else the firmware memory map, else the firmware's own description.
        var memblockLog: Boot.MemblockLog?
        if let text = machine.log, real?.lines.contains(where: { $0.hasPrefix("MEMBLOCK configuration:") }) == true {
            let log = Boot.MemblockLog(text: text, fileName: logName)
            memblockLog = log
            if case .acpi = firmware, platform.memblock.memory.isEmpty {
                do throws(BootError) {
                    if let early = try log.earlyMemblock(arch: arch, kernel: kernel, config: platform.config) { platform.memblock = early }
                } catch { throw CLIInputError(error.description) }
            }
            assumptions.append("RAM and reservations: \(logName)'s MEMBLOCK configuration dump (memblock=debug), and the calls after it"
                               + (machine.memmap.isEmpty ? "" : "; the memory map is not needed"))
        } else if arch == .x86_64, case .acpi = firmware, !machine.memmap.isEmpty {
            platform.memblock.memory = FirmwareMemmapEntry.x86MemblockRAM(machine.memmap)
            assumptions.append("RAM: the memory map's System RAM less page 0 and 0xa0000-0xfffff (e820__memblock_setup); "
                               + "no reservations are known without memblock=debug: physical addresses are the emulator's")
        } else {
            assumptions.append("RAM: the firmware's own description (SRAT memory, device-tree /memory); no reservations known")
        }

        // The kernel build: configuration, per-CPU section.
        let build = KernelBuildInputs(config: machine.config, section: machine.perCPUSection, sectionFile: machine.perCPUPath)
        let buildNotes = try build.apply(to: &platform, kernelGiven: true)
        platform.kernel = kernel
        if machine.perCPUSection == nil {
            guard let real, let (size, index) = real.staticSizeLine else {
                throw CLIInputError("no static per-CPU size: neither /proc/kallsyms nor System.map gives __per_cpu_start/__per_cpu_end, "
                                    + "and there is no 'percpu:' line in a boot log (give one with --log FILE)")
            }
            guard size > 0, size < 1 << 30 else {
                throw CLIInputError("\(logName):\(index + 1): the 'percpu:' line says s\(size) (expected a static per-CPU size between 1 and 1G)")
            }
            platform.staticSize = size
            assumptions.append("static size: \(size), from \(logName):\(index + 1) '\(real.lines[index])'")
        }
        if let text = machine.log {
            let facts = BootLogFacts(text: text)
            if machine.config == nil, let nr = facts.nrCPUs, let line = nr.line {
                platform.config.nrCpus = nr.value
                assumptions.append("NR_CPUS: \(nr.value), from \(logName):\(line) '\(nr.text ?? "")'")
            }
            if let size = facts.nodeDataSize, let line = size.line {
                platform.config.pgDataSize = size.value
                assumptions.append("NODE_DATA size: 0x\(String(size.value, radix: 16)), from \(logName):\(line) '\(size.text ?? "")'")
            }
            if arch == .x86_64, let paging = facts.paging, let line = paging.line {
                platform.config.pagingMode = paging.value
                assumptions.append("paging: \(paging.value.rawValue), what ran: \(logName):\(line) '\(paging.text ?? "")'")
            }
        } else if machine.config == nil {
            assumptions.append("NR_CPUS and every other option: the architecture's defaults (no configuration, no log)")
        }
        return ThisMachinePlatform(platform: platform, memblockLog: memblockLog, real: real, kernelReason: kernelReason,
                                   assumptions: assumptions, buildNotes: buildNotes)
    }

    /// The running kernel's architecture: `proc/sys/kernel/arch`, else the configuration, else the log.
    static func architecture(_ machine: RunningMachine, real: RealBootLog?,
                             assumptions: inout [String]) throws(CLIInputError) -> Architecture {
        if let name = machine.archName {
            switch name {
            case "x86_64": return .x86_64
            case "aarch64", "arm64": return .arm64
            case "riscv64": return .riscv64
            default: throw CLIInputError("\(machine.path("proc/sys/kernel/arch")): '\(InputError.cut(name, to: 60))' is not an architecture pcpu-boot emulates (x86_64, aarch64, riscv64)")
            }
        }
        if let config = machine.config, let arch = KernelBuildConfig.architecture(config) {
            assumptions.append("architecture: \(arch.rawValue), from \(config.fileName)")
            return arch
        }
        if let arch = real?.architecture {
            assumptions.append("architecture: \(arch.rawValue), from the log (\(real?.architectureEvidence ?? "its boot lines"))")
            return arch
        }
        throw CLIInputError("cannot tell the architecture: no \(machine.path("proc/sys/kernel/arch")), no kernel configuration, no boot log")
    }

    /// The running kernel: `proc/sys/kernel/osrelease`, else the log's `Linux version`, else the configuration's header.
    static func kernelVersion(_ machine: RunningMachine, real: RealBootLog?) throws(CLIInputError) -> (KernelVersion, String) {
        if let release = machine.osrelease {
            do throws(KernelVersionError) {
                return (try KernelVersion.parse(release), "from \(machine.path("proc/sys/kernel/osrelease")) '\(release)'")
            } catch {
                throw CLIInputError("\(machine.path("proc/sys/kernel/osrelease")): '\(InputError.cut(release, to: 60))': \(error)")
            }
        }
        if let text = real?.linuxVersionText {
            do throws(KernelVersionError) {
                return (try KernelVersion.parse(text), "from the log's 'Linux version \(text)'")
            } catch {
                throw CLIInputError("\(machine.logPath ?? "the log"): 'Linux version \(InputError.cut(text, to: 60))': \(error)")
            }
        }
        if let config = machine.config, let version = KernelBuildConfig.kernelVersion(config) {
            return (version, "from the header of \(config.fileName) ('\(config.headerVersion ?? "")')")
        }
        throw CLIInputError("cannot tell the kernel release: no \(machine.path("proc/sys/kernel/osrelease")), no 'Linux version' line in a log, no configuration header")
    }

    /// The machine as the log describes it (`pcpu-boot import`), for a machine whose firmware could not be read.
    static func importedPlatform(_ text: String, logName: String, arch: Architecture,
                                 kernel: KernelVersion) throws(CLIInputError) -> Platform {
        let early: MemblockSetup?
        do throws(BootError) {
            early = try Boot.MemblockLog(text: text, fileName: logName).earlyMemblock(arch: arch, kernel: kernel, config: .defaults(for: arch))
        } catch { throw CLIInputError(error.description) }
        do {
            let yaml = try PlatformImport.render(BootLogFacts(text: text), logName: logName, early: early)
            return try PlatformLoader.load(yaml: yaml, fileName: logName + " (imported)", baseDirectory: "",
                                           dtbLoader: DeviceTreeBlob.load(path:))
        } catch let error as InputError {
            throw CLIInputError(error.description)
        } catch {
            throw CLIInputError("\(error)")
        }
    }
}
