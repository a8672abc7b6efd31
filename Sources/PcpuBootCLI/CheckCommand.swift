import ArgumentParser
import Foundation
import PercpuBoot

/// `pcpu-boot check LOG`: replay a real boot log and report every line that differs.
struct CheckCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Replay a real memblock=debug boot log and report every per-CPU line that differs.",
        discussion: "Reads the log's command line, kernel version and static per-CPU size, boots the machine "
            + "(from --dtb, a platform file given with --platform, or — x86 and arm64 ACPI — the log's own SRAT "
            + "lines, as `pcpu-boot import` reads them) with memblock started from the log's "
            + "MEMBLOCK configuration dump, and compares the percpu:/pcpu-alloc: lines and the memblock "
            + "trace of the per-CPU setup. Exit status 0 when everything matches, 1 when something differs.")

    @Argument(help: ArgumentHelp("A real boot log (serial console or dmesg) taken with memblock=debug.", valueName: "log"))
    var logPath: String

    @Option(help: ArgumentHelp("The machine's flattened device tree.", valueName: "file"))
    var dtb: String?

    @Option(name: .customLong("acpi-tables"),
            help: ArgumentHelp("The machine's binary ACPI tables (SRAT, SLIT, APIC, FACP or srat.dat, ...); RAM comes from the log's first memblock dump.",
                               valueName: "dir"))
    var acpiTables: String?

    @Option(name: .customLong("config"), help: ArgumentHelp("The kernel's configuration (.config, /boot/config-*, /proc/config.gz).", valueName: "file"))
    var kernelConfig: String?

    @Option(name: .customLong("system-map"), help: ArgumentHelp("The kernel's System.map (__per_cpu_start for the __per_cpu_offset column).", valueName: "file"))
    var systemMap: String?

    @Option(help: ArgumentHelp("The kernel's vmlinux (ELF64), instead of --system-map.", valueName: "file"))
    var vmlinux: String?

    @Option(help: ArgumentHelp("A platform file or bundled name describing the machine instead of --dtb.", valueName: "platform"))
    var platform: String?

    @Option(name: .customLong("nr-cpus"), help: ArgumentHelp("CONFIG_NR_CPUS of the kernel that booted (default: the architecture's).", valueName: "n"))
    var nrCPUs: String?

    @Option(help: ArgumentHelp("The kernel that booted, when the log lost its 'Linux version' line (3.10 to 7.2).",
                               valueName: "version"))
    var kernel: String?

    func execute() -> CommandOutput {
        let text: String
        do throws(InputError) { text = try InputFile.text(logPath, what: "boot log") } catch {
            return .inputError(error.description)
        }
        let real = RealBootLog(text: text)
        guard let arch = real.architecture else {
            return .inputError("\(logPath): cannot tell the architecture from the log (no 'Booting Linux on physical CPU' or x86 lines)")
        }
        guard let (staticSize, staticLine) = real.staticSizeLine else {
            return .inputError("\(logPath): the log has no 'percpu:' line with the static size")
        }
        guard staticSize > 0, staticSize < 1 << 30 else {
            return .inputError("\(logPath):\(staticLine + 1): the 'percpu:' line says s\(staticSize) (expected a static per-CPU size between 1 and 1G)")
        }
        var notes: [String] = []
        var options = MachineRequest()
        options.platform = platform
        let choice = KernelChoice.choose(log: real, flag: kernel, platformPath: platform, configPath: kernelConfig)
        // Nothing but the log: the machine the log describes (x86 and ACPI arm64 print it).
        var imported: String?
        if platform == nil && dtb == nil && acpiTables == nil {
            switch Self.importedPlatform(text, logPath: logPath, arch: arch, kernel: try? choice.get().version) {
            case .success(let path): imported = path
            case .failure(let error):
                // Say everything that is missing at once: the machine, and the kernel if it is unknown too.
                if case .failure(let versionProblem) = choice {
                    return .inputError(error.stderr.trimmingCharacters(in: .newlines).replacingOccurrences(of: "pcpu-boot: error: ", with: "")
                                       + "; and \(versionProblem)")
                }
                return error
            }
            options.platform = imported
        }
        let version: KernelChoice
        switch choice {
        case .success(let c): version = c
        case .failure(let message):
            if let imported { try? FileManager.default.removeItem(atPath: imported) }
            return .inputError("\(logPath): \(message)")
        }
        defer { if let imported { try? FileManager.default.removeItem(atPath: imported) } }
        options.dtb = dtb
        options.acpiTables = acpiTables
        options.kernelConfig = kernelConfig
        options.systemMap = systemMap
        options.vmlinux = vmlinux
        if platform == nil { options.arch = arch.rawValue }
        options.kernel = version.version?.description
        options.staticSize = String(staticSize)
        options.nrCPUs = nrCPUs
        options.cmdline = real.commandLine ?? ""
        options.memblockFrom = logPath
        var prepared: PreparedBoot
        switch options.prepare() {
        case .success(let p): prepared = p
        case .failure(let output): return output
        }
        notes += prepared.notes
        // A platform file or --config may have said otherwise: the note says so; the defaults go silently.
        for note in Self.applyLogLayout(text, to: &prepared.platform) where platform != nil || kernelConfig != nil { notes.append(note) }
        if prepared.platform.arch != arch {
            return .inputError("\(logPath): the log is of an \(arch.rawValue) boot (\(real.architectureEvidence ?? "its boot lines")), "
                + "but the platform \(prepared.platform.name) is \(prepared.platform.arch.rawValue)")
        }
        let result: BootResult
        do { result = try Boot.run(prepared.platform, memblockLog: prepared.memblockLog, dynamicDebug: false) } catch {
            return .bootFailure(error, subject: platform ?? dtb ?? logPath)
        }
        let emulated = result.log.texts()
        let comparison = LogComparison.report(real: real, emulated: emulated)
        let out = "kernel \(result.profile.kernel): \(version.reason)\n" + comparison.text
        let differences = comparison.differences
        var output = CommandOutput(stdout: out, status: differences == 0 ? 0 : 1)
        for note in notes.reversed() { output = output.note(note) }
        return output
    }
}

