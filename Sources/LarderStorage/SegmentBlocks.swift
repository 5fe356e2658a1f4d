import LarderHNSW

/// Encoders and decoders of the uncompressed payload of each block kind.
/// Compression and checksums are added by `SegmentWriter`; decoders raise
/// `StorageError.corrupt` with the block's file offset.
enum SegmentBlocks {
    // MARK: - Ids and attributes

    static func encodeIDs(_ ids: [String]) -> [UInt8] {
        var writer = ByteWriter(capacity: ids.count * 16)
        for id in ids { writer.appendString(id) }
        return writer.bytes
    }

    static func decodeIDs(_ reader: inout ByteReader, count: Int) throws -> [String] {
        var ids: [String] = []
        ids.reserveCapacity(count)
        for _ in 0..<count {
            ids.append(try reader.readString("element id", limit: StorageLimits.maxIdentifierBytes))
        }
        return ids
    }

    static func encodeAttributes(_ attributes: [String?]) -> [UInt8] {
        var writer = ByteWriter(capacity: attributes.count * 4)
        for value in attributes {
            if let value {
                writer.appendVarint(UInt64(value.utf8.count) + 1)
                writer.append(contentsOf: Array(value.utf8))
            } else {
                writer.appendVarint(0)
            }
        }
        return writer.bytes
    }

    static func decodeAttributes(_ reader: inout ByteReader, count: Int) throws -> [String?] {
        var attributes: [String?] = []
        attributes.reserveCapacity(count)
        for _ in 0..<count {
            let start = reader.position
            let lengthPlusOne = try reader.readCount("attribute length", limit: StorageLimits.maxAttributeBytes + 1)
            if lengthPlusOne == 0 {
                attributes.append(nil)
                continue
            }
            let slice = try reader.readBytes(lengthPlusOne - 1, "attributes")
            guard let json = String(validating: slice, as: UTF8.self) else {
                throw reader.corrupt("attributes are not valid UTF-8", at: start)
            }
            attributes.append(json)
        }
        return attributes
    }

    // MARK: - Vectors

    /// Encodes fp32 values byte-shuffled (see `ByteShuffle`).
    static func encodeFloats(_ values: [Float]) -> [UInt8] {
        values.withUnsafeBytes { ByteShuffle.shuffle($0, width: 4) }
    }

    static func decodeFloats(_ reader: inout ByteReader, count: Int, what: String) throws -> [Float] {
        let shuffled = Array(try reader.readBytes(count * 4, what))
        let bytes = ByteShuffle.unshuffle(shuffled, width: 4)
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { $0.copyBytes(from: bytes) }
        return values
    }

    /// Encodes vectors as int8 with one symmetric scale per vector: `scale = max|x| / 127`
    /// and `q = round(x / scale)`. The scales come first (byte-shuffled fp32), then
    /// `count * dimension` int8 codes.
    static func encodeInt8(_ vectors: [Float], dimension: Int) -> [UInt8] {
        let count = dimension == 0 ? 0 : vectors.count / dimension
        var scales = [Float](repeating: 0, count: count)
        var codes = [UInt8](repeating: 0, count: vectors.count)
        for row in 0..<count {
            let base = row * dimension
            var maximum: Float = 0
            for j in 0..<dimension { maximum = max(maximum, abs(vectors[base + j])) }
            let scale = maximum > 0 ? maximum / 127 : 0
            scales[row] = scale
            guard scale > 0 else { continue }
            for j in 0..<dimension {
                let q = (vectors[base + j] / scale).rounded()
                codes[base + j] = UInt8(bitPattern: Int8(max(-127, min(127, q))))
            }
        }
        return encodeFloats(scales) + codes
    }

    static func decodeInt8(_ reader: inout ByteReader, count: Int, dimension: Int) throws -> [Float] {
        let scales = try decodeFloats(&reader, count: count, what: "int8 scales")
        let codes = try reader.readBytes(count * dimension, "int8 codes")
        var vectors = [Float](repeating: 0, count: count * dimension)
        var index = codes.startIndex
        for row in 0..<count {
            let scale = scales[row]
            for j in 0..<dimension {
                vectors[row * dimension + j] = Float(Int8(bitPattern: codes[index])) * scale
                index += 1
            }
        }
        return vectors
    }

    // MARK: - Graph

    static func encodeLevels(_ levels: [Int]) -> [UInt8] {
        var writer = ByteWriter(capacity: levels.count)
        for level in levels { writer.appendVarint(UInt64(level)) }
        return writer.bytes
    }

    static func decodeLevels(_ reader: inout ByteReader, count: Int) throws -> [Int] {
        var levels: [Int] = []
        levels.reserveCapacity(count)
        for _ in 0..<count { levels.append(try reader.readCount("node level", limit: 64)) }
        return levels
    }

    /// Encodes each node's links on layers `0...level`: a varint count, then the
    /// neighbour numbers sorted ascending, the first as is and the rest as the
    /// difference from the previous one. Sorting loses the order of links within
    /// a layer, which HNSW search does not depend on.
    static func encodeGraph(_ neighbors: [[[UInt32]]]) -> [UInt8] {
        var writer = ByteWriter(capacity: neighbors.count * 48)
        for layers in neighbors {
            for links in layers {
                writer.appendVarint(UInt64(links.count))
                var previous: UInt32 = 0
                for (position, link) in links.sorted().enumerated() {
                    writer.appendVarint(UInt64(position == 0 ? link : link - previous))
                    previous = link
                }
            }
        }
        return writer.bytes
    }

    static func decodeGraph(_ reader: inout ByteReader, levels: [Int], maxLinks: Int) throws -> [[[UInt32]]] {
        let nodeCount = levels.count
        var neighbors: [[[UInt32]]] = []
        neighbors.reserveCapacity(nodeCount)
        for level in levels {
            var layers: [[UInt32]] = []
            layers.reserveCapacity(level + 1)
            for _ in 0...level {
                let count = try reader.readCount("link count", limit: maxLinks)
                var links: [UInt32] = []
                links.reserveCapacity(count)
                var value: UInt64 = 0
                for _ in 0..<count {
                    let start = reader.position
                    let (sum, overflow) = value.addingReportingOverflow(try reader.readVarint("link"))
                    value = sum
                    guard !overflow, value < UInt64(nodeCount) else {
                        throw reader.corrupt("link to node \(value) but the segment has \(nodeCount) nodes", at: start)
                    }
                    links.append(UInt32(value))
                }
                layers.append(links)
            }
            neighbors.append(layers)
        }
        return neighbors
    }
}
