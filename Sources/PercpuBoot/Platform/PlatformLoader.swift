import Foundation
import Yams

/// Loads platform files (YAML, see docs/platform-format.md) into `Platform`s.
///
/// The loader checks structure, types and ranges and nothing more: every
/// error is an `InputError` located at file:line:column with its key path.
/// What the emulated kernel would complain about (a bad `numa-node-id`, an
/// invalid distance map, overlapping memory) is kept as written, so the
/// emulator can print the kernel's warning.
public enum PlatformLoader {
    /// The keys of a platform file's top level.
    static let rootKeys = ["name", "description", "arch", "kernel", "config", "static-size", "per-cpu-start",
                           "cmdline", "firmware", "memblock"]
    static let archExpected = "arm64, riscv64 or x86_64"
    static let staticSizeExpected = "__per_cpu_end - __per_cpu_start in bytes, above 0 and below 1G"

    /// Loads the platform file at `path`.
    ///
    /// - Parameters:
    ///   - defaultArch: the architecture when the file has no `arch` key (a command-line `--arch`).
    ///   - defaultStaticSize: the static per-CPU size when the file has no `static-size` key.
    ///   - dtbLoader: turns a DTB path (already resolved against the file's folder) into firmware.
    public static func load(path: String, defaultArch: Architecture? = nil, defaultStaticSize: UInt64? = nil,
                            dtbLoader: (String) throws(InputError) -> DeviceTreeFirmware) throws(InputError)
        -> Platform {
        let text = try readText(path)
        return try load(yaml: text, fileName: path, baseDirectory: directory(of: path),
                        defaultArch: defaultArch, defaultStaticSize: defaultStaticSize, dtbLoader: dtbLoader)
    }

    /// Loads a platform from YAML text.
    ///
    /// - Parameters:
    ///   - fileName: the name errors report, and the default platform `name` (without `.yaml`).
    ///   - baseDirectory: the folder `dtb` and `memblock.from-log` paths are relative to ("" = the current one).
    public static func load(yaml: String, fileName: String, baseDirectory: String,
                            defaultArch: Architecture? = nil, defaultStaticSize: UInt64? = nil,
                            dtbLoader: (String) throws(InputError) -> DeviceTreeFirmware) throws(InputError)
        -> Platform {
        guard let root = try YAMLDocument.compose(yaml, file: fileName),
              !Field(node: root, path: "", file: fileName).isNull else {
            throw InputError(file: fileName, message: "the file holds no YAML document",
                             expected: "a mapping with at least arch, static-size and firmware")
        }
        let context = LoadContext(file: fileName, baseDirectory: baseDirectory)
        let top = try Field(node: root, path: "", file: fileName)
            .mapping(keys: rootKeys, expected: "a mapping of platform keys: arch, static-size, firmware, ...",
                     elsewhere: misplacedKeys)

        // In the schema's order, which is also the order of dependence (config needs arch and kernel).
        let name = try top["name"]?.string() ?? defaultName(fileName)
        let description = try top["description"]?.string() ?? ""
        let arch: Architecture
        if let field = top["arch"] {
            arch = try architecture(field)
        } else if let defaultArch {
            arch = defaultArch
        } else {
            throw top.absent("arch", expected: archExpected)
        }
        let kernelIsExplicit = top["kernel"] != nil
        let kernel = try top["kernel"].map(kernelVersion) ?? .default
        let config = try ConfigSection.parse(top["config"], arch: arch, kernel: kernel)

        let staticSize: UInt64
        if top["static-size"] == nil, let defaultStaticSize {
            staticSize = defaultStaticSize
        } else {
            staticSize = try top.required("static-size", expected: staticSizeExpected)
                .integer(in: 1...(1 << 30) - 1, expected: staticSizeExpected)
        }
        let perCPUStart = try top["per-cpu-start"]?.integer(in: 0...UInt64.max,
                                                            expected: "the address of __per_cpu_start (System.map)")
        let cmdline = try top["cmdline"]?.string() ?? ""
        let firmwareField = try top.required("firmware", expected: "a mapping with device-tree or acpi")
        let firmware = try FirmwareSection.parse(firmwareField, context: context, dtbLoader: dtbLoader)
        let memblock = try top["memblock"].map { field throws(InputError) in
            try memblockSetup(field, context: context)
        } ?? MemblockSetup()

        var platform = Platform(name: name, description: description, arch: arch, kernel: kernel, config: config,
                                staticSize: staticSize, cmdline: cmdline, firmware: firmware, memblock: memblock)
        platform.perCPUStart = perCPUStart
        platform.kernelIsExplicit = kernelIsExplicit
        return platform
    }

    /// Top-level keys people put at the wrong level, and where they belong.
    private static let misplacedKeys: [String: String] = {
        var keys: [String: String] = [:]
        for key in ConfigSection.keys { keys[key] = "config" }
        for key in ["device-tree", "acpi"] { keys[key] = "firmware" }
        for key in ["from-log", "reserved"] { keys[key] = "memblock" }
        return keys
    }()

    // MARK: - arch, kernel

    /// Spellings of the architectures that other tools use: a hint, not accepted.
    private static let archSynonyms: [String: String] = [
        "aarch64": "arm64", "arm": "arm64", "armv8": "arm64", "amd64": "x86_64", "x86-64": "x86_64",
        "x64": "x86_64", "x86": "x86_64", "riscv": "riscv64", "rv64": "riscv64", "riscv-64": "riscv64",
    ]

