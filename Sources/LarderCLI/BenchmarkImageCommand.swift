import Foundation
import LarderArguments
import LarderModels
import LarderTensor

/// `larder bench-image`: times the forward pass of a pretrained image backbone
/// on a synthetic batch and prints one JSON line, for benchmarks/image_encoder.sh.
enum BenchmarkImageCommand: Subcommand {
    static let name = "bench-image"
    static let summary = "Time an image backbone's forward pass (for benchmarks)."

    static func makeSpec() -> CommandSpec {
        var spec = CommandSpec(name: name, summary: summary)
        spec.option("backbone", metavar: "NAME", help: "Pretrained backbone to time.", default: ImageBackboneKind.standard.rawValue)
        spec.option("batch", metavar: "N", help: "Images per forward pass.", default: "1")
        spec.option("iterations", metavar: "N", help: "Timed forward passes, after one untimed warm-up pass.", default: "10")
        return spec
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try makeSpec().parse(arguments)
        let name = try parsed.choice("backbone", from: ImageBackboneKind.allCases.map(\.rawValue))!
        let batch = try parsed.integer("batch", in: 1...1024)!
        let iterations = try parsed.integer("iterations", in: 1...10_000)!
        let backbone = try ImageBackboneKind(rawValue: name)!.loadPretrained()

        let side = backbone.preprocessor.cropSize
        var generator = SystemRandomNumberGenerator()
        let input = Tensor(shape: [batch, 3, side, side],
                           scalars: (0..<(batch * 3 * side * side)).map { _ in Float.random(in: -2...2, using: &generator) })
        _ = backbone.features(input)

        var seconds: [Double] = []
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = backbone.features(input)
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        seconds.sort()
        let median = seconds[seconds.count / 2]
        let record: [String: Any] = [
            "implementation": "larder", "backbone": name, "batch": batch, "iterations": iterations,
            "median_ms": (median * 1000 * 100).rounded() / 100,
            "images_per_second": (Double(batch) / median * 10).rounded() / 10,
            "peak_rss_mib": peakResidentMiB(),
        ]
        let json = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
        Console.out(String(decoding: json, as: UTF8.self))
        return 0
    }

    /// Peak resident set size of this process (`VmHWM` in /proc/self/status), or -1 where unavailable.
    static func peakResidentMiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
        return kilobytes / 1024
    }
}
