// pcpu-boot-bench: measures pcpu-boot, prints the tables and writes an SVG plot.
// Run after building the tool (README):
//   swift run -c release pcpu-boot-bench [--runs N] [--binary PATH] [--out DIR]
//   swift run -c release pcpu-boot-bench make-dtb FILE CPUS NODES
// Nothing here is asserted: the numbers are measured on the machine it runs on.
Bench.main(Array(CommandLine.arguments.dropFirst()))
