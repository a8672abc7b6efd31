print("pcpu-boot")
