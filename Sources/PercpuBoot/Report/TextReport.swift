/// `--format text`: the full human-readable report (owned by the reports work; minimal for now).
public enum TextReport {
    public static func render(_ result: BootResult, dynamicDebug: Bool = false) -> String {
        DmesgReport.render(result, dynamicDebug: dynamicDebug)
    }
}
