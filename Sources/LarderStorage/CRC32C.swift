// MARK: - CRC32C

/// CRC-32C (Castagnoli polynomial 0x1EDC6F41, reflected form 0x82F63B78), the
/// checksum that iSCSI (RFC 3720) and ext4 metadata use. Every WAL record,
/// segment block, segment header and manifest carries one.
///
/// The software implementation uses slicing-by-8 (Kounavis and Berry, "A
/// Systematic Approach to Building High Performance Software-Based CRC
/// Generators", 2005): eight 256-entry tables let the loop consume eight bytes
/// per iteration.
public enum CRC32C {
    /// Check value from the CRC catalogue: the CRC-32C of the ASCII bytes "123456789".
    public static let checkValue: UInt32 = 0xE306_9283

    private static let polynomial: UInt32 = 0x82F6_3B78

    /// `tables[k][b]` is the CRC of byte `b` followed by `k` zero bytes.
    private static let tables: [[UInt32]] = {
        var tables = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1
            }
            tables[0][byte] = crc
        }
        for byte in 0..<256 {
            for k in 1..<8 {
                let previous = tables[k - 1][byte]
                tables[k][byte] = (previous >> 8) ^ tables[0][Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// Flattened copy of `tables` so the hot loop indexes one contiguous array.
    private static let flatTable: [UInt32] = tables.flatMap { $0 }

    /// Returns the CRC-32C of `bytes`, continuing from `crc` (the result of an
    /// earlier call) so that a checksum can be computed over several buffers.
    ///
    /// - Complexity: O(n), eight bytes per table round.
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var state = ~crc
        guard var pointer = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return crc }
        var remaining = bytes.count
        flatTable.withUnsafeBufferPointer { table in
            let t = table.baseAddress!
            while remaining >= 8 {
                let low = UInt32(littleEndian: UnsafeRawPointer(pointer).loadUnaligned(as: UInt32.self)) ^ state
                let high = UInt32(littleEndian: UnsafeRawPointer(pointer + 4).loadUnaligned(as: UInt32.self))
                state = t[7 * 256 + Int(low & 0xFF)]
                    ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((low >> 16) & 0xFF)]
                    ^ t[4 * 256 + Int(low >> 24)]
                    ^ t[3 * 256 + Int(high & 0xFF)]
                    ^ t[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((high >> 16) & 0xFF)]
                    ^ t[Int(high >> 24)]
                pointer += 8
                remaining -= 8
            }
            while remaining > 0 {
                state = (state >> 8) ^ t[Int((state ^ UInt32(pointer.pointee)) & 0xFF)]
                pointer += 1
                remaining -= 1
            }
        }
        return ~state
    }

    /// Returns the CRC-32C of a byte array.
    public static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }

    /// Returns the CRC-32C of `bytes[range]`.
    public static func checksum(_ bytes: [UInt8], range: Range<Int>, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum(UnsafeRawBufferPointer(rebasing: $0[range]), continuing: crc) }
    }

    /// Bit-at-a-time reference implementation; tests compare the fast path against it.
    static func referenceChecksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1
            }
        }
        return ~crc
    }
}
