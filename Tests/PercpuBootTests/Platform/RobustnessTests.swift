import Testing
import PercpuBoot

/// No input may crash the loader: every text either loads or throws an InputError
/// whose position lies inside the text.
@Suite struct RobustnessTests {
    typealias S = PlatformTestSupport

    /// Loads `text`; an error's line must exist in the text (or be the line after it).
    static func check(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try S.load(text)
        } catch {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            if let line = error.line {
                #expect((1...lines + 1).contains(line), "\(error)", sourceLocation: sourceLocation)
            }
            if let column = error.column {
                #expect(column >= 1, "\(error)", sourceLocation: sourceLocation)
            }
        }
    }

    static let acpiFile = """
        arch: x86_64
        kernel: "5.10"
        config: { paging: 4-level }
        static-size: 0x35000
        firmware:
          acpi:
            processors: [{ id: 0, pxm: 0 }, { id: 1, pxm: 1, enabled: false }]
            memory:
              - { base: 0, size: 2G, pxm: 0, hotplug: false }
            slit: [[10, 20], [20, 10]]
        memblock: { reserved: [{ base: 0x100_0000, size: 16M, name: kernel }] }
        """

    @Test func everyPrefixOfValidFilesLoadsOrFails() {
        for text in [PlatformLoaderTests.everyKeyDeviceTree, Self.acpiFile] {
            let characters = Array(text)
            for end in 0...characters.count {
                Self.check(String(characters[..<end]))
            }
        }
    }

    @Test func everySingleCharacterDeletionLoadsOrFails() {
        let characters = Array(Self.acpiFile)
        for index in characters.indices {
            var copy = characters
            copy.remove(at: index)
            Self.check(String(copy))
        }
    }

    /// Seeded random edits (replace, insert, delete a character with YAML's
    /// punctuation, digits and letters) of the valid files.
    @Test func randomEditsLoadOrFail() {
        var generator = SeededGenerator(seed: 0x5EED)
        let alphabet = Array(":-[]{},#&*!|>'\"?% \n\t0x1G_.ab\u{1}\u{FEFF}é")
        for base in [PlatformLoaderTests.everyKeyDeviceTree, Self.acpiFile] {
            let characters = Array(base)
            for _ in 0..<1500 {
                var copy = characters
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let index = Int.random(in: 0..<copy.count, using: &generator)
                    let character = alphabet.randomElement(using: &generator)!
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0: copy[index] = character
                    case 1: copy.insert(character, at: index)
                    default: copy.remove(at: index)
                    }
                }
                Self.check(String(copy))
            }
        }
    }

    @Test func deepNestingIsRefused() {
        for text in [String(repeating: "[", count: 100_000), String(repeating: "{a: ", count: 50_000),
                     String(repeating: "- ", count: 50_000) + "x",
                     (0..<1000).map { String(repeating: " ", count: $0) + "a:" }.joined(separator: "\n")] {
            let error = S.error(text)
            #expect(error?.message.hasPrefix("YAML nested") == true)
        }
        // Moderate nesting composes and fails on the schema instead.
        let nested = "arch: " + String(repeating: "[", count: 150) + String(repeating: "]", count: 150) + "\n"
        #expect(S.error(nested)?.message == "got a list")
    }

    @Test func oddInputs() {
        let texts = [
            "\u{FEFF}arch: arm64\n", "arch: arm64\r\nstatic-size: 1\r\n", "\0", "'", "\"", "&a [*a]", "? : :",
            "!!binary AAAA", "arch: !!int arm64\n", "<<: {arch: arm64}\n", "arch: &a arm64\nname: *a\n",
            "%YAML 1.2\n---\narch: arm64\n", "...\n", "{", "}", "- - -", "arch: arm64\nconfig: !!map {}\n",
            "arch: arm64\nstatic-size: 1\nfirmware: { device-tree: { cpus: [{reg: *x}] } }\n",
            String(repeating: "x", count: 100_000), "a: " + String(repeating: "9", count: 10_000),
        ]
        for text in texts { Self.check(text) }
        #expect(S.error("arch: !!int arm64\n")?.message == "missing key 'static-size'")
    }
}

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
