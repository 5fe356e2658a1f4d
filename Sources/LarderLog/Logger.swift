import Foundation

// MARK: - Levels

/// Severity of a log record, from the most verbose to the most severe.
public enum LogLevel: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    case trace = 0, debug, info, notice, warning, error, critical

    /// Parses a level name such as `info` or `WARNING`; returns `nil` for an unknown name.
    public init?(name: String) {
        guard let level = LogLevel.allCases.first(where: { $0.description == name.lowercased() }) else {
            return nil
        }
        self = level
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .trace: return "trace"
        case .debug: return "debug"
        case .info: return "info"
        case .notice: return "notice"
        case .warning: return "warning"
        case .error: return "error"
        case .critical: return "critical"
        }
    }
}

// MARK: - Sink

/// Destination of formatted log lines. The process has one, shared by every logger.
public protocol LogSink: Sendable {
    /// Writes one complete line (without a trailing newline).
    func write(line: String)
}

/// Writes lines to standard error, one `write(2)` per line so that lines from
/// different threads never interleave.
public struct StandardErrorSink: LogSink {
    public init() {}

    public func write(line: String) {
        var bytes = Array((line + "\n").utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// Collects lines in memory; tests use it to check what was logged.
public final class MemorySink: LogSink, @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []

    public init() {}

    public func write(line: String) {
        lock.lock()
        storage.append(line)
        lock.unlock()
    }

    /// Lines written so far, oldest first.
    public var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}

// MARK: - Process-wide configuration

/// The process-wide minimum level and sink. The initial level comes from the
/// `LARDER_LOG_LEVEL` environment variable (default `info`).
public enum LogSystem {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var currentLevel: LogLevel =
        ProcessInfo.processInfo.environment["LARDER_LOG_LEVEL"].flatMap(LogLevel.init(name:)) ?? .info
    nonisolated(unsafe) private static var currentSink: any LogSink = StandardErrorSink()

    /// Minimum level that is written; records below it are dropped before formatting.
    public static var level: LogLevel {
        get { lock.lock(); defer { lock.unlock() }; return currentLevel }
        set { lock.lock(); currentLevel = newValue; lock.unlock() }
    }

    /// Destination of every logger's lines.
    public static var sink: any LogSink {
        get { lock.lock(); defer { lock.unlock() }; return currentSink }
        set { lock.lock(); currentSink = newValue; lock.unlock() }
    }
}

// MARK: - Logger

/// A small leveled logger: `label` names the component, `metadata` is appended
/// to every line as `key=value` (for example a request id).
///
/// Line format: `2026-12-04T20:30:00.123Z info [server] message key=value`.
public struct Logger: Sendable {
    /// Component name shown in brackets.
    public let label: String
    /// Key-value pairs added to every line of this logger.
    public var metadata: [String: String]

    public init(label: String, metadata: [String: String] = [:]) {
        self.label = label
        self.metadata = metadata
    }

    /// Returns a copy of this logger with one more metadata pair, such as a request id.
    public func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        copy.metadata[key] = value
        return copy
    }

    /// Writes `message` at `level` when the level passes `LogSystem.level`.
    /// The message is built only when it will be written.
    public func log(_ level: LogLevel, _ message: @autoclosure () -> String,
                    _ extra: [String: String] = [:]) {
        guard level >= LogSystem.level else { return }
        var line = "\(Logger.timestamp()) \(level) [\(label)] \(message())"
        let merged = metadata.merging(extra) { _, new in new }
        for key in merged.keys.sorted() {
            line += " \(key)=\(Logger.quoteIfNeeded(merged[key]!))"
        }
        LogSystem.sink.write(line: line)
    }

    public func trace(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.trace, message(), extra) }
    public func debug(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.debug, message(), extra) }
    public func info(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.info, message(), extra) }
    public func notice(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.notice, message(), extra) }
    public func warning(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.warning, message(), extra) }
    public func error(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.error, message(), extra) }
    public func critical(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.critical, message(), extra) }

    // MARK: Formatting

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = Int(now.tv_nsec / 1_000_000)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                      Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), millis)
    }

    private static func quoteIfNeeded(_ value: String) -> String {
        if value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return value
    }
}

// MARK: - Rate limiting

/// Lets through at most `limit` events per `interval` seconds and counts the rest,
/// so a flood of identical client errors cannot flood the log.
public final class LogRateLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private let limit: Int
    private let interval: Double
    private var windowStart: Double = 0
    private var passed = 0
    private var suppressed = 0

    public init(limit: Int, interval: Double) {
        self.limit = limit
        self.interval = interval
    }

    /// Returns whether this event may be logged, and how many events were
    /// suppressed since the last one that was (to mention in the line).
    public func admit(now: Double = Date().timeIntervalSince1970) -> (allowed: Bool, suppressedBefore: Int) {
        lock.lock()
        defer { lock.unlock() }
        if now - windowStart >= interval {
            windowStart = now
            passed = 0
        }
        guard passed < limit else {
            suppressed += 1
            return (false, 0)
        }
        passed += 1
        let dropped = suppressed
        suppressed = 0
        return (true, dropped)
    }
}
