import Foundation

/// A small process that runs the measured commands. Linux's `ru_maxrss` of a child counts
/// the memory of the process that spawned it (its address space's high-water mark goes
/// with it into exec), so children spawned by the benchmark itself (20 MiB) could never
/// show less. The spawner is built like the hello worlds (Glibc only, about 5 MiB) and
/// spawns every measured run: the peak it reports is the child's own, or the spawner's
/// few MiB when the child uses less.
enum Spawner {
    /// `spawner OUT RUNS ARGV...`: one warm-up, then RUNS runs of ARGV with stdout to OUT;
    /// one line per run on its own stdout: wall µs, user+sys µs, ru_maxrss KiB, exit status.
    static let source = """
        import Glibc
        let a = CommandLine.arguments
        guard a.count >= 4, let runs = Int(a[2]) else { exit(2) }
        let argv = Array(a[3...])
        func us(_ t: timeval) -> Int { t.tv_sec * 1_000_000 + t.tv_usec }
        for i in 0...runs {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            posix_spawn_file_actions_addopen(&actions, 1, a[1], O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
            var pid: pid_t = 0
            var t0 = timespec(), t1 = timespec()
            clock_gettime(CLOCK_MONOTONIC, &t0)
            guard posix_spawn(&pid, argv[0], &actions, nil, &cargs, environ) == 0 else { exit(3) }
            var status: Int32 = 0
            var usage = rusage()
            guard wait4(pid, &status, 0, &usage) == pid else { exit(3) }
            clock_gettime(CLOCK_MONOTONIC, &t1)
            posix_spawn_file_actions_destroy(&actions)
            for p in cargs { free(p) }
            let wall = (t1.tv_sec - t0.tv_sec) * 1_000_000 + (t1.tv_nsec - t0.tv_nsec) / 1000
            if i > 0 { print(wall, us(usage.ru_utime) + us(usage.ru_stime), usage.ru_maxrss, (status >> 8) & 0xff) }
        }

        """

    /// Builds the spawner in `out` (nil when swiftc fails: measure then spawns directly).
    static func build(out: String) -> String? {
        let path = out + "/spawner.swift", exe = out + "/spawner"
        guard FileManager.default.createFile(atPath: path, contents: Data(source.utf8)),
              let built = ChildProcess.run(["/usr/bin/env", "swiftc", "-O", "-static-stdlib", "-Xlinker", "-no-pie", path, "-o", exe]),
              built.status == 0 else { return nil }
        return exe
    }

    /// The fastest wall and CPU times and the largest peak RSS of `runs` runs made by `spawner`.
    static func measure(_ spawner: String, _ argv: [String], runs: Int, stdoutPath: String, out: String) -> Measured? {
        let report = out + "/spawner.out"
        guard let r = ChildProcess.run([spawner, stdoutPath, String(runs)] + argv, stdoutPath: report), r.status == 0,
              let text = try? String(contentsOfFile: report, encoding: .utf8) else { return nil }
        let rows = text.split(separator: "\n").map { $0.split(separator: " ").compactMap { Int($0) } }.filter { $0.count == 4 }
        guard rows.count == runs else { return nil }
        return Measured(ms: Bench.fastest(rows.map { Double($0[0]) / 1e3 }), cpuMs: Bench.fastest(rows.map { Double($0[1]) / 1e3 }),
                        rssKiB: rows.map { $0[2] }.max() ?? 0, status: Int32(rows.last?[3] ?? 0))
    }
}
