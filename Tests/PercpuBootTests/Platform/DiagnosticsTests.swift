import Foundation
import Testing
import PercpuBoot

/// Every kind of input error, with its exact position, key path and did-you-mean.
/// Columns are counted by hand in the YAML literals (1-based).
@Suite struct DiagnosticsTests {
    typealias S = PlatformTestSupport

    // MARK: - Unknown keys

    @Test func unknownKeyInAFlowMappingSuggestsTheKey() {
        let yaml = """
            arch: arm64
            static-size: 87272
            firmware:
              device-tree:
                cpus:
                  - { reg: 0x0, numa-node-idd: 0 }
            """
        let error = S.error(yaml)
        #expect(error == InputError(file: "test.yaml", line: 6, column: 21,
                                    keyPath: "firmware.device-tree.cpus[0].numa-node-idd",
                                    message: "unknown key 'numa-node-idd'",
                                    expected: "reg, numa-node-id or status", suggestion: "numa-node-id"))
        #expect(error?.description == "test.yaml:6:21: error: at 'firmware.device-tree.cpus[0].numa-node-idd': "
                + "unknown key 'numa-node-idd' (expected reg, numa-node-id or status); did you mean 'numa-node-id'?")
    }

    @Test func unknownTopLevelKey() {
        let error = S.error("arch: arm64\nstattic-size: 87272\n")
        #expect(error?.line == 2)
        #expect(error?.column == 1)
        #expect(error?.keyPath == "stattic-size")
        #expect(error?.suggestion == "static-size")
        #expect(error?.expected == "name, description, arch, kernel, config, static-size, per-cpu-start, cmdline, firmware or memblock")
    }

    @Test func unknownKeyWrittenInAnotherStyle() {
        // snake_case and camelCase find the kebab-case key.
        let snake = S.error("arch: arm64\nconfig:\n  nr_cpus: 4\n")
        #expect(snake?.line == 3 && snake?.column == 3)
        #expect(snake?.keyPath == "config.nr_cpus")
        #expect(snake?.suggestion == "nr-cpus")
        #expect(S.error("arch: arm64\nconfig: { pageSize: 4K }\n")?.suggestion == "page-size")
        // Nothing close: no suggestion.
        #expect(S.error("arch: arm64\nconfig: { frobnicate: 1 }\n")?.suggestion == nil)
    }

    @Test func keyAtTheWrongLevelSaysWhereItBelongs() {
        let error = S.error("arch: arm64\nnr-cpus: 4\n")
        #expect(error?.line == 2 && error?.column == 1)
        #expect(error?.message == "unknown key 'nr-cpus' here; it belongs under 'config'")
        #expect(error?.suggestion == nil)
        #expect(S.error("arch: arm64\nacpi: {}\n")?.message == "unknown key 'acpi' here; it belongs under 'firmware'")
        #expect(S.error("<<: { arch: arm64 }\n")?.message == "merge keys ('<<') are not supported; write the keys out")
    }

    @Test func nonScalarKey() {
        let error = S.error("arch: arm64\n[a, b]: 1\n")
        #expect(error?.line == 2 && error?.column == 1)
        #expect(error?.message == "a key must be a word, got a list")
    }

    // MARK: - Duplicate keys

    @Test func duplicateKeyInABlockMapping() {
        let yaml = """
            arch: arm64
            config:
              nr-cpus: 4
              nr-cpus: 5
            """
        #expect(S.error(yaml) == InputError(file: "test.yaml", line: 4, column: 3, keyPath: "config.nr-cpus",
                                            message: "duplicate key 'nr-cpus' (first at line 3, column 3)"))
    }

    @Test func duplicateKeyInAFlowMapping() {
        // "config: { nr-cpus: 4, nr-cpus: 5 }": the keys start at columns 11 and 23.
        let error = S.error("arch: arm64\nconfig: { nr-cpus: 4, nr-cpus: 5 }\n")
        #expect(error == InputError(file: "test.yaml", line: 2, column: 23, keyPath: "config.nr-cpus",
                                    message: "duplicate key 'nr-cpus' (first at line 2, column 11)"))
    }

    @Test func duplicateTopLevelKeyAndQuotedDuplicate() {
        #expect(S.error("arch: arm64\narch: x86_64\n") == InputError(
            file: "test.yaml", line: 2, column: 1, keyPath: "arch",
            message: "duplicate key 'arch' (first at line 1, column 1)"))
        let quoted = S.error("arch: arm64\nconfig:\n  'nr-cpus': 4\n  nr-cpus: 5\n")
        #expect(quoted?.line == 4 && quoted?.column == 3)
        #expect(quoted?.keyPath == "config.nr-cpus")
    }

    @Test func duplicateKeyInsideAListElement() {
        let yaml = """
            arch: arm64
            static-size: 1
            firmware:
              device-tree:
                cpus:
                  - { reg: 0 }
                  - reg: 1
                    reg: 2
            """
        let error = S.error(yaml)
        #expect(error?.line == 8 && error?.column == 9)
        #expect(error?.keyPath == "firmware.device-tree.cpus[1].reg")
        #expect(error?.message == "duplicate key 'reg' (first at line 7, column 9)")
    }

    // MARK: - Wrong types and values

    @Test func wrongType() {
        let yaml = """
            arch: arm64
            config:
              nr-cpus: { a: 1 }
            """
        #expect(S.error(yaml) == InputError(file: "test.yaml", line: 3, column: 12, keyPath: "config.nr-cpus",
                                            message: "got a mapping", expected: "an integer from 1 to 8192"))
        let list = S.error(S.minimalHead + "cmdline: [a]\n")
        #expect(list?.message == "got a list")
        #expect(list?.expected == "a string")
        #expect(list?.line == 5 && list?.column == 10)
        let text = S.error("arch: arm64\nstatic-size: lots\n")
        #expect(text?.message == "'lots' is not a number")
        #expect(text?.line == 2 && text?.column == 14)
        let root = S.error("- arch: arm64\n")
        #expect(root?.message == "got a list")
        #expect(root?.line == 1 && root?.column == 1)
    }

    @Test func numberErrors() {
        // "static-size: " is 13 characters: values start at column 14.
        let cases: [(String, String)] = [
            ("0x1_0000_0000_0000_0000", "0x1_0000_0000_0000_0000 does not fit 64 bits"),
            ("16E", "16E does not fit 64 bits"),
            ("-4", "-4 is negative"),
            ("1.5K", "1.5K is not an integer"),
            ("1e3", "1e3 is not an integer"),
            ("010", "010 has a leading zero, which YAML 1.1 reads as octal"),
            ("4X", "'X' is not a size suffix in 4X"),
            ("4ß", "'ß' is not a size suffix in 4ß"),
            ("'-'", "'-' is not a number"),
            ("0", "0 is out of range"),
            ("1G", "1073741824 is out of range"),
        ]
        for (written, message) in cases {
            let error = S.error("arch: arm64\nstatic-size: \(written)\n")
            #expect(error?.message == message, "\(written)")
            #expect(error?.line == 2 && error?.column == 14, "\(written)")
            #expect(error?.keyPath == "static-size")
        }
        let cell = S.error("""
            arch: x86_64
            static-size: 1
            firmware:
              acpi:
                processors: [{ id: 0, pxm: 0x1_0000_0000 }]
            """)
        #expect(cell?.message == "4294967296 does not fit 32 bits")
        #expect(cell?.line == 5 && cell?.column == 32)
        #expect(cell?.keyPath == "firmware.acpi.processors[0].pxm")
    }

    @Test func booleans() {
        let error = S.error("arch: arm64\nconfig: { smp: yes }\n")
        #expect(error == InputError(file: "test.yaml", line: 2, column: 16, keyPath: "config.smp",
                                    message: "'yes' is not a boolean", expected: "true or false", suggestion: "true"))
        #expect(S.error("arch: arm64\nconfig: { numa: off }\n")?.suggestion == "false")
    }

    @Test func architecture() {
        #expect(S.error("arch: aarch64\n") == InputError(
            file: "test.yaml", line: 1, column: 7, keyPath: "arch", message: "unknown architecture 'aarch64'",
            expected: "arm64, riscv64 or x86_64", suggestion: "arm64"))
        #expect(S.error("arch: x86-64\n")?.suggestion == "x86_64")
        #expect(S.error("arch: riscv46\n")?.suggestion == "riscv64")
    }

    /// Any release 3.10 … 7.2, read as written (an unquoted 5.10 is 5.10, not the float 5.1);
    /// anything else names the range.
    @Test func kernelVersionsAreReadAsWrittenAndRangeChecked() throws {
        let base = S.minimalHead
        for (written, version) in [("5.10", KernelVersion(5, 10)), ("\"5.10\"", KernelVersion(5, 10)),
                                   ("6.10", KernelVersion(6, 10)), ("3.10", KernelVersion(3, 10)),
                                   ("4.18.0-513.el8.x86_64", KernelVersion(4, 18)), ("v7.2", KernelVersion(7, 2))] {
            let platform = try? S.load(base + "kernel: \(written)\n", file: "test.yaml")
            #expect(platform?.kernel == version, "kernel: \(written)")
        }
        let tooOld = S.error("arch: arm64\nkernel: 3.9\n")
        #expect(tooOld == InputError(
            file: "test.yaml", line: 2, column: 9, keyPath: "kernel",
            message: "kernel 3.9 ('3.9') is not emulated: pcpu-boot covers releases 3.10 to 7.2",
            expected: #"a release from 3.10 to 7.2, e.g. 5.4, "5.10", 6.12, 6.1.0-56-arm64"#))
        #expect(S.error("arch: arm64\nkernel: 7.3\n")?.message.hasSuffix("covers releases 3.10 to 7.2") == true)
        #expect(S.error("arch: arm64\nkernel: 5.25\n")?.message.hasPrefix("kernel 5.25") == true)
        #expect(S.error("arch: arm64\nkernel: latest\n")?.message.hasPrefix("'latest' is not a kernel release") == true)
    }

    @Test func configRanges() {
        let head = "arch: arm64\nconfig:\n  "
        // Values start at column 3 + the key's length + 2.
        let cases: [(String, String, Int, String?)] = [
            ("nr-cpus: 0", "0 is out of range", 12, nil),
            ("nr-cpus: 8193", "8193 is out of range", 12, nil),
            ("nodes-shift: 11", "11 is out of range", 16, nil),
            ("page-size: 8K", "page size 8K is not available on arm64", 14, nil),
            ("va-bits: 40", "40 is not an arm64 VA_BITS choice", 12, nil),
            ("paging: sv48", "paging applies only to riscv64 and x86_64; arm64 chooses its layout with 'va-bits'",
             11, "va-bits"),
        ]
        for (line, message, column, suggestion) in cases {
            let error = S.error(head + line + "\n")
            #expect(error?.message == message, "\(line)")
            #expect(error?.line == 3 && error?.column == column, "\(line)")
            #expect(error?.suggestion == suggestion, "\(line)")
        }
        let vaBits = S.error("arch: arm64\nconfig:\n  page-size: 64K\n  va-bits: 39\n")
        #expect(vaBits?.message == "va-bits 39 needs 4K pages, but page-size is 64K")
        #expect(vaBits?.expected == "for 64K pages: 42, 48 or 52")
        #expect(vaBits?.line == 4 && vaBits?.column == 12)
        let lpa2 = S.error("arch: arm64\nkernel: 6.8\nconfig: { va-bits: 52 }\n")
        #expect(lpa2?.message == "va-bits 52 with 4K pages needs LPA2, which kernel 6.8 lacks")
        #expect(S.error("arch: x86_64\nconfig: { page-size: 16K }\n")?.message
                == "page size 16K is not available on x86_64")
        #expect(S.error("arch: x86_64\nconfig: { va-bits: 48 }\n")?.suggestion == "paging")
        let paging = S.error("arch: riscv64\nconfig: { paging: 5-level }\n")
        #expect(paging?.message == "paging mode '5-level' is not available on riscv64")
        #expect(paging?.expected == "sv39, sv48 or sv57")
        #expect(S.error("arch: x86_64\nconfig: { paging: 5level }\n")?.suggestion == "5-level")
        let up = S.error("arch: arm64\nconfig: { smp: false, nr-cpus: 4 }\n")
        #expect(up?.message == "a UP kernel (smp: false) has NR_CPUS 1, not 4")
        #expect(up?.column == 32)
        #expect(S.error("arch: arm64\nconfig: { numa: false, nodes-shift: 2 }\n")?.expected == "0")
    }

    // MARK: - Missing keys and values

    @Test func missingArch() {
        #expect(S.error("static-size: 1\n") == InputError(
            file: "test.yaml", keyPath: "arch", message: "missing key 'arch'", expected: "arm64, riscv64 or x86_64"))
        #expect(S.error("static-size: 1\n")?.description
                == "test.yaml: error: at 'arch': missing key 'arch' (expected arm64, riscv64 or x86_64)")
        let noValue = S.error("name: x\narch:\n")
        #expect(noValue?.message == "'arch' has no value")
        #expect(noValue?.line == 2 && noValue?.column == 1)
    }

    @Test func missingStaticSizeAndFirmware() {
        #expect(S.error("arch: arm64\n")?.message == "missing key 'static-size'")
        #expect(S.error("arch: arm64\nstatic-size: 1\n")?.message == "missing key 'firmware'")
        let nothing = S.error("arch: arm64\nstatic-size: 1\nfirmware: {}\n")
        #expect(nothing?.message == "firmware describes nothing")
        #expect(nothing?.line == 3 && nothing?.column == 11)
    }

    @Test func missingKeyInANestedMapping() {
        let yaml = """
            arch: x86_64
            static-size: 1
            firmware:
              acpi:
                processors:
                  - { pxm: 0 }
            """
        #expect(S.error(yaml) == InputError(
            file: "test.yaml", line: 6, column: 9, keyPath: "firmware.acpi.processors[0].id",
            message: "missing key 'id'", expected: "the APIC id, MPIDR or hart id"))
    }

    @Test func emptyFiles() {
        for text in ["", "# just a comment\n", "---\n"] {
            let error = S.error(text)
            #expect(error?.line == nil, "\(text)")
            #expect(error?.message == "the file holds no YAML document" || error?.message == "got nothing (null)",
                    "\(text)")
        }
    }

    // MARK: - YAML syntax

    @Test func syntaxErrors() {
        let flow = S.error("arch: [arm64\n")
        #expect(flow?.line == 2 && flow?.column == 1)
        #expect(flow?.message.hasPrefix("invalid YAML: did not find expected ',' or ']'") == true)
        let indent = S.error("arch: arm64\n  bad: indent\n")
        #expect(indent == InputError(file: "test.yaml", line: 2, column: 6,
                                     message: "invalid YAML: mapping values are not allowed in this context"))
        let tab = S.error("config:\n\tnr-cpus: 4\n")
        #expect(tab?.line == 2 && tab?.column == 1)
        #expect(tab?.message.hasPrefix("invalid YAML: found character that cannot start any token") == true)
        let documents = S.error("arch: arm64\n---\narch: x86_64\n")
        #expect(documents?.line == 2)
        #expect(documents?.message.contains("but found another document") == true)
        let alias = S.error("arch: *nowhere\n")
        #expect(alias?.message.contains("found undefined alias") == true)
        let control = S.error("arch: arm64\nname: a\u{1}b\n")
        #expect(control?.line == 2 && control?.column == 8)
        #expect(control?.message == "unreadable text: control characters are not allowed")
    }

    // MARK: - Files

    @Test func unreadableFiles() throws {
        #expect(throws: InputError(file: "/nonexistent/board.yaml", message: "no such file")) {
            try PlatformLoader.load(path: "/nonexistent/board.yaml", dtbLoader: S.noDTB)
        }
        let directory = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: InputError(file: directory, message: "is a directory, not a platform file", expected: "a regular file")) {
            try PlatformLoader.load(path: directory, dtbLoader: S.noDTB)
        }
        let binary = directory + "/binary.yaml"
        #expect(FileManager.default.createFile(atPath: binary, contents: Data([0xff, 0xfe, 0x00, 0xc3])))
        #expect(throws: InputError(file: binary, message: "the file is not UTF-8 text", expected: "a YAML platform file")) {
            try PlatformLoader.load(path: binary, dtbLoader: S.noDTB)
        }
    }

    @Test func missingReferencedFiles() throws {
        let directory = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let dtb = S.error("arch: arm64\nstatic-size: 1\nfirmware: { device-tree: { dtb: nope.dtb } }\n",
                          baseDirectory: directory)
        #expect(dtb?.message == "no such file 'nope.dtb' (\(directory)/nope.dtb)")
        #expect(dtb?.line == 3 && dtb?.column == 33)
        #expect(dtb?.keyPath == "firmware.device-tree.dtb")
        let log = S.error(S.minimalHead + "memblock: { from-log: /nonexistent/console.log }\n")
        #expect(log?.message == "no such file '/nonexistent/console.log'")
        #expect(log?.keyPath == "memblock.from-log")
    }

    // MARK: - The description and did-you-mean

    @Test func descriptionLeavesOutWhatIsUnknown() {
        #expect(InputError(file: "f.yaml", message: "m").description == "f.yaml: error: m")
        #expect(InputError(file: "f.yaml", line: 3, message: "m").description == "f.yaml:3: error: m")
        #expect(InputError(file: "f", line: 3, column: 4, keyPath: "a.b", message: "m", expected: "e",
                           suggestion: "s").description == "f:3:4: error: at 'a.b': m (expected e); did you mean 's'?")
    }

    @Test func didYouMeanPicksTheClosest() {
        let keys = ["nr-cpus", "nodes-shift", "page-size", "va-bits"]
        #expect(didYouMean("nr-cpu", among: keys) == "nr-cpus")
        #expect(didYouMean("nodes-shfit", among: keys) == "nodes-shift")   // a transposition
        #expect(didYouMean("PAGE_SIZE", among: keys) == "page-size")
        #expect(didYouMean("vabits", among: keys) == "va-bits")
        #expect(didYouMean("color", among: keys) == nil)
        #expect(didYouMean("", among: keys) == nil)
        #expect(didYouMean("abc", among: ["arch"]) == nil)   // short words: one edit at most
        #expect(didYouMean("arhc", among: ["arch"]) == "arch")
    }
}

