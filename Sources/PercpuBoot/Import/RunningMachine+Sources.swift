import Foundation
import KernelBuild

extension RunningMachine {
    /// `__per_cpu_start`/`__per_cpu_end`: `proc/kallsyms`, else `boot/System.map-RELEASE`.
    /// kallsyms lists them only with CONFIG_KALLSYMS_ALL, and `kallsyms_show_value()`
    /// prints every address as 0 for a reader the kernel does not trust (kptr_restrict,
    /// no CAP_SYSLOG): both zero is "zeroed", never a section (x86_64 before v6.15 has
    /// `__per_cpu_start` 0 for real, but its `__per_cpu_end` is not).
    mutating func readPerCPUSymbols() throws(InputError) {
        let fallback = "the static size from the log's 'percpu:' line"
        var candidates = ["proc/kallsyms"]
        if let osrelease { candidates.append("boot/System.map-\(osrelease)") }
        for (index, relative) in candidates.enumerated() {
            let name = "per-CPU symbols"
            let next = index + 1 < candidates.count ? "trying \(candidates[index + 1])" : fallback
            let bytes: [UInt8]
            switch readFile(relative, what: "symbol list") {
            case .bytes(let b): bytes = b
            case .missing: note(name, relative, .missing, "missing: " + next); continue
            case .unreadable(let why): note(name, relative, .unreadable, "unreadable (\(why)): " + next); continue
            }
            let wanted = Self.perCPULines(bytes)
            guard wanted.start, wanted.end else {
                note(name, relative, .missing, "no __per_cpu_start/__per_cpu_end"
                     + (index == 0 ? " (listed only with CONFIG_KALLSYMS_ALL)" : "") + ": " + next)
                continue
            }
            let section: PerCPUSection
            do throws(KernelBuildError) { section = try SystemMap.perCPUSection(wanted.text, fileName: path(relative)) } catch {
                throw InputError(error)
            }
            if section.start == 0 && section.end == 0 {
                note(name, relative, .unreadable, "addresses zeroed (kptr_restrict, or not root): " + next)
                continue
            }
            perCPUSection = section
            perCPUPath = path(relative)
            note(name, relative, .read, "static size \(section.staticSize) = __per_cpu_end 0x\(String(section.end, radix: 16))"
                 + " - __per_cpu_start 0x\(String(section.start, radix: 16))")
            return
        }
    }

    /// The `__per_cpu_start`/`__per_cpu_end` lines of an nm-style list (`ADDRESS TYPE NAME`;
    /// kallsyms' module symbols end in `\t[module]` and are never these), every other line
    /// left empty so that `SystemMap.perCPUSection` checks the two and names their real line numbers.
    static func perCPULines(_ bytes: [UInt8]) -> (text: [UInt8], start: Bool, end: Bool) {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 16)
        var found = (start: false, end: false)
        var lineStart = 0
        let startName = Array(" __per_cpu_start".utf8)
        let endName = Array(" __per_cpu_end".utf8)
        func take(_ range: Range<Int>) {
            let line = bytes[range]
            // Cheap test first: only lines that end in one of the two names are looked at.
            var trimmed = line
            while let last = trimmed.last, last == 0x20 || last == 0x09 || last == 0x0d { trimmed = trimmed.dropLast() }
            if line.count < 300, trimmed.suffix(startName.count).elementsEqual(startName) || trimmed.suffix(endName.count).elementsEqual(endName) {
                let text = String(decoding: line, as: UTF8.self)
                let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if fields.count >= 3, fields[2] == "__per_cpu_start" || fields[2] == "__per_cpu_end" {
                    if fields[2] == "__per_cpu_start" { found.start = true } else { found.end = true }
                    out += fields.prefix(3).joined(separator: " ").utf8
                }
            }
            out.append(0x0a)
        }
        for index in bytes.indices where bytes[index] == 0x0a {
            take(lineStart..<index)
            lineStart = index + 1
        }
        if lineStart < bytes.count { take(lineStart..<bytes.count) }
        return (out, found.start, found.end)
    }

    /// The boot log: `logFile`, else `dev/kmsg`, else `var/log/dmesg`.
    mutating func readLog(_ logFile: String?) throws(InputError) {
        if let logFile {
            log = try InputFile.text(logFile, what: "boot log")
            logPath = logFile
            sources.append(Source(name: "boot log", path: logFile, status: .read, detail: "read (--log)"))
            return
        }
        let kmsg = "dev/kmsg"
        var info = stat()
        if stat(path(kmsg), &info) == 0, info.st_mode & S_IFMT == S_IFCHR {
            switch KernelMessages.readDevice(path(kmsg)) {
            case .success(let records):
                log = KernelMessages.dmesgText(records)
                logPath = path(kmsg)
                note("boot log", kmsg, .read, "read \(records.count) records" + KernelMessages.lostStart(records))
                return
            case .failure(let why):
                note("boot log", kmsg, .unreadable, "unreadable (\(why)): trying var/log/dmesg")
            }
        } else {
            switch readFile(kmsg, what: "kernel message records") {
            case .bytes(let bytes):
                let records = KernelMessages.records(bytes)
                log = records.isEmpty ? String(decoding: bytes, as: UTF8.self) : KernelMessages.dmesgText(records)
                logPath = path(kmsg)
                note("boot log", kmsg, .read, records.isEmpty ? "read (plain text)"
                     : "read \(records.count) records (a recording of /dev/kmsg)" + KernelMessages.lostStart(records))
                return
            case .missing: note("boot log", kmsg, .missing, "missing: trying var/log/dmesg")
            case .unreadable(let why): note("boot log", kmsg, .unreadable, "unreadable (\(why)): trying var/log/dmesg")
            }
        }
        let saved = "var/log/dmesg"
        let nothing = "no log: nothing to compare (give one with --log FILE, e.g. `dmesg > FILE`)"
        switch readFile(saved, what: "boot log") {
        case .bytes(let bytes):
            log = String(decoding: bytes, as: UTF8.self)
            logPath = path(saved)
            note("boot log", saved, .read, "read")
        case .missing: note("boot log", saved, .missing, "missing: " + nothing)
        case .unreadable(let why): note("boot log", saved, .unreadable, "unreadable (\(why)): " + nothing)
        }
    }
}

