import Foundation
import KernelBuild

/// What a running Linux machine says about itself, read from a root directory (`/` for
/// the machine itself, a recorded snapshot in tests): `pcpu-boot this-machine`.
///
/// A pure function of the files under `root` (a character device `dev/kmsg` is read as
/// the kernel hands it out, non-blocking until `EAGAIN`). Every source is listed in
/// `sources`, read or not: a missing or unreadable optional source is a warning there and
/// something else stands in; a source that is there but corrupt (a memmap entry that is
/// not a number, a damaged ACPI table or DTB, a configuration or symbol list that is not
/// one) is an `InputError` naming its path.
///
/// Sources, in the kernel's own places:
/// - firmware: `sys/firmware/acpi/tables/{SRAT,SLIT,APIC,FACP}` and `sys/firmware/fdt`;
/// - RAM: `sys/firmware/memmap/N/{start,end,type}` (x86's `firmware_map`, the BIOS e820
///   map as the firmware gave it: drivers/firmware/memmap.c);
/// - `proc/cmdline`, `proc/sys/kernel/osrelease`, `proc/sys/kernel/arch`;
/// - the kernel configuration: `proc/config.gz` (CONFIG_IKCONFIG_PROC), else
///   `boot/config-RELEASE`;
/// - the per-CPU section: `proc/kallsyms` (`__per_cpu_start`/`__per_cpu_end`: only with
///   CONFIG_KALLSYMS_ALL, and zeroed by `kptr_restrict` for readers without CAP_SYSLOG),
///   else `boot/System.map-RELEASE`;
/// - the boot log: `dev/kmsg` (records as `devkmsg_read` formats them), else
///   `var/log/dmesg` (a saved `dmesg`, as Debian/Ubuntu keep it), or a log given by path.
public struct RunningMachine: Sendable {
    /// How a source fared.
    public enum Status: String, Sendable, Codable {
        /// Read and used.
        case read
        /// Not there (no such file: another architecture, a kernel option off).
        case missing
        /// There, but it could not be read (permission, a directory, zeroed by the kernel).
        case unreadable
    }

    /// One source: what it is, where it was looked for, and what came of it. Sources tried
    /// in turn for one thing (`proc/config.gz`, then `boot/config-RELEASE`) share a name.
    public struct Source: Sendable, Codable, Equatable {
        public var name: String
        public var path: String
        public var status: Status
        /// What was read, or why not and what stands in.
        public var detail: String
    }

    public var root: String
    public var sources: [Source] = []
    public var osrelease: String?
    /// `proc/sys/kernel/arch` (`x86_64`, `aarch64`, `riscv64`).
    public var archName: String?
    public var cmdline: String?
    public var config: KernelConfigFile?
    public var perCPUSection: PerCPUSection?
    /// Where `perCPUSection` came from.
    public var perCPUPath: String?
    public var acpi: ACPIFirmware?
    public var acpiPath: String?
    public var deviceTree: DeviceTreeFirmware?
    public var deviceTreePath: String?
    /// The kernel's own NUMA view, read only when no firmware description could be.
    public var topology: SystemTopology?
    public var memmap: [FirmwareMemmapEntry] = []
    public var log: String?
    public var logPath: String?

    /// The path of `relative` under the root.
    public func path(_ relative: String) -> String { Self.join(root, relative) }

    static func join(_ root: String, _ relative: String) -> String {
        var base = root
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        return base == "/" ? "/" + relative : base + "/" + relative
    }

    /// Reads every source under `root`; `logFile`, when given, is the boot log instead of
    /// `dev/kmsg` / `var/log/dmesg` (a path as the user gave it, not under the root).
    public static func read(root: String, logFile: String? = nil) throws(InputError) -> RunningMachine {
        var machine = RunningMachine(root: root)
        machine.osrelease = machine.readLine("proc/sys/kernel/osrelease", name: "kernel release",
                                             ifMissing: "the release from the log's 'Linux version' line, else the configuration's header")
        machine.archName = machine.readLine("proc/sys/kernel/arch", name: "architecture",
                                            ifMissing: "the architecture from the configuration or the log")
        machine.cmdline = machine.readLine("proc/cmdline", name: "command line", ifMissing: "the log's command line")
        try machine.readFirmware()
        try machine.readMemmap()
        try machine.readConfig()
        try machine.readPerCPUSymbols()
        try machine.readLog(logFile)
        return machine
    }

    mutating func note(_ name: String, _ relative: String, _ status: Status, _ detail: String) {
        sources.append(Source(name: name, path: path(relative), status: status, detail: detail))
    }

    /// The bytes of a file under the root, or why not (missing vs unreadable).
    enum FileRead {
        case bytes([UInt8])
        case missing
        case unreadable(String)
    }

    func readFile(_ relative: String, what: String) -> FileRead {
        Self.readFile(path(relative), what: what)
    }

    static func readFile(_ full: String, what: String) -> FileRead {
        var info = stat()
        if stat(full, &info) != 0 {
            return errno == ENOENT || errno == ENOTDIR ? .missing : .unreadable(String(cString: strerror(errno)))
        }
        do throws(InputError) { return .bytes(try InputFile.read(full, what: what)) } catch { return .unreadable(error.message) }
    }

    /// A one-line file (`osrelease`, `arch`, `cmdline`) without its newline.
    mutating func readLine(_ relative: String, name: String, ifMissing: String) -> String? {
        switch readFile(relative, what: name) {
        case .bytes(let bytes):
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            note(name, relative, .read, text.isEmpty ? "empty" : "'\(InputError.cut(text, to: 80))'")
            return text.isEmpty ? nil : text
        case .missing:
            note(name, relative, .missing, "missing: " + ifMissing)
        case .unreadable(let why):
            note(name, relative, .unreadable, "unreadable (\(why)): " + ifMissing)
        }
        return nil
    }

