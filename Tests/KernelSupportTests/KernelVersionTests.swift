import Testing
import KernelSupport

/// The version model: releases as users write them, the supported range, and the
/// change table's consistency.
@Suite struct KernelVersionTests {
    /// `uname -r` forms of real distributions map to their mainline major.minor.
    @Test(arguments: [
        ("5.4", KernelVersion(5, 4)), ("5.10", KernelVersion(5, 10)), ("6.12", KernelVersion(6, 12)),
        ("7.2", KernelVersion(7, 2)), ("v6.8", KernelVersion(6, 8)), ("6.12.3", KernelVersion(6, 12)),
        ("6.1.0-56-arm64", KernelVersion(6, 1)),              // Debian 12
        ("6.12.117+deb13-arm64", KernelVersion(6, 12)),       // Debian 13's Linux version line
        ("7.2.13+deb14-amd64", KernelVersion(7, 2)),          // Debian unstable
        ("5.15.0-91-generic", KernelVersion(5, 15)),          // Ubuntu 22.04
        ("4.18.0-513.el8.x86_64", KernelVersion(4, 18)),      // RHEL 8
        ("3.10.0-1160.el7.x86_64", KernelVersion(3, 10)),     // RHEL 7
        (" 4.19 ", KernelVersion(4, 19)), ("4.20", KernelVersion(4, 20)), ("5.19", KernelVersion(5, 19)),
    ])
    func parsesReleases(_ text: String, _ version: KernelVersion) throws {
        #expect(try KernelVersion.parse(text) == version)
    }

    @Test func refusesWhatIsNotASupportedRelease() {
        #expect(throws: KernelVersionError.unsupported("3.9", KernelVersion(3, 9))) { try KernelVersion.parse("3.9") }
        #expect(throws: KernelVersionError.unsupported("2.6.32-754.el6", KernelVersion(2, 6))) {
            try KernelVersion.parse("2.6.32-754.el6")
        }
        #expect(throws: KernelVersionError.unsupported("7.3", KernelVersion(7, 3))) { try KernelVersion.parse("7.3") }
        // 3.19 was followed by 4.0, 4.20 by 5.0, 5.19 by 6.0: there is no 3.20, 4.21 or 5.20.
        for never in ["3.20", "4.21", "5.20"] {
            #expect(throws: KernelVersionError.self) { try KernelVersion.parse(never) }
        }
        for junk in ["", "6", "6.", "six.one", "6.1x", "-6.1", "99999999.1"] {
            #expect(throws: KernelVersionError.notAVersion(junk)) { try KernelVersion.parse(junk) }
        }
        #expect(KernelVersionError.unsupported("7.3", KernelVersion(7, 3)).description
                == "kernel 7.3 ('7.3') is not emulated: pcpu-boot covers releases 3.10 to 7.2")
    }

    /// 3.10–3.19 (10), 4.0–4.20 (21), 5.0–5.19 (20), 6.0–6.19 (20), 7.0–7.2 (3).
    @Test func everyReleaseOnce() {
        #expect(KernelVersion.allReleases.count == 74)
        #expect(KernelVersion.allReleases.first == .v3_10)
        #expect(KernelVersion.allReleases.last == .v7_2)
        #expect(KernelVersion.allReleases == KernelVersion.allReleases.sorted())
    }

    @Test func orderIsNumericNotTextual() {
        #expect(KernelVersion(6, 2) < KernelVersion(6, 12))
        #expect(KernelVersion(5, 19) < KernelVersion(6, 0))
        #expect(KernelVersion(4, 9) < KernelVersion(4, 10))
    }

    /// A change holds from its first release on, and stops at `until` when it has one.
    @Test func hasFollowsTheTable() {
        #expect(!KernelVersion(6, 1).has(.percpuDynamicEarlySize20K))
        #expect(KernelVersion(6, 2).has(.percpuDynamicEarlySize20K))
        #expect(KernelVersion(7, 2).has(.percpuDynamicEarlySize20K))
        for change in KernelChange.allCases {
            let entry = change.entry
            #expect(KernelVersion.allReleases.contains(entry.since) || entry.since == KernelVersion(3, 10),
                    "\(change): since \(entry.since) is a real release")
            if let until = entry.until { #expect(entry.since < until, "\(change)") }
            #expect(!entry.files.isEmpty && !entry.summary.isEmpty && !entry.source.isEmpty, "\(change)")
            if let commit = entry.commit {
                let id = commit.prefix { $0 != " " }
                #expect(id.count == 12 && id.allSatisfy(\.isHexDigit), "\(change): commit id \(id)")
            }
        }
    }
}
