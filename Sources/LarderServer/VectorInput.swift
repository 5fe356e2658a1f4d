import LarderRESP

/// A VADD or VSIM input that a model turns into a vector, such as a photo.
public struct EncodedInputKind: Hashable, Sendable, CustomStringConvertible {
    /// The keyword that introduces the input in a command, upper case (`IMAGE`, `RECIPE`).
    public let keyword: String

    public init(_ keyword: String) { self.keyword = keyword.uppercased() }

    public var description: String { keyword }
}

/// The result of encoding a photo or recipe.
public struct EncodedInput: Sendable {
    /// The vector to add or search with.
    public var vector: [Float]
    /// Attributes VADD stores when the command has no SETATTR, such as the recipe JSON itself.
    public var defaultAttributes: String?
    /// Seconds spent parsing or decoding the payload (for INFO and the slow log).
    public var decodeSeconds: Double
    /// Seconds spent waiting for and running the model (for INFO and the slow log).
    public var encodeSeconds: Double

    public init(vector: [Float], defaultAttributes: String? = nil, decodeSeconds: Double = 0, encodeSeconds: Double = 0) {
        self.vector = vector
        self.defaultAttributes = defaultAttributes
        self.decodeSeconds = decodeSeconds
        self.encodeSeconds = encodeSeconds
    }
}

/// Turns non-vector inputs (photos, recipes) into vectors. The server calls
/// it from worker threads, possibly from several at once.
public protocol VectorInputEncoder: Sendable {
    /// The input keywords this encoder handles.
    var kinds: Set<EncodedInputKind> { get }
    /// Encodes `payload`; throws an error naming what is wrong with it.
    func encode(_ kind: EncodedInputKind, payload: [UInt8]) throws -> EncodedInput
    /// Fields for the `# Encoder` section of INFO, such as the model file and batching counters.
    var infoFields: [(String, String)] { get }
}

extension VectorInputEncoder {
    public var infoFields: [(String, String)] { [] }
}

/// Where a VADD or VSIM vector comes from.
enum VectorInput {
    /// `FP32 blob` or `VALUES n v1 ... vn`.
    case vector([Float])
    /// `ELE name` (VSIM only): the stored vector of another element.
    case element(String)
    /// `IMAGE bytes`, `RECIPE json` or another kind an encoder handles.
    case encoded(EncodedInputKind, [UInt8])
}

/// Parses the vector part of VADD and VSIM, in one place so that a new input
/// kind needs only an encoder.
enum VectorInputParser {
    /// Most components accepted in one vector.
    static let maxDimension = 65_536

    /// Returns whether a VADD or VSIM request (`arguments`, command name first) gives
    /// its vector as one of `kinds`, judged by the word where the input
    /// starts: after the key, or after `REDUCE dim` in VADD. Parsing proper
    /// happens later; this only routes the request to the right pool.
    static func peekEncodedInput(_ arguments: [[UInt8]], kinds: Set<EncodedInputKind>) -> Bool {
        var position = 2
        if position < arguments.count, String(decoding: arguments[position], as: UTF8.self).uppercased() == "REDUCE" {
            position += 2
        }
        guard position < arguments.count, arguments[position].count <= 16 else { return false }
        return kinds.contains(EncodedInputKind(String(decoding: arguments[position], as: UTF8.self)))
    }

