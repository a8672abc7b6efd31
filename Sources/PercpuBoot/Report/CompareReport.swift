/// `compare`: one column per platform (owned by the reports work; minimal for now).
public enum CompareReport {
    public static func render(_ results: [(String, BootResult)]) -> String {
        results.map { "\($0.0):\n" + DmesgReport.render($0.1) }.joined(separator: "\n")
    }
}