/// Issue 11: diagnostics quote at most a bounded part of what they were given.
@Suite struct LongValueTests {
    typealias S = PlatformTestSupport

    @Test func quotedValuesAndKeyPathsAreCut() {
        let long = String(repeating: "y", count: 100_000)
        let error = InputError(file: "f.yaml", line: 1, column: 1, keyPath: long, message: "got '\(long)'", expected: "a number")
        #expect(error.description.count < 600)
        #expect(error.description.contains("... (100000 characters)"))
        let short = InputError(file: "f.yaml", line: 2, column: 3, keyPath: "arch", message: "got 'x'", expected: "arm64")
        #expect(short.description == "f.yaml:2:3: error: at 'arch': got 'x' (expected arm64)")
    }

    @Test func bootLoaderMemoryBanksAreChecked() throws {
        let yaml = """
        arch: arm64
        static-size: 87272
        firmware:
          device-tree:
            cpu-count: 1
            boot-loader-memory:
              - { base: 0x40000000 }
        """
        #expect(throws: InputError.self) {
            try PlatformLoader.load(yaml: yaml, fileName: "b.yaml", baseDirectory: "", dtbLoader: S.noDTB)
        }
        do {
            _ = try PlatformLoader.load(yaml: yaml, fileName: "b.yaml", baseDirectory: "", dtbLoader: S.noDTB)
        } catch {
            #expect(error.description.hasPrefix("b.yaml:7:"), "\(error.description)")
            #expect(error.description.contains("size"))
        }
    }
}