extension CheckCommand {
    /// x86_64 paging as the log says the CPU ran it: like the hypervisor, the CPU (LA57), not
    /// the ACPI tables nor the kernel's .config, decides between 4- and 5-level paging, and
    /// e820's `last_pfn = … max_arch_pfn = …` line (arch/x86/kernel/e820.c, e820__end_of_ram_pfn:
    /// MAX_ARCH_PFN = 1 << (MAX_PHYSMEM_BITS - PAGE_SHIFT), 52 bits under 5-level paging, 46
    /// under 4-level) says which one. It decides the vmalloc start and so how many page-table
    /// pages `populate_extra_pte` takes for a page first chunk (`spp_getpage`: a P4D page more
    /// under 5-level paging). The note: the value replaced, if any.
    ///
    /// The same for arm64's VA bits: an early `memblock_alloc…` line whose `from=` (`__pa(
    /// MAX_DMA_ADDRESS)`) wrapped above 2^63 shows a VA_BITS=52 kernel on a 48-bit CPU
    /// (`BootLogFacts.vaBits52On48`; Debian's 6.12 and 7.2 arm64 builds under QEMU's
    /// cortex-a57): the goal `pcpu_fc_alloc` prints as `from=0xfff1…`. And whether the image
    /// keeps memblock_free's frame (`BootLogFacts.memblockFreeFrame`): the caller its frees name.
    static func applyLogLayout(_ text: String, to platform: inout Platform) -> [String] {
        let facts = BootLogFacts(text: text)
        var notes: [String] = []
        func quote<T>(_ fact: LogFact<T>) -> String { "the log's line \(fact.line ?? 0) (\"\(fact.text ?? "")\")" }
        if platform.arch == .x86_64, let fact = facts.paging {
            let before = platform.config.pagingMode
            platform.config.pagingMode = fact.value
            if let before, before != fact.value { notes.append("paging \(fact.value.rawValue), not \(before.rawValue): \(quote(fact))") }
        }
        if platform.arch == .arm64, let fact = facts.vaBits52On48, platform.config.vaBits != 52 || (platform.config.vaBitsActual ?? 48) != 48 {
            notes.append("va-bits 52 on a 48-bit CPU, not va-bits \(platform.config.vaBits.map(String.init) ?? "default")"
                         + (platform.config.vaBitsActual.map { " / va-bits-actual \($0)" } ?? "") + ": \(quote(fact))")
            platform.config.vaBits = 52
            platform.config.vaBitsActual = 48
        }
        if let fact = facts.memblockFreeFrame, platform.config.memblockFreeFrame != true {
            if platform.config.memblockFreeFrame == false { notes.append("memblock-free-frame true, not false: \(quote(fact))") }
            platform.config.memblockFreeFrame = true
        }
        return notes
    }

    /// `pcpu-boot import` of the log, written to a temporary platform file.
    static func importedPlatform(_ text: String, logPath: String, arch: Architecture,
                                 kernel: KernelVersion?) -> Result<String, CommandOutput> {
        let facts = BootLogFacts(text: text)
        let early: MemblockSetup?
        do {
            early = try Boot.MemblockLog(text: text, fileName: logPath)
                .earlyMemblock(arch: arch, kernel: kernel ?? .v6_8, config: .defaults(for: arch))
        } catch {
            return .failure(.inputError(error.description))
        }
        let yaml: String
        do { yaml = try PlatformImport.render(facts, logName: logPath, early: early, kernel: kernel) } catch {
            return .failure(.inputError(error.description + " (or give --platform or --acpi-tables)"))
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pcpu-boot-import-\(UUID().uuidString).yaml").path
        do { try yaml.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            return .failure(.inputError("cannot write a temporary platform file: \(error)"))
        }
        return .success(path)
    }
}

/// What `check` (and `this-machine`) compares: the per-CPU lines and the memblock trace
/// of the per-CPU setup, real against emulated, each differing line named.
enum LogComparison {
    struct Part {
        var title: String
        var real: [String]
        var emulated: [String]
        var diff: LineDiff.Result
    }

