import Testing
@testable import KernelBuild

/// Debian's configurations (Tests/Fixtures/kernel-boots/configs); the expected values
/// and line numbers are those `grep -n` shows in the files.
@Suite struct KernelConfigFileTests {
    @Test func debiansArm64Config() throws {
        let config = try KernelConfigFile.parse(try KernelBuildFixtures.bytes("kernel-boots/configs/config-6.1.0-56-arm64"),
                                                fileName: "config-6.1.0-56-arm64")
        #expect(config.headerArch == "arm64")
        #expect(config.headerVersion == "6.1.192")
        #expect(config["NR_CPUS"] == .number(256))          // 429:CONFIG_NR_CPUS=256
        #expect(config.values["NR_CPUS"]?.line == 429)
        #expect(config["NODES_SHIFT"] == .number(4))        // 432:CONFIG_NODES_SHIFT=4
        #expect(config["ARM64_VA_BITS"] == .number(48))
        #expect(config["ARM64_4K_PAGES"] == .yes)
        #expect(config["ARM64_64K_PAGES"] == .no)           // "# CONFIG_ARM64_64K_PAGES is not set"
        #expect(config["CC_VERSION_TEXT"] == .text("gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0"))
        #expect(config.isEnabled("NUMA") && config.isEnabled("SMP") && config.isEnabled("MODULES"))
    }

    @Test func debiansAmd64ConfigFromGzip() throws {
        let plain = try KernelConfigFile.parse(try KernelBuildFixtures.bytes("kernel-boots/configs/config-6.1.0-56-arm64"),
                                               fileName: "c")
        let gz = try KernelConfigFile.parse(try KernelBuildFixtures.bytes("kernel-build/config.gz"), fileName: "c")
        #expect(gz == plain)
        let amd = try KernelConfigFile.parse(try KernelBuildFixtures.bytes("kernel-boots/configs/config-6.1.0-56-amd64"),
                                             fileName: "c")
        #expect(amd["NR_CPUS"] == .number(8192))
        #expect(amd["NODES_SHIFT"] == .number(10))
        #expect(amd["X86_5LEVEL"] == .yes)
    }

    /// What is not a configuration is refused with the line that gives it away.
    @Test func notAConfiguration() throws {
        do {
            _ = try KernelConfigFile.parse(Array("CONFIG_SMP=y\nhello world\n".utf8), fileName: "x")
            Issue.record("accepted")
        } catch {
            #expect(error.line == 2)
            #expect(error.description.hasPrefix("x:2: 'hello world' is neither"))
        }
        #expect(throws: KernelBuildError.self) { try KernelConfigFile.parse([0x7f, 0x45, 0x4c, 0x46, 0xff, 0xfe], fileName: "x") }
        #expect(throws: KernelBuildError.self) { try KernelConfigFile.parse(Array("# nothing\n".utf8), fileName: "x") }
        #expect(throws: KernelBuildError.self) { try KernelConfigFile.parse(Array("CONFIG_X=\"open\n".utf8), fileName: "x") }
        #expect(throws: KernelBuildError.self) { try KernelConfigFile.parse(Array("CONFIG_X=maybe\n".utf8), fileName: "x") }
    }
}
