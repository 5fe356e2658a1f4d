/// One client request: the command name and its arguments as raw bytes.
public struct RESPRequest: Sendable, Equatable {
    /// Every word of the request, the command name first.
    public var arguments: [[UInt8]]
    /// Whether the request came as an inline line (telnet style) rather than a RESP array.
    public var isInline: Bool

    public init(arguments: [[UInt8]], isInline: Bool = false) {
        self.arguments = arguments
        self.isInline = isInline
    }

    /// The command name in upper case, for dispatch.
    public var commandName: String {
        guard let first = arguments.first else { return "" }
        let name = String(decoding: first, as: UTF8.self)
        // Most clients send upper case already; skip the copy then.
        if first.allSatisfy({ $0 < 0x61 || $0 > 0x7A }) { return name }
        return name.uppercased()
    }
}

/// Parses client requests incrementally from a byte stream: RESP arrays of
/// bulk strings (what client libraries send) and inline commands (a line of
/// words, what a person types into telnet or nc).
///
/// Bytes arrive in any split; `append` adds them and `next()` returns each
/// complete request once all its bytes are buffered. A partially received
/// array keeps its parsed arguments, so a large request trickling in is not
/// rescanned from its start on every read.
///
/// - Complexity: amortised O(n) in the bytes received.
public struct RESPRequestParser: Sendable {
    /// The limits this parser enforces.
    public let limits: RESPLimits

    private var buffer: [UInt8] = []
    private var readIndex = 0
    // State of a RESP array that is not yet complete.
    private var expectedArguments = 0
    private var arguments: [[UInt8]] = []
    private var pendingBulkLength: Int?
    private var failed: RESPProtocolError?

    public init(limits: RESPLimits = RESPLimits()) {
        self.limits = limits
    }

    /// Bytes received but not yet returned as part of a request.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Adds received bytes.
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        compactIfNeeded()
        buffer.append(contentsOf: bytes)
    }

    /// Adds received bytes from raw memory.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfNeeded()
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete request, or nil when more bytes are needed.
    ///
    /// - Throws: `RESPProtocolError` when the framing is broken; the parser
    ///   then keeps throwing the same error, because the stream cannot be resynchronised.
    public mutating func next() throws -> RESPRequest? {
        if let failed { throw failed }
        do {
            return try parseNext()
        } catch let error as RESPProtocolError {
            failed = error
            throw error
        }
    }

    // MARK: - Dispatch on the first byte

    private mutating func parseNext() throws -> RESPRequest? {
        if bufferedByteCount > limits.maxQueryBuffer {
            throw RESPProtocolError.queryBufferExceeded(maximum: limits.maxQueryBuffer)
        }
        while true {
            if expectedArguments > 0 {
                return try continueArray()
            }
            guard readIndex < buffer.count else { return nil }
            if buffer[readIndex] == UInt8(ascii: "*") {
                guard let line = try headerLine() else { return nil }
                let count = try parseCount(line, maximum: limits.maxArguments, isBulk: false)
                // `*0` and `*-1` carry no command; Redis skips them too.
                guard count > 0 else { continue }
                expectedArguments = count
                arguments.reserveCapacity(min(count, 1024))
                continue
            }
            guard let request = try parseInline() else { return nil }
            if request.arguments.isEmpty { continue }
            return request
        }
    }

    // MARK: - RESP arrays

    private mutating func continueArray() throws -> RESPRequest? {
        while arguments.count < expectedArguments {
            if pendingBulkLength == nil {
                guard readIndex < buffer.count else { return nil }
                let marker = buffer[readIndex]
                guard marker == UInt8(ascii: "$") else { throw RESPProtocolError.expectedBulkString(found: marker) }
                guard let line = try headerLine() else { return nil }
                pendingBulkLength = try parseCount(line, maximum: limits.maxBulkLength, isBulk: true)
            }
            let length = pendingBulkLength!
            guard buffer.count - readIndex >= length + 2 else {
                try checkQueryBuffer(needed: length + 2)
                return nil
            }
            guard buffer[readIndex + length] == 13, buffer[readIndex + length + 1] == 10 else {
                throw RESPProtocolError.missingBulkTerminator
            }
            arguments.append(Array(buffer[readIndex..<(readIndex + length)]))
            readIndex += length + 2
            pendingBulkLength = nil
        }
        let request = RESPRequest(arguments: arguments)
        arguments = []
        expectedArguments = 0
        return request
    }

    /// Reads a `*N` or `$N` header line (without the marker); nil when the CRLF has not arrived.
    private mutating func headerLine() throws -> ArraySlice<UInt8>? {
        let start = readIndex + 1
        guard let newline = buffer[start...].firstIndex(of: 10) else {
            // A valid header is a sign and at most 20 digits.
            if buffer.count - start > 32 { throw RESPProtocolError.headerTooLong }
            return nil
        }
        var end = newline
        if end > start, buffer[end - 1] == 13 { end -= 1 }
        readIndex = newline + 1
        return buffer[start..<end]
    }

    private func parseCount(_ line: ArraySlice<UInt8>, maximum: Int, isBulk: Bool) throws -> Int {
        let text = String(decoding: line, as: UTF8.self)
        guard let value = Int(text), value <= maximum, !(isBulk && value < 0) else {
            throw isBulk
                ? RESPProtocolError.invalidBulkLength(text, maximum: maximum)
                : RESPProtocolError.invalidMultibulkLength(text, maximum: maximum)
        }
        return value
    }

    private func checkQueryBuffer(needed: Int) throws {
        if needed > limits.maxQueryBuffer {
            throw RESPProtocolError.queryBufferExceeded(maximum: limits.maxQueryBuffer)
        }
    }

    // MARK: - Inline commands

    private mutating func parseInline() throws -> RESPRequest? {
        guard let newline = buffer[readIndex...].firstIndex(of: 10) else {
            if buffer.count - readIndex > limits.maxInlineLength {
                throw RESPProtocolError.inlineTooLong(maximum: limits.maxInlineLength)
            }
            return nil
        }
        if newline - readIndex > limits.maxInlineLength {
            throw RESPProtocolError.inlineTooLong(maximum: limits.maxInlineLength)
        }
        var end = newline
        if end > readIndex, buffer[end - 1] == 13 { end -= 1 }
        let words = try InlineSplitter.split(buffer[readIndex..<end])
        readIndex = newline + 1
        return RESPRequest(arguments: words, isInline: true)
    }

    // MARK: - Buffer

    /// Drops consumed bytes once they are the larger part of the buffer, so
    /// memory stays proportional to the unparsed bytes.
    private mutating func compactIfNeeded() {
        guard readIndex > 0 else { return }
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            readIndex = 0
        } else if readIndex >= 4096, readIndex * 2 >= buffer.count {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }
}
