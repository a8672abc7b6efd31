import KernelSupport

extension TextReport {
    /// Where the dynamic chunks after the first would go (`pcpu_get_vm_areas`),
    /// and why none can when the first chunk's shape does not fit the vmalloc
    /// space — what a kernel without the page fallback ran into.
    static func dynamicChunks(_ result: BootResult) -> String {
        guard let outlook = result.dynamicChunks else { return "" }
        var out = heading("Dynamic chunks (pcpu_get_vm_areas)")
        out += "  every later chunk repeats the first chunk's group offsets in the vmalloc space\n"
        var list = KeyValueList()
        list.append("chunk span", "\(Printk.hexAlt(outlook.span)) (\(ReportFormat.bytes(outlook.span)))")
        list.append("vmalloc space", "\(Printk.hexAlt(result.profile.layout.vmallocStart))-\(Printk.hexAlt(result.profile.layout.vmallocEnd))")
        if outlook.placedBases.isEmpty {
            list.append("chunks that fit", "none")
        } else {
            let more = outlook.reachedLimit ? " (search stopped; more fit)" : ""
            list.append("chunks that fit", "\(outlook.placedBases.count)\(more)")
            list.append("bases", outlook.placedBases.prefix(4).map { Printk.hexAlt($0) }.joined(separator: ", ")
                        + (outlook.placedBases.count > 4 ? ", ..." : ""))
        }
        if let failure = outlook.failure {
            list.append("next chunk", "FAILS: \(failure)")
        }
        if let message = outlook.kernelMessage {
            list.append("kernel then prints", message)
        }
        out += list.render(indent: "  ")
        return out
    }
}