    /// `sys/firmware/acpi/tables` (SRAT, SLIT, APIC, FACP) and `sys/firmware/fdt`.
    mutating func readFirmware() throws(InputError) {
        let tables = "sys/firmware/acpi/tables"
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path(tables), isDirectory: &isDirectory), isDirectory.boolValue {
            let wanted = ["SRAT", "SLIT", "APIC", "FACP"]
            var problems: [String] = []
            for name in wanted {
                if case .unreadable(let why) = readFile("\(tables)/\(name)", what: "table") { problems.append("\(name): \(why)") }
            }
            if !wanted.contains(where: { FileManager.default.fileExists(atPath: path("\(tables)/\($0)")) }) {
                note("ACPI tables", tables, .missing, "none of SRAT, SLIT, APIC, FACP: no NUMA or CPU description from ACPI")
            } else if !problems.isEmpty {
                note("ACPI tables", tables, .unreadable, "unreadable (\(problems.joined(separator: "; "))): "
                     + "the machine as the log describes it (its SRAT lines and CPU counts, as `pcpu-boot import` reads them), "
                     + "else the kernel's own NUMA view (/sys/devices/system)")
            } else {
                let firmware = try ACPITablesFirmware.load(directory: path(tables))
                acpi = firmware
                acpiPath = path(tables)
                let present = wanted.filter { FileManager.default.fileExists(atPath: path("\(tables)/\($0)")) }
                var detail = "read \(present.joined(separator: ", "))"
                if firmware.hasSRAT != true { detail += "; no SRAT: no NUMA description, one node (the kernel's 'No NUMA configuration found')" }
                if firmware.madt == nil { detail += "; no APIC (MADT): the SRAT's processors stand for it" }
                note("ACPI tables", tables, .read, detail)
            }
        } else {
            note("ACPI tables", tables, .missing, "missing: not an ACPI machine (or ACPI off)")
        }
        let fdt = "sys/firmware/fdt"
        switch readFile(fdt, what: "flattened device tree") {
        case .bytes(let bytes):
            let tree = try DeviceTreeBlob.firmware(bytes: bytes, fileName: path(fdt))
            deviceTree = tree
            deviceTreePath = path(fdt)
            note("device tree", fdt, .read, tree.cpus.isEmpty ? "read: no CPUs (the EFI stub's tree, /chosen only)"
                 : "read: \(tree.cpus.count) CPUs, \(tree.memory.count) memory nodes" + (tree.distanceMatrix == nil ? "" : ", a distance map"))
        case .missing:
            note("device tree", fdt, .missing, acpi == nil ? "missing: no device tree" : "missing: ACPI describes the machine")
        case .unreadable(let why):
            note("device tree", fdt, .unreadable, "unreadable (\(why))" + (acpi == nil ? ": the log's description" : ": ACPI describes the machine"))
        }
        guard acpi == nil, deviceTree == nil else { return }
        let system = "sys/devices/system/node"
        if let topology = try SystemTopology.read(self) {
            self.topology = topology
            note("NUMA topology", system, .read, "read: \(topology.summary); stands in for the firmware (x86_64) when there is no log")
        } else {
            note("NUMA topology", system, .missing, "missing: the firmware only from the log")
        }
    }

    /// `sys/firmware/memmap/N/{start,end,type}` (drivers/firmware/memmap.c: `start`/`end`
    /// as `0x%llx`, `end` inclusive; `type` as `e820_type_to_string`), in the order of N.
    mutating func readMemmap() throws(InputError) {
        let folder = "sys/firmware/memmap"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path(folder)) else {
            note("memory map", folder, .missing, "missing: RAM from the log's first MEMBLOCK dump, else the SRAT or device tree's memory")
            return
        }
        let indices = names.compactMap { name in Int(name).map { ($0, name) } }.sorted { $0.0 < $1.0 }
        for (_, name) in indices {
            memmap.append(try FirmwareMemmapEntry.read(directory: path("\(folder)/\(name)")))
        }
        let ram = memmap.filter(\.isSystemRAM)
        note("memory map", folder, .read, "read \(memmap.count) entries, \(ram.count) of System RAM")
    }

    /// `proc/config.gz`, else `boot/config-RELEASE`.
    mutating func readConfig() throws(InputError) {
        var candidates = ["proc/config.gz"]
        if let osrelease { candidates.append("boot/config-\(osrelease)") }
        for (index, relative) in candidates.enumerated() {
            let last = index == candidates.count - 1
            let fallback = last ? "the architecture's defaults (NR_CPUS from the log's setup_percpu line)" : "trying \(candidates[index + 1])"
            switch readFile(relative, what: "kernel configuration") {
            case .bytes(let bytes):
                do throws(KernelBuildError) { config = try KernelConfigFile.parse(bytes, fileName: path(relative)) } catch {
                    throw InputError(error)
                }
                note("kernel configuration", relative, .read, "read \(config?.values.count ?? 0) options"
                     + (config?.headerVersion.map { " ('\($0)')" } ?? ""))
                return
            case .missing:
                note("kernel configuration", relative, .missing, "missing: " + fallback)
            case .unreadable(let why):
                note("kernel configuration", relative, .unreadable, "unreadable (\(why)): " + fallback)
            }
        }
    }
}
