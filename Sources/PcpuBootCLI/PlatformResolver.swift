import Foundation
import PercpuBoot

/// Where a platform's YAML comes from: a file the user named, or a platform
/// bundled in the binary (`Platforms/*.yaml`, embedded at build time).
enum PlatformSource: Equatable {
    case file(path: String)
    case bundled(name: String, text: String)

    /// Loads the platform. A bundled platform reports errors as
    /// `Platforms/NAME.yaml`, the file it was generated from.
    func load() throws(InputError) -> Platform {
        switch self {
        case .file(let path):
            return try PlatformLoader.load(path: path, dtbLoader: DeviceTreeBlob.load(path:))
        case .bundled(let name, let text):
            return try PlatformLoader.load(yaml: text, fileName: "Platforms/\(name).yaml", baseDirectory: "",
                                           dtbLoader: DeviceTreeBlob.load(path:))
        }
    }
}

/// Finds a platform from what the user typed: an existing path, the same path
/// matched case-insensitively (so `platforms/arm64-4node.yaml` finds
/// `Platforms/arm64-4node.yaml` on case-sensitive file systems), or a bundled
/// platform's name (`arm64-4node`, also `anything/arm64-4node.yaml` when no
/// such file exists), looked up in the table built into the binary — no folder
/// is scanned and no other platform is parsed.
enum PlatformResolver {
    /// An extra folder of platforms named by `$PCPU_BOOT_PLATFORMS`, searched by
    /// name before the built-in ones.
    static var userDirectory: String? {
        // getenv, not ProcessInfo.environment: that builds a dictionary of the whole environment.
        guard let value = getenv("PCPU_BOOT_PLATFORMS") else { return nil }
        let env = String(cString: value)
        return env.isEmpty ? nil : env
    }

    /// The bundled platforms: name → source; `$PCPU_BOOT_PLATFORMS`'s files
    /// first, then the built-in ones not shadowed by them.
    static func bundled() -> [(name: String, source: PlatformSource)] {
        var result: [(String, PlatformSource)] = []
        var names: Set<String> = []
        if let dir = userDirectory, let files = try? FileManager.default.contentsOfDirectory(atPath: dir) {
            for file in files.sorted() where file.hasSuffix(".yaml") {
                let name = String(file.dropLast(5))
                if names.insert(name).inserted { result.append((name, .file(path: dir + "/" + file))) }
            }
        }
        for (name, text) in BundledPlatformTexts.all where names.insert(name).inserted {
            result.append((name, .bundled(name: name, text: text)))
        }
        return result
    }

    /// A bundled platform by exact or case-insensitive name, without loading any other.
    static func bundled(named name: String) -> PlatformSource? {
        if let dir = userDirectory {
            let path = dir + "/" + name + ".yaml"
            if FileManager.default.fileExists(atPath: path) { return .file(path: path) }
        }
        let hit = BundledPlatformTexts.all.first { $0.name == name }
            ?? BundledPlatformTexts.all.first { $0.name.lowercased() == name.lowercased() }
        return hit.map { .bundled(name: $0.name, text: $0.text) }
    }

    static func resolve(_ given: String) throws(CLIInputError) -> PlatformSource {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: given, isDirectory: &isDirectory), !isDirectory.boolValue {
            return .file(path: given)
        }
        // A bare bundled name (`arm64-4node`) is taken before the folder is listed for a
        // differently cased file: the listing is a tenth of a small boot's run.
        if !given.contains("/"), !given.lowercased().hasSuffix(".yaml"),
           BundledPlatformTexts.all.contains(where: { $0.name == given }), let hit = bundled(named: given) {
            return hit
        }
        if let path = caseInsensitiveMatch(given) { return .file(path: path) }
        var name = Substring(given.split(separator: "/").last ?? "")
        if name.lowercased().hasSuffix(".yaml") { name = name.dropLast(5) }
        if let hit = bundled(named: String(name)) { return hit }
        let names = bundled().map(\.name)
        var message = "\(given): no such platform file or bundled platform"
        if let guess = didYouMean(String(name), among: names) { message += "; did you mean '\(guess)'?" }
        else if !names.isEmpty { message += " (bundled: \(names.joined(separator: ", ")))" }
        throw CLIInputError(message)
    }

    /// Resolves each component of a relative or absolute path case-insensitively.
    static func caseInsensitiveMatch(_ path: String) -> String? {
        let fm = FileManager.default
        let absolute = path.hasPrefix("/")
        var current = absolute ? "/" : "."
        for component in path.split(separator: "/").map(String.init) where !component.isEmpty && component != "." {
            if component == ".." { current += "/.."; continue }
            let candidate = current == "/" ? "/" + component : current + "/" + component
            if fm.fileExists(atPath: candidate) { current = candidate; continue }
            guard let entries = try? fm.contentsOfDirectory(atPath: current),
                  let match = entries.first(where: { $0.lowercased() == component.lowercased() }) else { return nil }
            current = current == "/" ? "/" + match : current + "/" + match
        }
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: current, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        return absolute || !current.hasPrefix("./") ? current : String(current.dropFirst(2))
    }
}
