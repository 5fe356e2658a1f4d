import Foundation

/// Latency and memory figures of one `larder encode --timing` run.
struct EncodeTiming {
    var latencies: [Duration]
    var recipes: Int
    var batchSize: Int
    var loadTime: Duration

    var summary: String {
        let milliseconds = latencies.map { Double($0.components.attoseconds) / 1e15 + Double($0.components.seconds) * 1e3 }
            .sorted()
        guard !milliseconds.isEmpty else { return "timing: no recipes encoded" }
        let median = milliseconds[milliseconds.count / 2]
        let p90 = milliseconds[min(milliseconds.count - 1, Int(Double(milliseconds.count) * 0.9))]
        let total = milliseconds.reduce(0, +)
        let load = Double(loadTime.components.seconds) + Double(loadTime.components.attoseconds) / 1e18
        return String(format: "timing: %d recipes in %d batches of up to %d: median batch %.2f ms, p90 %.2f ms, "
                      + "%.1f recipes/s, peak RSS %.0f MiB, model load %.2f s",
                      recipes, milliseconds.count, batchSize, median, p90, Double(recipes) / (total / 1000),
                      peakResidentMebibytes(), load)
    }

    /// Peak resident set size of this process (`getrusage`, kilobytes on Linux).
    private func peakResidentMebibytes() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_maxrss) / 1024
    }
}
