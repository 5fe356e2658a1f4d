import CLZ4

/// LZ4 block compression (the raw block format of liblz4, without frame headers).
/// The caller stores the uncompressed length next to the block, so decompression
/// knows the exact output size and rejects anything else.
enum LZ4Block {
    /// Compresses `input`; returns the LZ4 block.
    ///
    /// - Precondition: `input.count` is below `LZ4_MAX_INPUT_SIZE` (about 2 GiB).
    static func compress(_ input: [UInt8]) -> [UInt8] {
        precondition(input.count <= Int(LZ4_MAX_INPUT_SIZE), "LZ4 input of \(input.count) bytes exceeds LZ4_MAX_INPUT_SIZE")
        if input.isEmpty { return [] }
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                LZ4_compress_default(source.baseAddress!.assumingMemoryBound(to: CChar.self),
                                     destination.baseAddress!.assumingMemoryBound(to: CChar.self),
                                     Int32(input.count), Int32(bound))
            }
        }
        // With a capacity of LZ4_compressBound, liblz4 documents that compression cannot fail.
        precondition(written > 0, "LZ4_compress_default failed with a compressBound-sized buffer")
        output.removeSubrange(Int(written)...)
        return output
    }

    /// Decompresses an LZ4 block that must expand to exactly `originalCount` bytes.
    /// Returns `nil` for malformed input or a size mismatch; liblz4's safe decoder
    /// never reads or writes outside the buffers.
    static func decompress(_ input: ArraySlice<UInt8>, originalCount: Int) -> [UInt8]? {
        if originalCount == 0 { return input.isEmpty ? [] : nil }
        guard !input.isEmpty, originalCount <= Int(LZ4_MAX_INPUT_SIZE) else { return nil }
        var output = [UInt8](repeating: 0, count: originalCount)
        let produced = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                LZ4_decompress_safe(source.baseAddress!.assumingMemoryBound(to: CChar.self),
                                    destination.baseAddress!.assumingMemoryBound(to: CChar.self),
                                    Int32(input.count), Int32(originalCount))
            }
        }
        return Int(produced) == originalCount ? output : nil
    }
}

// MARK: - Byte shuffle

/// Byte shuffling as in Blosc and HDF5's shuffle filter: for an array of
/// `width`-byte values, write every value's byte 0, then every byte 1, and so on.
/// Floats of similar magnitude share exponent bytes, so the shuffled stream has
/// long runs that LZ4 compresses where the interleaved stream would not.
enum ByteShuffle {
    /// - Complexity: O(n).
    static func shuffle(_ input: UnsafeRawBufferPointer, width: Int) -> [UInt8] {
        precondition(input.count % width == 0, "shuffle input is not a whole number of \(width)-byte values")
        let values = input.count / width
        var output = [UInt8](repeating: 0, count: input.count)
        output.withUnsafeMutableBufferPointer { destination in
            for lane in 0..<width {
                let base = lane * values
                for i in 0..<values {
                    destination[base + i] = input[i * width + lane]
                }
            }
        }
        return output
    }

    /// Reverses `shuffle`.
    static func unshuffle(_ input: [UInt8], width: Int) -> [UInt8] {
        precondition(input.count % width == 0, "unshuffle input is not a whole number of \(width)-byte values")
        let values = input.count / width
        var output = [UInt8](repeating: 0, count: input.count)
        output.withUnsafeMutableBufferPointer { destination in
            input.withUnsafeBufferPointer { source in
                for lane in 0..<width {
                    let base = lane * values
                    for i in 0..<values {
                        destination[i * width + lane] = source[base + i]
                    }
                }
            }
        }
        return output
    }
}
