// swift-tools-version:6.0
// pcpu-boot: emulates Linux's boot-time per-CPU memory setup (setup_per_cpu_areas).
import PackageDescription

let package = Package(
    name: "pcpu-boot",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pcpu-boot", targets: ["pcpu-boot"]),
        .library(name: "PercpuBoot", targets: ["PercpuBoot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Kernel-flavoured helpers shared by every stage: checked arithmetic,
        // printk number formats, the emulated kernel log.
        .target(name: "KernelSupport"),
        // mm/memblock.c
        .target(name: "Memblock", dependencies: ["KernelSupport"]),
        // Flattened device tree (DTB) reader.
        .target(name: "DeviceTree", dependencies: ["KernelSupport"]),
        // Binary ACPI tables (SRAT, SLIT, MADT, FADT) reader.
        .target(name: "ACPITables"),
        // The kernel build's files: .config / config.gz, System.map, vmlinux (ELF64).
        .target(name: "KernelBuild"),
        // mm/percpu.c chunk metadata: pcpu_alloc_first_chunk, bitmap blocks and hints.
        .target(name: "PercpuChunk", dependencies: ["KernelSupport"]),
        // mm/percpu.c, percpu-vm.c, percpu-km.c, percpu-stats.c after boot: the dynamic allocator.
        .target(name: "PercpuAlloc", dependencies: ["KernelSupport", "PercpuChunk"]),
        // The boot pipeline: platform, firmware, NUMA, setup_per_cpu_areas, reports.
        .target(name: "PercpuBoot", dependencies: [
            "KernelSupport", "Memblock", "DeviceTree", "ACPITables", "KernelBuild", "PercpuChunk", "PercpuAlloc",
            .product(name: "Yams", package: "Yams"),
        ]),
        // The command line as a library, so tests can run it in-process.
        .target(name: "PcpuBootCLI", dependencies: [
            "PercpuBoot", "KernelBuild", "PercpuAlloc", "KernelSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "pcpu-boot", dependencies: ["PcpuBootCLI"]),
        // The benchmark: swift run -c release pcpu-boot-bench
        .executableTarget(name: "pcpu-boot-bench", dependencies: ["PercpuBoot", "PercpuAlloc", "DeviceTree"]),
        // libFuzzer targets (scripts/fuzz.sh); built normally, it replays inputs.
        .executableTarget(name: "pcpu-boot-fuzz", dependencies: ["PercpuBoot", "PercpuAlloc", "Memblock", "KernelSupport", "ACPITables", "KernelBuild"]),

        // Shared test helpers: fixture paths, small platforms built in code.
        .target(name: "PcpuBootTestSupport", dependencies: ["PercpuBoot"], path: "Tests/Support"),
        .testTarget(name: "KernelSupportTests", dependencies: ["KernelSupport"]),
        .testTarget(name: "MemblockTests", dependencies: ["Memblock", "KernelSupport"],
                    exclude: ["KernelSuite/README.md"]),
        .testTarget(name: "DeviceTreeTests", dependencies: ["DeviceTree"]),
        .testTarget(name: "ACPITablesTests", dependencies: ["ACPITables"]),
        .testTarget(name: "KernelBuildTests", dependencies: ["KernelBuild"]),
        .testTarget(name: "PercpuChunkTests", dependencies: ["PercpuChunk", "KernelSupport"]),
        .testTarget(name: "PercpuAllocTests", dependencies: ["PercpuAlloc", "PercpuChunk", "PercpuBoot", "PcpuBootTestSupport"]),
        .testTarget(name: "PercpuBootTests", dependencies: ["PercpuBoot", "PcpuBootTestSupport"]),
        .testTarget(name: "FuzzTargetTests", dependencies: ["pcpu-boot-fuzz", "ACPITables", "PcpuBootTestSupport"]),
        .testTarget(name: "PcpuBootCLITests", dependencies: ["PcpuBootCLI", "PercpuBoot", "KernelSupport", "PercpuAlloc", "PcpuBootTestSupport"]),
    ]
)
