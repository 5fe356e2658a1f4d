/// A cursor over a request's arguments with typed readers, so each command
/// parses options the same way and reports bad values the same way.
struct CommandArguments {
    /// Every argument; index 0 is the command name.
    let raw: [[UInt8]]
    /// Next argument to read.
    var position: Int

    init(_ raw: [[UInt8]], from position: Int = 1) {
        self.raw = raw
        self.position = position
    }

    var command: String { String(decoding: raw[0], as: UTF8.self).uppercased() }
    var remaining: Int { raw.count - position }
    var isAtEnd: Bool { position >= raw.count }

    /// The next argument as bytes.
    mutating func nextBytes(for option: String) throws -> [UInt8] {
        guard position < raw.count else { throw CommandError.syntax("\(option) needs a value") }
        defer { position += 1 }
        return raw[position]
    }

    /// The next argument as text.
    mutating func nextString(for option: String) throws -> String {
        String(decoding: try nextBytes(for: option), as: UTF8.self)
    }

    /// The next argument upper-cased, for matching option names.
    mutating func nextKeyword() -> String? {
        guard position < raw.count else { return nil }
        defer { position += 1 }
        return String(decoding: raw[position], as: UTF8.self).uppercased()
    }

    /// The next argument as an integer within `range`.
    mutating func nextInteger(for option: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        let text = try nextString(for: option)
        guard let value = Int(text) else { throw CommandError.notInteger(option: option, value: text) }
        guard range.contains(value) else {
            throw CommandError.outOfRange(option: option, value: text, range: CommandArguments.describe(range))
        }
        return value
    }

    /// The next argument as a finite double within `range`.
    mutating func nextDouble(for option: String, in range: ClosedRange<Double>) throws -> Double {
        let text = try nextString(for: option)
        guard let value = Double(text), value.isFinite else { throw CommandError.notFloat(option: option, value: text) }
        guard range.contains(value) else {
            throw CommandError.outOfRange(option: option, value: text, range: "from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return "at least \(range.lowerBound)" }
        return "from \(range.lowerBound) to \(range.upperBound)"
    }
}
