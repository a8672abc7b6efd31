import KernelSupport
import Memblock

/// The pipeline: platform → memblock → NUMA init → CPU enumeration →
/// `setup_per_cpu_areas` → first chunk. Pure: no I/O; a real log to start
/// memblock from is passed in as text.
public enum Boot {
    /// A real boot log to start memblock from (`--memblock-from`).
    public struct MemblockLog: Sendable {
        public var text: String
        public var fileName: String
        public init(text: String, fileName: String) {
            self.text = ConsoleLogText.normalized(text)
            self.fileName = fileName
        }
    }

    /// Runs one emulated boot. Throws only for input the emulator cannot use
    /// (a log that does not replay, arithmetic that does not fit); everything
    /// the kernel would do, panics included, is in the result.
    /// - Parameter dynamicDebug: keep `pr_debug` lines; off, they are not built at all
    ///   (and the page first chunk takes its pages a run at a time).
    /// - Parameter stream: write the log's lines as they are printed instead of
    ///   keeping its trace lines (see `KernelLog.stream`).
    public static func run(_ platform: Platform, memblockLog: MemblockLog? = nil,
                           dynamicDebug: Bool = true, stream: KernelLogStream? = nil) throws(BootError) -> BootResult {
        let cmdline = KernelCommandLine(platform.cmdline)
        if let reason = ArchProfile.unsupportedReason(arch: platform.arch, kernel: platform.kernel, config: platform.config) {
            throw .emulation(reason)
        }
        var fdtPagingLimit: PagingMode?
        if platform.arch == .riscv64, case .deviceTree(let dt) = platform.firmware {
            fdtPagingLimit = ArchProfile.riscvSatpLimit(dt.cpus)
        }
        let profile = ArchProfile(arch: platform.arch, kernel: platform.kernel, config: platform.config, cmdline: cmdline,
                                  fdtPagingLimit: fdtPagingLimit)
        var log = KernelLog(recordsDynamicDebug: dynamicDebug)
        log.stream = stream
        for key in cmdline.malformed { log.print(.warning, "", "Malformed early option '\(key)'") }
        let choice = PercpuContext.chosenFirstChunk(cmdline, profile: profile, log: &log)

        var memblock = platform.arch == .x86_64
            ? try X86SetupArch.initialMemblock(platform, profile: profile, cmdline: cmdline)
            : try initialMemblock(platform, profile: profile, cmdline: cmdline, log: &log)
        var result = BootResult(platform: platform, profile: profile, cmdline: cmdline, log: log, outcome: .booted,
                                topology: nil, firstChunkKind: nil, embedFailure: nil, allocInfo: nil, maxDistance: nil,
                                baseAddr: nil, groupPhys: [], unitPagesPhys: [], setup: nil, cpus: [],
                                dynamicChunks: nil, memblockMemory: [], memblockReserved: [])
        do {
            let topology = try NUMAInit.run(platform, profile: profile, cmdline: cmdline, memblock: &memblock, log: &log)
            result.topology = topology
            if let memblockLog {
                // The log's dump was taken after NUMA init: continue from there.
                memblock = try replay(memblockLog, profile: profile, debug: cmdline.memblockDebug, log: &log)
                if platform.arch == .x86_64 {
                    X86SetupArch.adoptReplayedMemblock(&memblock, logText: memblockLog.text, profile: profile, cmdline: cmdline)
                }
            } else if cmdline.memblockDebug && platform.arch != .x86_64 {   // x86 NUMA init dumps it itself
                memblock.dump(log: &log)
            }
            var context = PercpuContext(memblock: memblock, log: log, profile: profile, topology: topology,
                                        staticSize: platform.staticSize, dramStart: memblock.startOfDRAM)
            let outcome: PercpuOutcome
            do {
                if !profile.config.smp {
                    outcome = try context.setupPerCpuAreasUP()
                } else if platform.arch == .x86_64 {
                    outcome = try context.setupPerCpuAreasX86(choice: choice)
                } else if profile.config.numa && profile.config.mmu {
                    outcome = try context.setupPerCpuAreasArchNUMA(choice: choice)
                } else {
                    outcome = try context.setupPerCpuAreasGeneric()
                }
            } catch {
                memblock = context.memblock
                log = context.log
                result.maxDistance = context.embedMaxDistance
                result.embedFailure = context.embedResult.flatMap { $0 < 0 ? $0 : nil }
                switch error {
                case .panic(let panic): throw panic
                case .input(let input): throw BootError.emulation(input.description)
                }
            }
            memblock = context.memblock
            log = context.log
            result.firstChunkKind = outcome.kind
            result.embedFailure = outcome.embedFailure ?? context.embedResult.flatMap { $0 < 0 ? $0 : nil }
            result.allocInfo = outcome.placed?.ai
            result.maxDistance = outcome.placed?.maxDistance ?? context.embedMaxDistance
            result.baseAddr = outcome.placed?.baseAddr
            result.groupPhys = outcome.placed?.groupPhys ?? []
            result.unitPagesPhys = outcome.placed?.unitPagesPhys ?? []
            result.setup = outcome.setup
            result.cpus = perCPUAreas(outcome, topology: topology, profile: profile,
                                      perCPUStart: platform.arch == .x86_64 ? 0 : platform.perCPUStart)
            if let setup = outcome.setup, let ai = outcome.placed?.ai, profile.config.smp, profile.config.mmu {
                result.dynamicChunks = dynamicChunkOutlook(offsets: setup.groupOffsets, sizes: setup.groupSizes,
                                                           align: ai.atomSize, vmallocStart: profile.layout.vmallocStart,
                                                           vmallocEnd: profile.layout.vmallocEnd,
                                                           earlyAreas: earlyVmallocAreas(profile, outcome: outcome))
            }
        } catch let panic as KernelPanic {
            log.print(.emerg, "", panic.description)
            result.outcome = .panicked(panic.message)
        } catch let error as BootError {
            throw error
        } catch {
            throw BootError.emulation("\(error)")
        }
        result.log = log
        result.memblockMemory = memblock.memory
        result.memblockReserved = memblock.reserved
        return result
    }

