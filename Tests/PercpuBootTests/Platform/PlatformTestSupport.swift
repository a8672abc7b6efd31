import Foundation
import Testing
import PercpuBoot

/// Helpers shared by the platform-loader tests.
enum PlatformTestSupport {
    /// A DTB loader for files that must not name a DTB.
    static let noDTB: @Sendable (String) throws(InputError) -> DeviceTreeFirmware = { path throws(InputError) in
        throw InputError(file: path, message: "unexpected DTB in this test")
    }

    /// Loads `yaml` as if read from `file` in `baseDirectory`.
    static func load(_ yaml: String, file: String = "test.yaml", baseDirectory: String = "",
                     defaultArch: Architecture? = nil, defaultStaticSize: UInt64? = nil) throws(InputError) -> Platform {
        try PlatformLoader.load(yaml: yaml, fileName: file, baseDirectory: baseDirectory,
                                defaultArch: defaultArch, defaultStaticSize: defaultStaticSize, dtbLoader: noDTB)
    }

    /// The error loading `yaml` raises; records an issue when it loads.
    static func error(_ yaml: String, file: String = "test.yaml", baseDirectory: String = "",
                      sourceLocation: SourceLocation = #_sourceLocation) -> InputError? {
        do {
            let platform = try load(yaml, file: file, baseDirectory: baseDirectory)
            Issue.record("expected an error, loaded \(platform.name)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    /// A fresh temporary folder.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "pcpu-boot-platform-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The minimal valid head of a file (arch, static-size and a device tree),
    /// for tests that vary one key. 4 lines.
    static let minimalHead = """
        arch: arm64
        static-size: 87272
        firmware:
          device-tree: { cpu-count: 2 }

        """
}
