import LarderFilter
import LarderRESP

// MARK: - VADD, VREM, VSETATTR

extension CommandTable {
    mutating func registerVectorWriteCommands() {
        register("VADD", arity: -5, flags: [.write, .acceptsEncodedInput], firstKey: 1,
                 summary: "VADD key (FP32 blob | VALUES n v... | IMAGE bytes | RECIPE json) element [CAS] "
                     + "[NOQUANT|Q8|Q8RERANK|BIN] [EF n] [SETATTR json] [M n]") {
            context in
            try vadd(&context)
        }

        register("VREM", arity: 3, flags: [.write], firstKey: 1, summary: "VREM key element: 1 if removed") { context in
            let key = try context.arguments.nextString(for: "key")
            let element = try context.arguments.nextString(for: "element")
            guard let set = context.server.keyspace.vectorSet(key) else { return .integer(0) }
            let removed = try set.remove(element: element)
            // Like Redis, a vector set that becomes empty is deleted.
            if removed, set.count == 0 { _ = try context.server.keyspace.drop(key) }
            return .integer(removed ? 1 : 0)
        }

        register("VSETATTR", arity: 4, flags: [.write], firstKey: 1,
                 summary: "VSETATTR key element json: set attributes (\"\" deletes them)") { context in
            let key = try context.arguments.nextString(for: "key")
            let element = try context.arguments.nextString(for: "element")
            let json = try AttributeText.validated(try context.arguments.nextString(for: "attributes"))
            guard let set = context.server.keyspace.vectorSet(key) else { return .integer(0) }
            return .integer(try set.setAttributes(element: element, json: json) ? 1 : 0)
        }
    }
}

/// VADD options after the element name.
private struct VAddOptions {
    var quantization: VectorSetQuantization?
    var efConstruction: Int?
    var m: Int?
    var attributes: String??

    init(_ arguments: inout CommandArguments) throws {
        while let option = arguments.nextKeyword() {
            switch option {
            case "CAS":
                // Accepted for compatibility: every VADD already runs off the I/O threads.
                continue
            case "NOQUANT": try setQuantization(.noquant, option)
            case "Q8": try setQuantization(.q8, option)
            case "Q8RERANK": try setQuantization(.q8Rerank, option)
            case "BIN":
                throw CommandError.unsupported("BIN (binary quantization) is not supported by Larder; use Q8 (the "
                    + "default), Q8RERANK or NOQUANT")
            case "EF": efConstruction = try arguments.nextInteger(for: "EF", in: 1...100_000)
            case "M": m = try arguments.nextInteger(for: "M", in: 4...512)
            case "SETATTR": attributes = .some(try AttributeText.validated(try arguments.nextString(for: "SETATTR")))
            default:
                throw CommandError.syntax("unknown VADD option '\(option.prefix(64))'; expected CAS, NOQUANT, Q8, Q8RERANK, "
                    + "BIN, EF, SETATTR or M")
            }
        }
    }

    private mutating func setQuantization(_ value: VectorSetQuantization, _ option: String) throws {
        if let quantization, quantization != value {
            throw CommandError.syntax("\(option) conflicts with the quantization already given; pick one of NOQUANT, "
                + "Q8 and Q8RERANK")
        }
        quantization = value
    }
}

private func vadd(_ context: inout CommandContext) throws -> RESPValue {
    let server = context.server
    let key = try context.arguments.nextString(for: "key")
    if context.arguments.raw.count > 2,
       String(decoding: context.arguments.raw[2], as: UTF8.self).uppercased() == "REDUCE" {
        throw CommandError.unsupported("REDUCE (random projection) is not supported by Larder; reduce the vectors "
            + "before adding them")
    }
    let input = try VectorInputParser.parse(&context.arguments, allowElement: false, encoder: server.encoder)
    guard context.arguments.remaining > 0 else {
        throw CommandError.syntax("missing element name after the vector: VADD key VALUES n v1 ... vn element")
    }
    let element = try context.arguments.nextString(for: "element")
    let options = try VAddOptions(&context.arguments)

    let existing = server.keyspace.vectorSet(key)
    let encoded = try VectorInputParser.resolve(input, in: existing, key: key, encoder: server.encoder)
    context.stages.record(encoded)
    let vector = encoded.vector
    let requested = VectorSetOptions(dimension: vector.count, quantization: options.quantization ?? .q8,
                                     m: options.m ?? 16, efConstruction: options.efConstruction ?? 200)
    let set = try existing ?? server.keyspace.vectorSet(key, creatingWith: requested)

    guard set.options.dimension == vector.count else {
        throw CommandError.dimensionMismatch(key: key, expected: set.options.dimension, got: vector.count)
    }
    if let quantization = options.quantization, quantization != set.options.quantization {
        throw CommandError.quantizationMismatch(key: key, existing: set.options.quantization.keyword,
                                                requested: quantization.keyword)
    }
    let attributes: String?
    switch options.attributes {
    case .some(let given): attributes = given
    case .none: attributes = encoded.defaultAttributes
    }
    let added = try set.add(element: element, vector: vector, attributes: attributes)
    return .integer(added ? 1 : 0)
}

/// Attribute text as stored: a JSON object, or nil for the empty string (no attributes).
enum AttributeText {
    static func validated(_ text: String) throws -> String? {
        if text.isEmpty { return nil }
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw CommandError.invalidAttributes("\(error); send a JSON object such as {\"year\": 1984}")
        }
        guard case .object = value else {
            throw CommandError.invalidAttributes("expected a JSON object such as {\"year\": 1984}, got '\(text.prefix(64))'")
        }
        return text
    }
}
