import LarderRESP

// MARK: - VCARD, VDIM, VEMB, VINFO, VGETATTR, VISMEMBER, VRANDMEMBER, VLINKS

extension CommandTable {
    mutating func registerVectorReadCommands() {
        register("VCARD", arity: 2, firstKey: 1, summary: "VCARD key: number of elements (0 for a missing key)") { context in
            let key = try context.arguments.nextString(for: "key")
            return .integer(Int64(context.server.keyspace.vectorSet(key)?.count ?? 0))
        }

        register("VDIM", arity: 2, firstKey: 1, summary: "VDIM key: vector dimension (an error for a missing key)") {
            context in
            let key = try context.arguments.nextString(for: "key")
            guard let set = context.server.keyspace.vectorSet(key) else { throw CommandError.keyNotFound(key) }
            return .integer(Int64(set.options.dimension))
        }

        register("VEMB", arity: -3, firstKey: 1, summary: "VEMB key element [RAW]: the element's vector") { context in
            let key = try context.arguments.nextString(for: "key")
            let element = try context.arguments.nextString(for: "element")
            var raw = false
            if let option = context.arguments.nextKeyword() {
                guard option == "RAW" else { throw CommandError.syntax("VEMB takes only RAW after the element") }
                raw = true
            }
            guard let vector = context.server.keyspace.vectorSet(key)?.vector(element: element) else { return .null }
            guard raw else { return .array(vector.map { .double(Double($0)) }) }
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            var blob: [UInt8] = []
            for component in vector {
                let bits = (component / norm).bitPattern
                blob += [UInt8(bits & 0xff), UInt8(bits >> 8 & 0xff), UInt8(bits >> 16 & 0xff), UInt8(bits >> 24)]
            }
            return .array([.simpleString("f32"), .bulkString(blob), .double(Double(norm))])
        }

        register("VINFO", arity: 2, firstKey: 1, summary: "VINFO key: the set's parameters and size") { context in
            let key = try context.arguments.nextString(for: "key")
            guard let set = context.server.keyspace.vectorSet(key) else { return .null }
            var fields: [(String, RESPValue)] = [
                ("quant-type", .bulk(set.options.quantization.rawValue)),
                ("hnsw-m", .integer(Int64(set.options.m))),
                ("vector-dim", .integer(Int64(set.options.dimension))),
                ("projection-input-dim", .integer(0)),
                ("size", .integer(Int64(set.count))),
            ]
            fields += set.infoFields()
            return .map(fields.map { RESPMapEntry(.bulk($0.0), $0.1) })
        }

        register("VGETATTR", arity: 3, firstKey: 1, summary: "VGETATTR key element: the JSON attributes or null") {
            context in
            let key = try context.arguments.nextString(for: "key")
            let element = try context.arguments.nextString(for: "element")
            return context.server.keyspace.vectorSet(key)?.attributes(element: element).map { .bulk($0) } ?? .null
        }

        register("VISMEMBER", arity: 3, firstKey: 1, summary: "VISMEMBER key element: 1 if the element exists") {
            context in
            let key = try context.arguments.nextString(for: "key")
            let element = try context.arguments.nextString(for: "element")
            return .integer(context.server.keyspace.vectorSet(key)?.contains(element: element) == true ? 1 : 0)
        }

        register("VRANDMEMBER", arity: -2, firstKey: 1,
                 summary: "VRANDMEMBER key [count]: random elements (negative count allows repeats)") { context in
            try vrandmember(&context)
        }

        register("VLINKS", arity: -3, firstKey: 1,
                 summary: "VLINKS key element [WITHSCORES]: graph neighbours per layer, layer 0 first") { context in
            let key = try context.arguments.nextString(for: "key")
            let element = try context.arguments.nextString(for: "element")
            var withScores = false
            if let option = context.arguments.nextKeyword() {
                guard option == "WITHSCORES" else { throw CommandError.syntax("VLINKS takes only WITHSCORES after the element") }
                withScores = true
            }
            guard let layers = context.server.keyspace.vectorSet(key)?.links(element: element) else { return .null }
            var options = VSimOptions()
            options.withScores = withScores
            return .array(layers.map { VSimReply.build($0, options: options, version: context.version) { _ in nil } })
        }
    }
}

private func vrandmember(_ context: inout CommandContext) throws -> RESPValue {
    let key = try context.arguments.nextString(for: "key")
    let count = context.arguments.isAtEnd ? nil
        : try context.arguments.nextInteger(for: "count", in: -10_000_000...10_000_000)
    guard let set = context.server.keyspace.vectorSet(key) else { return count == nil ? .null : .array([]) }
    guard let count else { return set.randomElements(count: 1).first.map { .bulk($0) } ?? .null }
    if count >= 0 { return .array(set.randomElements(count: count).map { .bulk($0) }) }
    // A negative count draws |count| elements independently, so repeats are possible.
    var drawn: [RESPValue] = []
    for _ in 0..<(-count) {
        guard let element = set.randomElements(count: 1).first else { break }
        drawn.append(.bulk(element))
    }
    return .array(drawn)
}
