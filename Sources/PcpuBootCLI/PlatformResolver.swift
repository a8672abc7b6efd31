import Foundation
import PercpuBoot

/// Finds a platform file from what the user typed: an existing path, the same
/// path matched case-insensitively (so `platforms/arm64-4node.yaml` finds
/// `Platforms/arm64-4node.yaml` on case-sensitive file systems), or a bundled
/// platform's name (`arm64-4node`).
enum PlatformResolver {
    /// Folders holding the bundled platforms, in search order: `$PCPU_BOOT_PLATFORMS`,
    /// `./Platforms`, and the `Platforms` folder of the source tree this binary was built from.
    static var bundledDirectories: [String] {
        var dirs: [String] = []
        if let env = ProcessInfo.processInfo.environment["PCPU_BOOT_PLATFORMS"], !env.isEmpty { dirs.append(env) }
        dirs.append(FileManager.default.currentDirectoryPath + "/Platforms")
        let source = URL(fileURLWithPath: #filePath)      // …/Sources/PcpuBootCLI/PlatformResolver.swift
        dirs.append(source.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Platforms").path)
        var seen: Set<String> = []
        return dirs.filter { seen.insert(URL(fileURLWithPath: $0).standardizedFileURL.path).inserted }
    }

    /// The bundled platforms: name → path, from the first folder that has each name.
    static func bundled() -> [(name: String, path: String)] {
        var result: [(String, String)] = []
        var names: Set<String> = []
        for dir in bundledDirectories {
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for file in files.sorted() where file.hasSuffix(".yaml") {
                let name = String(file.dropLast(5))
                if names.insert(name).inserted { result.append((name, dir + "/" + file)) }
            }
        }
        return result
    }

    static func resolve(_ given: String) throws(CLIInputError) -> String {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: given, isDirectory: &isDirectory), !isDirectory.boolValue { return given }
        if let path = caseInsensitiveMatch(given) { return path }
        let name = URL(fileURLWithPath: given).lastPathComponent.replacingOccurrences(of: ".yaml", with: "")
        let bundled = bundled()
        if let hit = bundled.first(where: { $0.name == name || $0.name.lowercased() == name.lowercased() }) {
            return hit.path
        }
        var message = "\(given): no such platform file or bundled platform"
        if let guess = didYouMean(name, among: bundled.map(\.name)) { message += "; did you mean '\(guess)'?" }
        else if !bundled.isEmpty { message += " (bundled: \(bundled.map(\.name).joined(separator: ", ")))" }
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
