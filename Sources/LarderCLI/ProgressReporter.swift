import Foundation

/// Reports progress of a long job on standard error: count, rate and ETA.
/// On a terminal the line is redrawn in place a few times a second; otherwise
/// a new line is written every few seconds, so logs stay readable.
final class ProgressReporter: @unchecked Sendable {
    private let label: String
    private let total: Int
    private let lock = NSLock()
    private let start = Date()
    private var done = 0
    private var lastReport = Date.distantPast
    private var lastReportedCount = -1
    private let interactive = isatty(2) != 0

    init(label: String, total: Int) {
        self.label = label
        self.total = total
    }

    /// Adds `count` finished items and redraws the line when due.
    func advance(by count: Int) {
        lock.lock()
        defer { lock.unlock() }
        done += count
        let now = Date()
        let interval = interactive ? 0.2 : 5.0
        if now.timeIntervalSince(lastReport) >= interval {
            lastReport = now
            write(finished: false)
        }
    }

    /// Writes the final line.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        // On a terminal the final line ends the redrawn one; in a log, skip it when it would repeat.
        if interactive || lastReportedCount != done {
            write(finished: true)
        }
    }

    private func write(finished: Bool) {
        lastReportedCount = done
        let elapsed = max(Date().timeIntervalSince(start), 1e-6)
        let rate = Double(done) / elapsed
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let percent = total > 0 ? 100 * Double(done) / Double(total) : 100
        let width = 24
        let filled = total > 0 ? min(width, width * done / total) : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = String(format: "%@ [%@] %d/%d (%.0f%%) %.0f/s ETA %@",
                          label, bar, done, total, percent, rate, Self.format(seconds: finished ? 0 : remaining))
        let text = interactive ? "\r" + line + (finished ? "\n" : "") : line + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    private static func format(seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 3600
            ? String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
            : String(format: "%d:%02d", whole / 60, whole % 60)
    }
}
