/// A mainline kernel release, `major.minor`: the unit in which per-CPU behaviour changes.
///
/// Stable and distribution kernels (`6.1.0-56-arm64`, `5.15.0-91-generic`,
/// `4.18.0-513.el8.x86_64`) behave as their mainline `major.minor` as far as
/// pcpu-boot emulates: their backports do not touch the per-CPU setup or the
/// lines it prints. Behaviour is never asked of a version directly; code asks
/// `kernel.has(.someChange)` and the table in `KernelChange+Table.swift` says
/// where each change begins (and, rarely, ends).
public struct KernelVersion: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let major: Int
    public let minor: Int

    /// Builds a version without range checks (constants and tests); inputs go
    /// through `parse(_:)`, which enforces `supported`.
    public init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// The oldest and newest releases pcpu-boot emulates.
    public static let oldest = KernelVersion(3, 10)
    public static let newest = KernelVersion(7, 2)
    public static let supported = oldest...newest
    /// The release the design follows when neither the platform nor a log names one.
    public static let `default` = KernelVersion(6, 8)

    public static func < (a: KernelVersion, b: KernelVersion) -> Bool {
        (a.major, a.minor) < (b.major, b.minor)
    }

    public var description: String { "\(major).\(minor)" }

    /// Does this kernel have `change`? The one question the emulation asks of a version.
    public func has(_ change: KernelChange) -> Bool {
        let window = KernelChange.windows[change.index]
        if self < window.since { return false }
        if let until = window.until, self >= until { return false }
        return true
    }

    /// Every supported release: 3.10 … 3.19, 4.0 … 4.20, 5.0 … 5.19, 6.0 … 6.19, 7.0 … 7.2.
    /// (Linus numbers the last minor of a major by feel: 3.19, 4.20, 5.19, 6.19.)
    public static let allReleases: [KernelVersion] = {
        let lastMinor = [3: 19, 4: 20, 5: 19, 6: 19, 7: newest.minor]
        var all: [KernelVersion] = []
        for major in oldest.major...newest.major {
            let first = major == oldest.major ? oldest.minor : 0
            for minor in first...(lastMinor[major] ?? 0) { all.append(KernelVersion(major, minor)) }
        }
        return all
    }()

    /// Reads a release as users write it: `5.4`, `v6.8`, `6.12.3`, `6.1.0-56-arm64`,
    /// `5.15.0-91-generic`, `4.18.0-513.el8.x86_64`, `7.2.13+deb14-arm64`.
    /// Only the leading `major.minor` counts; it must name a release in `supported`.
    public static func parse(_ text: String) throws(KernelVersionError) -> KernelVersion {
        let shown = text.count > 60 ? String(text.prefix(60)) + "…" : text
        var rest = Substring(text)
        while let first = rest.first, first == " " || first == "\t" { rest = rest.dropFirst() }
        while let last = rest.last, last == " " || last == "\t" { rest = rest.dropLast() }
        if rest.hasPrefix("v") || rest.hasPrefix("V") { rest = rest.dropFirst() }
        guard let major = leadingNumber(&rest), rest.first == "." else { throw .notAVersion(shown) }
        rest = rest.dropFirst()
        guard let minor = leadingNumber(&rest) else { throw .notAVersion(shown) }
        // What may follow major.minor: nothing, ".patch", "-abi…", "+local…", "_…".
        if let next = rest.first, !".-+_".contains(next) { throw .notAVersion(shown) }
        let version = KernelVersion(major, minor)
        guard allReleases.contains(version) else { throw .unsupported(shown, version) }
        return version
    }

    private static func leadingNumber(_ text: inout Substring) -> Int? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 4, let value = Int(digits) else { return nil }
        text = text.dropFirst(digits.count)
        return value
    }

    // The releases the first profiles were written for; kept as names for tests and tables.
    public static let v3_10 = KernelVersion(3, 10)
    public static let v5_10 = KernelVersion(5, 10)
    public static let v6_1 = KernelVersion(6, 1)
    public static let v6_8 = KernelVersion(6, 8)
    public static let v6_12 = KernelVersion(6, 12)
    public static let v7_2 = KernelVersion(7, 2)
}

/// Why a text is not a kernel release pcpu-boot emulates.
public enum KernelVersionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not of the form `major.minor[…]`.
    case notAVersion(String)
    /// A release outside 3.10 … 7.2 (or one that never existed, like 5.25).
    case unsupported(String, KernelVersion)

    public var description: String {
        let range = "\(KernelVersion.oldest) to \(KernelVersion.newest)"
        switch self {
        case .notAVersion(let text):
            return "'\(text)' is not a kernel release (expected major.minor, e.g. 5.4, 6.12, 6.1.0-56-arm64)"
        case .unsupported(let text, let version):
            return "kernel \(version) ('\(text)') is not emulated: pcpu-boot covers releases \(range)"
        }
    }
}

extension KernelVersion {
    /// Encoded as its `major.minor` text (`"6.12"`), as users write it.
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try KernelVersion.parse(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