    static func parts(real: RealBootLog, emulated: [String]) -> [Part] {
        [("per-CPU lines", real.percpuLines, RealBootLog.percpuLines(emulated)),
         ("memblock trace of the per-CPU setup", real.percpuMemblockTrace, RealBootLog.percpuMemblockTrace(emulated))]
            .map { Part(title: $0.0, real: $0.1, emulated: $0.2, diff: LineDiff.compare(expected: $0.1, actual: $0.2)) }
    }

    /// The report's lines and how many lines differ in all.
    static func report(real: RealBootLog, emulated: [String]) -> (text: String, differences: Int) {
        var out = ""
        var differences = 0
        for part in parts(real: real, emulated: emulated) {
            let diff = part.diff
            differences += diff.count
            out += "\(part.title): \(part.real.count) real, \(part.emulated.count) emulated, \(diff.count == 0 ? "identical" : "\(diff.count) differ")\n"
            for d in diff.shown { out += d + "\n" }
            if diff.count > diff.shownCount {
                out += "  ... and \(diff.count - diff.shownCount) more differing lines (the first \(diff.shownCount) are shown)\n"
            }
        }
        return (out, differences)
    }
}

/// Line-by-line comparison that names each differing line: the first
/// `shownLimit` in full, the rest only counted, so a report stays readable
/// (and small) however many lines differ.
enum LineDiff {
    static let shownLimit = 100

    struct Result {
        /// How many lines differ.
        var count = 0
        /// The first `shownLimit` differences, three report lines each.
        var shown: [String] = []
        var shownCount = 0
    }

    static func compare(expected: [String], actual: [String]) -> Result {
        var result = Result()
        for i in 0..<max(expected.count, actual.count) {
            let e = i < expected.count ? expected[i] : nil
            let a = i < actual.count ? actual[i] : nil
            guard e != a else { continue }
            result.count += 1
            guard result.shownCount < shownLimit else { continue }
            result.shownCount += 1
            result.shown.append("  line \(i + 1):")
            result.shown.append("    real:     " + (e.map { "\"\(InputError.cut($0, to: 300))\"" } ?? "(none)"))
            result.shown.append("    emulated: " + (a.map { "\"\(InputError.cut($0, to: 300))\"" } ?? "(none)"))
        }
        return result
    }
}

/// Which kernel `check` emulates, and why (issue 7: the log decides; a log that lost
/// its start leaves it to `--kernel` or the platform's `kernel:`).
struct KernelChoice {
    /// nil: the platform file's own `kernel:` stays.
    var version: KernelVersion?
    var reason: String

    static func choose(log: RealBootLog, flag: String?, platformPath: String?,
                       configPath: String? = nil) -> Result<KernelChoice, CheckFailure> {
        let flagVersion: KernelVersion?
        do throws(KernelVersionError) { flagVersion = try flag.map(KernelVersion.parse) } catch {
            return .failure(CheckFailure("--kernel: \(error)"))
        }
        if let text = log.linuxVersionText {
            let logVersion: KernelVersion
            do throws(KernelVersionError) { logVersion = try KernelVersion.parse(text) } catch {
                return .failure(CheckFailure("'Linux version \(text)': \(error)"))
            }
            var reason = "from the log's 'Linux version \(text)'"
            if let flagVersion, flagVersion != logVersion {
                reason += " (--kernel \(flagVersion) contradicts the log and is not used)"
            }
            return .success(KernelChoice(version: logVersion, reason: reason))
        }
        if let flagVersion {
            return .success(KernelChoice(version: flagVersion,
                                         reason: "from --kernel (the log has no 'Linux version' line: its start was lost)"))
        }
        if let configPath {
            return .success(KernelChoice(version: nil,
                                         reason: "from the header of \(configPath) (the log has no 'Linux version' line)"))
        }
        if let platformPath {
            return .success(KernelChoice(version: nil,
                                         reason: "from the platform \(platformPath) (the log has no 'Linux version' line)"))
        }
        return .failure(CheckFailure("the log has no 'Linux version' line (its start was lost, e.g. to an early "
                                     + "buffer overflow with memblock=debug): name the kernel that booted with --kernel"))
    }
}

/// A reason `check` cannot start, said once.
struct CheckFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
