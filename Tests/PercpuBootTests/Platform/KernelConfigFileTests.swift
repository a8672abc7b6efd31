import Testing
@testable import PercpuBoot

/// `KernelConfigFile`: a kernel's .config applied over a platform's config.
@Suite struct KernelConfigFileTests {
    /// The lines of Debian 7.2.13's arm64 config that matter (copied from
    /// Tests/Fixtures/kernel-boots-7.2/arm64-4node-embed/config).
    @Test func debianArm64Lines() throws {
        let text = """
        CONFIG_SMP=y
        CONFIG_ARM64_4K_PAGES=y
        CONFIG_ARM64_VA_BITS_52=y
        CONFIG_ARM64_VA_BITS=52
        CONFIG_NR_CPUS=512
        CONFIG_NUMA=y
        CONFIG_NODES_SHIFT=4
        # CONFIG_RANDOM_KMALLOC_CACHES is not set
        CONFIG_MODULES=y
        """
        let config = try KernelConfigFile.apply(text, fileName: "config", to: .defaults(for: .arm64), arch: .arm64)
        #expect(config.nrCpus == 512 && config.nodesShift == 4 && config.vaBits == 52 && config.pageSize == 4096)
        #expect(!config.randomKmallocCaches && config.modules && config.numa)
    }

    @Test func upAndNoNUMA() throws {
        let text = "# CONFIG_SMP is not set\nCONFIG_NR_CPUS=8\n# CONFIG_NUMA is not set\nCONFIG_NODES_SHIFT=2\n"
        let config = try KernelConfigFile.apply(text, fileName: "config", to: .defaults(for: .riscv64), arch: .riscv64)
        #expect(config.nrCpus == 1 && !config.smp && config.nodesShift == 0 && !config.numa)
    }

    @Test func impossibleValuesNameTheLine() {
        #expect(throws: InputError.self) {
            try KernelConfigFile.apply("CONFIG_SMP=y\nCONFIG_NR_CPUS=0\n", fileName: "c", to: .defaults(for: .arm64), arch: .arm64)
        }
        do {
            _ = try KernelConfigFile.apply("\nCONFIG_ARM64_VA_BITS=40\n", fileName: "c", to: .defaults(for: .arm64), arch: .arm64)
            Issue.record("VA_BITS 40 accepted")
        } catch {
            #expect(error.line == 2)
        }
    }
}
