import Foundation
import KernelBuild
import PercpuBoot

/// `--config`, `--system-map` and `--vmlinux`: the kernel build's own files, read once
/// and applied to the platform (after the platform file, before the individual flags).
struct KernelBuildInputs {
    var config: KernelConfigFile?
    var section: PerCPUSection?
    var sectionFile: String?

    static func load(config: String?, systemMap: String?, vmlinux: String?) throws(CLIInputError) -> KernelBuildInputs {
        if systemMap != nil && vmlinux != nil {
            throw CLIInputError("--system-map and --vmlinux both give __per_cpu_start/__per_cpu_end; give one of them")
        }
        var inputs = KernelBuildInputs()
        do throws(KernelBuildError) {
            if let config { inputs.config = try KernelConfigFile.parse(try read(config), fileName: config) }
            if let systemMap {
                inputs.section = try SystemMap.perCPUSection(try read(systemMap), fileName: systemMap)
                inputs.sectionFile = systemMap
            }
            if let vmlinux {
                inputs.section = try ELF64(try read(vmlinux), fileName: vmlinux).perCPUSection()
                inputs.sectionFile = vmlinux
            }
        } catch {
            throw CLIInputError(error.description)
        }
        return inputs
    }

    private static func read(_ path: String) throws(KernelBuildError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: path) else {
            throw KernelBuildError(fileName: path, "cannot read the file")
        }
        return [UInt8](data)
    }

    /// The architecture the configuration names.
    var architecture: Architecture? { config.flatMap(KernelBuildConfig.architecture) }

    /// Applies the configuration (kernel version unless `--kernel` was given, every
    /// CONFIG value) and the per-CPU section (static size and `__per_cpu_start`).
    /// Returns the notes that say what was used and what defaulted.
    func apply(to platform: inout Platform, kernelGiven: Bool) throws(CLIInputError) -> [String] {
        var notes: [String] = []
        if let config {
            if let arch = architecture, arch != platform.arch {
                throw CLIInputError("\(config.fileName): a configuration for \(arch.rawValue), but the machine is \(platform.arch.rawValue)")
            }
            if !kernelGiven, let version = KernelBuildConfig.kernelVersion(config) {
                platform.kernel = version
                notes.append("kernel \(version) (from '\(config.headerVersion ?? "")' in \(config.fileName))")
            }
            let (values, choices) = try { () throws(CLIInputError) -> (KernelConfig, [KernelBuildConfig.Choice]) in
                do throws(InputError) {
                    return try KernelBuildConfig.kernelConfig(config, arch: platform.arch, defaults: platform.config)
                } catch { throw CLIInputError(error.description) }
            }()
            platform.config = values
            let used = choices.filter(\.fromFile).map { "\($0.setting)=\($0.value) [\($0.origin)]" }
            let kept = choices.filter { !$0.fromFile }.map { "\($0.setting)=\($0.value) [\($0.origin)]" }
            notes.append("\(config.fileName): used " + used.joined(separator: ", "))
            if !kept.isEmpty { notes.append("\(config.fileName): defaulted " + kept.joined(separator: ", ")) }
        }
        if let section, let sectionFile {
            platform.staticSize = section.staticSize
            platform.perCPUStart = section.start
            notes.append("\(sectionFile): static size \(section.staticSize) = __per_cpu_end 0x\(String(section.end, radix: 16)) - "
                         + "__per_cpu_start 0x\(String(section.start, radix: 16)) (\(section.source))")
        }
        return notes
    }
}