    static func architecture(_ field: Field) throws(InputError) -> Architecture {
        let text = try field.string()
        if let arch = Architecture(rawValue: text) { return arch }
        let names = Architecture.allCases.map(\.rawValue)
        throw field.error("unknown architecture '\(text)'", expected: archExpected,
                          suggestion: archSynonyms[text.lowercased()] ?? didYouMean(text, among: names))
    }

    /// The kernel release, any from 3.10 to 7.2, as users write it (`5.4`, `"5.10"`, `6.12`,
    /// `6.1.0-56-arm64`). The scalar is read as written, so an unquoted `5.10` means 5.10
    /// (a YAML reader that resolves numbers would see 5.1; pcpu-boot never does).
    static func kernelVersion(_ field: Field) throws(InputError) -> KernelVersion {
        let text = try field.string()
        do throws(KernelVersionError) { return try KernelVersion.parse(text) } catch {
            let expected = "a release from \(KernelVersion.oldest) to \(KernelVersion.newest), e.g. 5.4, \"5.10\", 6.12, 6.1.0-56-arm64"
            throw field.error("\(error)", expected: expected)
        }
    }

    // MARK: - memblock

    static func memblockSetup(_ field: Field, context: LoadContext) throws(InputError) -> MemblockSetup {
        let fields = try field.mapping(keys: ["from-log", "memory", "reserved"])
        var setup = MemblockSetup()
        // memory/reserved describe memblock before NUMA init; from-log takes over from the
        // log's dump (taken after NUMA init), so the two combine (x86 needs its e820 RAM
        // for NUMA init even when the per-CPU setup replays a log).
        if let logField = fields["from-log"] {
            setup.fromLog = try context.existingFile(logField, what: "boot log")
        }
        setup.memory = try ranges(fields["memory"], named: true)
        setup.reserved = try ranges(fields["reserved"], named: true)
        return setup
    }

    // MARK: - Ranges

    static let rangeExpected = "a mapping with base, size and optionally name"

    /// A list of `{ base, size, name }` ranges; nil (absent) reads as none.
    static func ranges(_ field: Field?, named: Bool) throws(InputError) -> [PhysRange] {
        guard let field else { return [] }
        var result: [PhysRange] = []
        for element in try field.sequence(expected: "a list of { base, size } mappings") {
            result.append(try range(element, named: named))
        }
        return result
    }

    /// One `{ base, size, name }` range.
    static func range(_ field: Field, named: Bool) throws(InputError) -> PhysRange {
        let keys = named ? ["base", "size", "name"] : ["base", "size"]
        let fields = try field.mapping(keys: keys, expected: rangeExpected)
        let base = try fields.required("base", expected: "an address").number(expected: "an address")
        let sizeField = try fields.required("size", expected: "a size in bytes")
        let size = try sizeField.number(expected: "a size in bytes")
        try checkEnd(base: base, size: size, at: sizeField)
        return PhysRange(base: base, size: size, name: try fields["name"]?.string())
    }

    /// `[base, base + size)` must end within the 64-bit physical address space.
    static func checkEnd(base: UInt64, size: UInt64, at field: Field) throws(InputError) {
        if size > 0, base.addingReportingOverflow(size - 1).overflow {
            throw field.error("range 0x\(String(base, radix: 16)) + 0x\(String(size, radix: 16)) "
                              + "runs past the end of the 64-bit address space",
                              expected: "base + size <= 2^64")
        }
    }

    // MARK: - Files

    static func readText(_ path: String) throws(InputError) -> String {
        let bytes = try InputFile.read(path, what: "platform file")
        let data = Data(bytes)
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, message: "the file is not UTF-8 text", expected: "a YAML platform file")
        }
        return text
    }

    /// The folder of `path` ("" for a bare file name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `path` as seen from the current directory, when written relative to `base`.
    static func resolve(_ path: String, against base: String) -> String {
        if path.hasPrefix("/") || base.isEmpty || base == "." { return path }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }

    /// The file name without folders and without `.yaml` / `.yml`.
    static func defaultName(_ fileName: String) -> String {
        var name = fileName.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? fileName
        for suffix in [".yaml", ".yml"] where name.hasSuffix(suffix) && name.count > suffix.count {
            name.removeLast(suffix.count)
        }
        return name
    }
}

/// What the section parsers need beyond the node: which file, and where the files it names are.
struct LoadContext {
    let file: String
    let baseDirectory: String

    /// The path in `field`, resolved against the platform file's folder; an
    /// error at `field` when no such file exists.
    func existingFile(_ field: Field, what: String) throws(InputError) -> String {
        let written = try field.string()
        guard !written.isEmpty else { throw field.error("empty path", expected: "the path of a \(what)") }
        let resolved = PlatformLoader.resolve(written, against: baseDirectory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory),
              !isDirectory.boolValue else {
            let shown = resolved == written ? "'\(written)'" : "'\(written)' (\(resolved))"
            throw field.error("no such file \(shown)", expected: "the path of a \(what), relative to the platform file")
        }
        return resolved
    }

    /// The directory in `field`, resolved against the platform file's folder.
    func existingDirectory(_ field: Field, what: String) throws(InputError) -> String {
        let written = try field.string()
        guard !written.isEmpty else { throw field.error("empty path", expected: "the path of a \(what)") }
        let resolved = PlatformLoader.resolve(written, against: baseDirectory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), isDirectory.boolValue else {
            let shown = resolved == written ? "'\(written)'" : "'\(written)' (\(resolved))"
            throw field.error("no such directory \(shown)", expected: "the path of a \(what), relative to the platform file")
        }
        return resolved
    }
}
