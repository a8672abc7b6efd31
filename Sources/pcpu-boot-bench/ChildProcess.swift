#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One run of a child process: wall time, CPU time (user + system, from
/// `wait4`: on a loaded machine the wall time is mostly waiting for a core)
/// and its peak resident set (`ru_maxrss`, KiB on Linux).
struct ChildRun {
    var milliseconds: Double
    var cpuMilliseconds: Double
    var maxRSSKiB: Int
    var status: Int32
}

enum ChildProcess {
    /// Runs `argv` with stdout and stderr sent to /dev/null (or to `stdoutPath`).
    static func run(_ argv: [String], stdoutPath: String = "/dev/null") -> ChildRun? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var pid: pid_t = 0
        let start = ContinuousClock.now
        guard posix_spawn(&pid, argv[0], &actions, nil, &cargs, environ) == 0 else { return nil }
        var status: Int32 = 0
        var usage = rusage()
        guard wait4(pid, &status, 0, &usage) == pid else { return nil }
        let elapsed = ContinuousClock.now - start
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3
        return ChildRun(milliseconds: Bench.ms(elapsed), cpuMilliseconds: cpu, maxRSSKiB: Int(usage.ru_maxrss),
                        status: (status >> 8) & 0xff)
    }

    /// The fastest wall and CPU times and the largest peak RSS of `runs` runs (after one warm-up),
    /// made by `spawner` when there is one (see `Spawner`: the peak RSS is then the child's own).
    static func measure(_ argv: [String], runs: Int, stdoutPath: String = "/dev/null",
                        spawner: (path: String, out: String)? = nil) -> Measured? {
        if let spawner { return Spawner.measure(spawner.path, argv, runs: runs, stdoutPath: stdoutPath, out: spawner.out) }
        _ = run(argv, stdoutPath: stdoutPath)
        var times: [Double] = [], cpu: [Double] = []
        var rss = 0
        var status: Int32 = 0
        for _ in 0..<runs {
            guard let r = run(argv, stdoutPath: stdoutPath) else { return nil }
            times.append(r.milliseconds)
            cpu.append(r.cpuMilliseconds)
            rss = max(rss, r.maxRSSKiB)
            status = r.status
        }
        return Measured(ms: Bench.fastest(times), cpuMs: Bench.fastest(cpu), rssKiB: rss, status: status)
    }

    static func fileExists(_ path: String) -> Bool { access(path, X_OK) == 0 }
}

struct Measured {
    var ms: Double
    var cpuMs: Double
    var rssKiB: Int
    var status: Int32
}
