import Dispatch
import LarderFilter
import LarderRESP

// MARK: - VSIM

extension CommandTable {
    mutating func registerVectorSearchCommand() {
        register("VSIM", arity: -4, flags: [.acceptsEncodedInput], firstKey: 1,
                 summary: "VSIM key (ELE e | FP32 blob | VALUES n v...) [WITHSCORES] [WITHATTRIBS] [COUNT n] "
                    + "[EPSILON d] [EF n] [FILTER expr] [FILTER-EF n] [TRUTH] [NOTHREAD]") { context in
            try vsim(&context)
        }
    }
}

/// VSIM options after the query.
struct VSimOptions {
    var withScores = false
    var withAttributes = false
    var count = 10
    var epsilon: Double?
    var ef: Int?
    var filter: FilterExpression?
    var filterEF: Int?
    var truth = false

    /// Candidate list size when the command gives no EF.
    static let defaultEF = 100
    /// Largest candidate list a filtered search may use.
    static let maxFilterEF = 100_000

    /// Options with every flag off and the default COUNT.
    init() {}

    init(_ arguments: inout CommandArguments) throws {
        while let option = arguments.nextKeyword() {
            switch option {
            case "WITHSCORES": withScores = true
            case "WITHATTRIBS": withAttributes = true
            case "COUNT": count = try arguments.nextInteger(for: "COUNT", in: 1...100_000)
            case "EPSILON": epsilon = try arguments.nextDouble(for: "EPSILON", in: 0...1)
            case "EF": ef = try arguments.nextInteger(for: "EF", in: 1...1_000_000)
            case "FILTER":
                let text = try arguments.nextString(for: "FILTER")
                do {
                    filter = try FilterExpression(text)
                } catch let error as FilterParseError {
                    throw CommandError.invalidFilter(error.description)
                }
            case "FILTER-EF": filterEF = try arguments.nextInteger(for: "FILTER-EF", in: 1...Int.max)
            case "TRUTH": truth = true
            case "NOTHREAD":
                // Accepted for compatibility: searches always run on a worker thread.
                continue
            default:
                throw CommandError.syntax("unknown VSIM option '\(option.prefix(64))'; expected WITHSCORES, WITHATTRIBS, "
                    + "COUNT, EPSILON, EF, FILTER, FILTER-EF, TRUTH or NOTHREAD")
            }
        }
    }

    /// The candidate list size: EF (never below COUNT), widened for a filter
    /// to FILTER-EF (default COUNT x 100) because most candidates may not match.
    var searchEF: Int {
        var size = max(ef ?? VSimOptions.defaultEF, count)
        if filter != nil {
            size = max(size, min(filterEF ?? count * 100, VSimOptions.maxFilterEF))
        }
        return size
    }
}

private func vsim(_ context: inout CommandContext) throws -> RESPValue {
    let server = context.server
    let key = try context.arguments.nextString(for: "key")
    let input = try VectorInputParser.parse(&context.arguments, allowElement: true, encoder: server.encoder)
    let options = try VSimOptions(&context.arguments)

    // Like Redis, a missing key gives an empty result rather than an error.
    guard let set = server.keyspace.vectorSet(key) else { return .array([]) }
    let resolved = try VectorInputParser.resolve(input, in: set, key: key, encoder: server.encoder)
    context.stages.record(resolved)
    let query = resolved.vector
    guard query.count == set.options.dimension else {
        throw CommandError.dimensionMismatch(key: key, expected: set.options.dimension, got: query.count)
    }

    var filterClosure: ((String, String?) -> Bool)?
    if let filter = options.filter {
        filterClosure = { _, attributes in
            guard let attributes else { return false }
            return filter.matches(json: attributes)
        }
    }
    let searchStart = DispatchTime.now().uptimeNanoseconds
    var hits = try set.search(query, count: options.count, ef: options.searchEF, filter: filterClosure,
                              exact: options.truth)
    context.stages.searchMicros += Int((DispatchTime.now().uptimeNanoseconds - searchStart) / 1_000)
    if let epsilon = options.epsilon {
        hits.removeAll { $0.similarity < 1 - epsilon }
    }
    return VSimReply.build(hits, options: options, version: context.version) { set.attributes(element: $0) }
}

/// The reply shapes of VSIM.
enum VSimReply {
    /// Builds the reply. Without options it is an array of names. With
    /// WITHSCORES or WITHATTRIBS it is a RESP3 map from each name to its score,
    /// its attributes, or `[score, attributes]` for both. RESP2 gets the same
    /// pairs flattened into one array.
    static func build(_ hits: [VectorSetHit], options: VSimOptions, version: RESPVersion,
                      attributes: (String) -> String?) -> RESPValue {
        guard options.withScores || options.withAttributes else {
            return .array(hits.map { .bulk($0.element) })
        }
        var entries: [RESPMapEntry] = []
        var flat: [RESPValue] = []
        for hit in hits {
            var fields: [RESPValue] = []
            if options.withScores { fields.append(.double(hit.similarity)) }
            if options.withAttributes { fields.append(attributes(hit.element).map { .bulk($0) } ?? .null) }
            if version == .resp3 {
                entries.append(RESPMapEntry(.bulk(hit.element), fields.count == 1 ? fields[0] : .array(fields)))
            } else {
                flat.append(.bulk(hit.element))
                flat += fields
            }
        }
        return version == .resp3 ? .map(entries) : .array(flat)
    }
}
