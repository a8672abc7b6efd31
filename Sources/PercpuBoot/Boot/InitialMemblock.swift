import KernelSupport
import Memblock

extension ArchProfile {
    /// Memblock's build-dependent behaviour for this kernel.
    var memblockProfile: MemblockProfile {
        // Without CONFIG_NUMA memblock keeps no node ids (regions read as node 0).
        return MemblockProfile(kernel: kernel, maxNumNodes: config.maxNumNodes, smpCacheBytes: smpCacheBytes,
                               pageSize: pageSize, numa: config.numa)
    }
}

extension Boot {
    /// Memblock as early `setup_arch` leaves it before NUMA init: the firmware's
    /// RAM added, its reservations and the platform's reserved ranges reserved.
    /// These calls run before `memblock=debug` is parsed, so they are not traced.
    static func initialMemblock(_ platform: Platform, profile: ArchProfile, cmdline: KernelCommandLine,
                                log: inout KernelLog) throws(BootError) -> Memblock {
        var memblock = Memblock(profile: profile.memblockProfile)
        var quiet = KernelLog()
        var ram: [PhysRange] = []
        var reserved: [PhysRange] = []
        switch platform.firmware {
        case .deviceTree(let dt):
            ram = dt.memory.flatMap(\.regs)
            reserved = dt.reservations
        case .acpi(let acpi):
            ram = acpi.memory.filter(\.enabled).map { PhysRange(base: $0.base, size: $0.length) }
        }
        ram += platform.memblock.memory
        reserved += platform.memblock.reserved
        do {
            for range in ram { try memblock.add(range.base, range.size, log: &quiet, caller: "early_init_dt_add_memory_arch") }
            for range in reserved { try memblock.reserve(range.base, range.size, log: &quiet, caller: "setup_arch") }
        } catch {
            throw .emulation("memblock: \(error.message)")
        }
        if memblock.memory.isEmpty {
            if case .deviceTree(let dt) = platform.firmware { throw .emulation(dt.noMemoryExplanation) }
            throw .emulation("the platform describes no memory (firmware memory nodes or memblock.memory)")
        }
        memblock.debug = cmdline.memblockDebug
        return memblock
    }

    /// Memblock from a real log's `MEMBLOCK configuration:` dump, with the calls
    /// logged after it replayed up to the first per-CPU allocation.
    static func replay(_ source: MemblockLog, profile: ArchProfile, debug: Bool,
                       log: inout KernelLog) throws(BootError) -> Memblock {
        do {
            let replay = try MemblockLogReplay.parse(source.text, fileName: source.fileName, profile: profile.memblockProfile)
            var memblock = try replay.replay(log: &log)
            memblock.debug = debug
            return memblock
        } catch {
            throw .memblockLog(error.description)
        }
    }
}