extension InputError {
    /// A kernel build file's error as an input error (file, line, the byte offset in the message).
    init(_ error: KernelBuildError) {
        self.init(file: error.fileName, line: error.line,
                  message: (error.offset.map { "offset 0x" + String($0, radix: 16) + ": " } ?? "") + error.message)
    }
}

/// One entry of `/sys/firmware/memmap` (drivers/firmware/memmap.c, `firmware_map_add_early`
/// from x86's `e820__reserve_resources`): `start` and `end` (inclusive) as `0x%llx`, the
/// type as `e820_type_to_string` names it ("System RAM", "Reserved", "ACPI Tables", ...).
public struct FirmwareMemmapEntry: Equatable, Sendable, Codable {
    public var start: UInt64
    public var end: UInt64
    public var type: String

    public var isSystemRAM: Bool { type == "System RAM" }

    /// Reads `DIR/start`, `DIR/end`, `DIR/type`; anything else than the kernel writes is an error.
    static func read(directory: String) throws(InputError) -> FirmwareMemmapEntry {
        func field(_ name: String) throws(InputError) -> String {
            let file = directory + "/" + name
            let bytes = try InputFile.read(file, what: "memmap \(name)")
            return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func number(_ name: String) throws(InputError) -> UInt64 {
            let text = try field(name)
            guard text.hasPrefix("0x"), let value = UInt64(text.dropFirst(2), radix: 16) else {
                throw InputError(file: directory + "/" + name, message: "'\(InputError.cut(text, to: 60))' is not an address",
                                 expected: "0x followed by hex digits, as the kernel writes it")
            }
            return value
        }
        let start = try number("start")
        let end = try number("end")
        guard end >= start else {
            throw InputError(file: directory + "/end", message: "end 0x\(String(end, radix: 16)) lies below start 0x\(String(start, radix: 16))",
                             expected: "the inclusive end of the range")
        }
        let type = try field("type")
        guard !type.isEmpty, type.count <= 64 else {
            throw InputError(file: directory + "/type", message: "empty or overlong type", expected: "a name like 'System RAM'")
        }
        return FirmwareMemmapEntry(start: start, end: end, type: type)
    }

    /// The RAM `e820__memblock_setup` adds (arch/x86/kernel/e820.c, v6.1–v6.18), from the
    /// firmware's map: its `System RAM` entries after the two changes every x86_64 boot
    /// makes before that — `e820__range_update(0, PAGE_SIZE, E820_TYPE_RAM,
    /// E820_TYPE_RESERVED)` (page 0, setup_arch) and `trim_bios_range`'s
    /// `e820__range_remove(BIOS_BEGIN, BIOS_END - BIOS_BEGIN, E820_TYPE_RAM, 1)` (0xa0000–
    /// 0x100000). memblock's page trimming is left to the boot (`memblock_trim_memory`).
    public static func x86MemblockRAM(_ entries: [FirmwareMemmapEntry]) -> [PhysRange] {
        let cuts: [(UInt64, UInt64)] = [(0, 0x1000), (0xa0000, 0x100000)]
        var ranges: [(UInt64, UInt64)] = []          // [start, end) pieces
        for entry in entries where entry.isSystemRAM && entry.end < UInt64.max {
            var pieces = [(entry.start, entry.end + 1)]
            for (cutStart, cutEnd) in cuts {
                pieces = pieces.flatMap { piece -> [(UInt64, UInt64)] in
                    guard piece.0 < cutEnd && cutStart < piece.1 else { return [piece] }
                    var rest: [(UInt64, UInt64)] = []
                    if piece.0 < cutStart { rest.append((piece.0, cutStart)) }
                    if cutEnd < piece.1 { rest.append((cutEnd, piece.1)) }
                    return rest
                }
            }
            ranges += pieces
        }
        return ranges.sorted { $0.0 < $1.0 }.map { PhysRange(base: $0.0, size: $0.1 - $0.0) }
    }
}
