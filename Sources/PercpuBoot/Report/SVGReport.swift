/// `--format svg`: a picture of the layout (owned by the reports work; minimal for now).
public enum SVGReport {
    public static func render(_ result: BootResult) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"
    }
}
