import Foundation

/// `--format json`: everything the boot produced, with stable field names
/// (the Codable names of `BootResult` and the types it holds), keys sorted.
public enum JSONReport {
    public static func render(_ result: BootResult) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(result)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
