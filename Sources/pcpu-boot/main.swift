import PcpuBootCLI

PcpuBootCLI.main()
