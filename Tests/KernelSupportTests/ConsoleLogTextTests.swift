import Testing
@testable import KernelSupport

/// Logs as people capture them become the lines printk wrote (one line in, one line out).
@Suite struct ConsoleLogTextTests {
    @Test func lineEndsAndNULs() {
        #expect(ConsoleLogText.normalized("a\r\nb\rc\nd") == "a\nb\nc\nd")
        #expect(ConsoleLogText.normalized("a\r\n\r\nb") == "a\n\nb")
        #expect(ConsoleLogText.normalized("\0pe\0rcpu: x\0\n") == "percpu: x\n")
    }

    @Test func syslogAndJournalPrefixes() {
        #expect(ConsoleLogText.normalized("Dec  2 16:04:05 board kernel: [    0.000000] percpu: x")
                == "[    0.000000] percpu: x")
        #expect(ConsoleLogText.normalized("Dec 12 16:04:05 board kernel: percpu: x") == "percpu: x")
        #expect(ConsoleLogText.normalized("2026-12-02T16:04:05.123456+00:00 board kernel: percpu: x") == "percpu: x")
        // Other programs' lines and lines that merely mention the kernel stay as they are.
        #expect(ConsoleLogText.normalized("Dec  2 16:04:05 board systemd[1]: started") == "Dec  2 16:04:05 board systemd[1]: started")
        #expect(ConsoleLogText.normalized("kernel: percpu: x") == "kernel: percpu: x")
    }

    @Test func dmesgWallClockStamps() {
        #expect(ConsoleLogText.normalized("[Wed Dec  2 16:04:05 2026] percpu: Embedded 31 pages/cpu")
                == "percpu: Embedded 31 pages/cpu")
        #expect(ConsoleLogText.normalized("[    0.000000] percpu: x") == "[    0.000000] percpu: x")
    }
}