    /// Reads `FP32 blob`, `VALUES n ...`, `ELE name` (when `allowElement`) or an encoder keyword.
    static func parse(_ arguments: inout CommandArguments, allowElement: Bool,
                      encoder: VectorInputEncoder?) throws -> VectorInput {
        let encoded = (encoder?.kinds.map(\.keyword).sorted() ?? []).joined(separator: ", ")
        let plain = allowElement ? "ELE, FP32, VALUES" : "FP32, VALUES"
        let choices = encoded.isEmpty ? plain.replacingOccurrences(of: ", VALUES", with: " or VALUES")
            : "\(plain), \(encoded.replacingOccurrences(of: ", RECIPE", with: " or RECIPE"))"
        guard let keyword = arguments.nextKeyword() else { throw CommandError.syntax("expected \(choices)") }
        switch keyword {
        case "FP32":
            return .vector(try decodeFP32(try arguments.nextBytes(for: "FP32 blob")))
        case "VALUES":
            let count = try arguments.nextInteger(for: "VALUES count", in: 1...maxDimension)
            guard arguments.remaining >= count else {
                throw CommandError.syntax("VALUES \(count) needs \(count) numbers but only \(arguments.remaining) "
                    + "arguments follow")
            }
            var vector: [Float] = []
            vector.reserveCapacity(count)
            for index in 0..<count {
                let text = try arguments.nextString(for: "vector component")
                guard let value = Float(text) else {
                    throw CommandError.notFloat(option: "vector component \(index)", value: text)
                }
                if value.isInfinite, let wide = Double(text), wide.isFinite {
                    throw CommandError.syntax("vector component \(index) '\(text.prefix(64))' is beyond the float32 "
                        + "range (about 3.4e38); scale the vector down")
                }
                vector.append(value)
            }
            return .vector(vector)
        case "ELE" where allowElement:
            return .element(try arguments.nextString(for: "ELE element"))
        default:
            let kind = EncodedInputKind(keyword)
            if let encoder, encoder.kinds.contains(kind) {
                return .encoded(kind, try arguments.nextBytes(for: keyword))
            }
            if kind.keyword == "IMAGE" || kind.keyword == "RECIPE" {
                throw CommandError.unsupported("\(keyword) input needs an encoder model, and this server has none loaded; "
                    + "restart larder serve with --model PATH (or without --no-model)")
            }
            throw CommandError.syntax("expected \(choices) before the vector, got '\(keyword.prefix(64))'")
        }
    }

    /// Little-endian IEEE 754 single-precision components.
    static func decodeFP32(_ blob: [UInt8]) throws -> [Float] {
        guard !blob.isEmpty, blob.count % 4 == 0 else {
            throw CommandError.invalidVector("FP32 blob of \(blob.count) bytes is not a positive multiple of 4")
        }
        guard blob.count / 4 <= maxDimension else {
            throw CommandError.invalidVector("FP32 blob has \(blob.count / 4) components; the maximum is \(maxDimension)")
        }
        return stride(from: 0, to: blob.count, by: 4).map { offset in
            let bits = UInt32(blob[offset]) | UInt32(blob[offset + 1]) << 8
                | UInt32(blob[offset + 2]) << 16 | UInt32(blob[offset + 3]) << 24
            return Float(bitPattern: bits)
        }
    }

    /// Rejects vectors the cosine index cannot store or search.
    static func validate(_ vector: [Float]) throws {
        if let index = vector.firstIndex(where: { !$0.isFinite }) {
            throw CommandError.invalidVector("component \(index) is \(vector[index]); send finite numbers")
        }
        if vector.allSatisfy({ $0 == 0 }) {
            throw CommandError.invalidVector("every component is zero, so it has no direction for cosine similarity")
        }
    }

    /// Resolves an input to its vector, with the attributes an encoder suggests.
    static func resolve(_ input: VectorInput, in set: VectorSet?, key: String,
                        encoder: VectorInputEncoder?) throws -> EncodedInput {
        switch input {
        case .vector(let vector):
            try validate(vector)
            return EncodedInput(vector: vector)
        case .element(let element):
            guard let set, let vector = set.vector(element: element) else {
                throw CommandError.elementNotFound(key: key, element: element)
            }
            return EncodedInput(vector: vector)
        case .encoded(let kind, let payload):
            guard let encoder else { throw CommandError.unsupported("\(kind) input needs an encoder model") }
            let encoded = try encoder.encode(kind, payload: payload)
            try validate(encoded.vector)
            return encoded
        }
    }
}