    /// What the vmalloc space already holds when the first dynamic chunk is
    /// made: arm64's kernel image (at VMALLOC_START, with a guard page) and the
    /// page first chunk's own area.
    static func earlyVmallocAreas(_ profile: ArchProfile, outcome: PercpuOutcome) -> [(UInt64, UInt64)] {
        earlyVmallocAreas(profile, kind: outcome.kind, baseAddr: outcome.placed?.baseAddr,
                          units: outcome.placed?.unitPagesPhys.count ?? 0, unitSize: outcome.placed?.ai.unitSize ?? 0)
    }

    static func earlyVmallocAreas(_ profile: ArchProfile, kind: FirstChunkKind?, baseAddr: UInt64?, units: Int,
                                  unitSize: UInt64) -> [(UInt64, UInt64)] {
        var areas: [(UInt64, UInt64)] = []
        // The arm64 image sits at VMALLOC_START from 4.6 (`.arm64KernelImageInVmalloc`); before, in the linear map.
        if profile.arch == .arm64 && profile.kernel.has(.arm64KernelImageInVmalloc) {
            let start = profile.layout.kernelImageStart
            areas.append((start, start &+ profile.kernelImageSize &+ profile.pageSize))
        }
        if kind == .page, let baseAddr {
            let size = UInt64(units) &* unitSize
            areas.append((baseAddr, baseAddr &+ size))
        }
        return areas
    }

    /// The early vmalloc areas of a finished boot (see `earlyVmallocAreas`).
    static func earlyVmallocAreasOf(_ result: BootResult) -> [(UInt64, UInt64)] {
        earlyVmallocAreas(result.profile, kind: result.firstChunkKind, baseAddr: result.baseAddr,
                          units: result.unitPagesPhys.count, unitSize: result.allocInfo?.unitSize ?? 0)
    }

    /// The `__per_cpu_offset[]` rows: `delta + pcpu_unit_offsets[cpu]` for every possible CPU.
    static func perCPUAreas(_ outcome: PercpuOutcome, topology: Topology, profile: ArchProfile,
                            perCPUStart: UInt64?) -> [PerCPUArea] {
        guard let placed = outcome.placed, let setup = outcome.setup else { return [] }
        let ai = placed.ai
        var groupOfUnit: [Int] = []
        var unitIndexInGroup: [Int] = []
        for (g, group) in ai.groups.enumerated() {
            groupOfUnit.append(contentsOf: repeatElement(g, count: group.nrUnits))
            unitIndexInGroup.append(contentsOf: 0..<group.nrUnits)
        }
        return topology.possibleCPUs.compactMap { cpu -> PerCPUArea? in
            guard cpu < setup.unitMap.count, let unit = setup.unitMap[cpu], let offset = setup.unitOffsets[cpu],
                  unit < groupOfUnit.count else { return nil }
            let group = groupOfUnit[unit]
            var physical: UInt64?
            if !placed.groupPhys.isEmpty, group < placed.groupPhys.count {
                physical = placed.groupPhys[group] &+ UInt64(unitIndexInGroup[unit]) &* ai.unitSize
            } else if unit < placed.unitPagesPhys.count {
                physical = placed.unitPagesPhys[unit].first
            }
            let address = setup.baseAddr &+ offset
            return PerCPUArea(cpu: cpu, node: topology.node(ofCPU: cpu), group: group, unit: unit, unitOffset: offset,
                              address: address, perCPUOffset: perCPUStart.map { address &- $0 },
                              physical: physical)
        }
    }
}

/// Input the emulator could not use.
public enum BootError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A real log given to start memblock from did not parse or replay.
    case memblockLog(String)
    /// A value the emulator cannot represent (e.g. an overflowing size).
    case emulation(String)

    public var description: String {
        switch self {
        case .memblockLog(let message): message
        case .emulation(let message): "cannot emulate: \(message)"
        }
    }
}
