/// Reads the metadata that decoding needs from an image's container without
/// decoding pixels: the EXIF orientation tag and JPEG's Adobe marker.
///
/// EXIF data is a TIFF structure (byte-order mark, IFD0 offset, then 12-byte
/// entries); the orientation is tag 0x0112, a SHORT from 1 to 8. Malformed
/// metadata reads as absent, never as an error, as most decoders treat it.
enum ImageMetadata {
    // MARK: - Containers

    /// Orientation from a JPEG's APP1 "Exif" segment.
    static func jpegOrientation(_ bytes: [UInt8]) -> Int? {
        var result: Int?
        forEachJPEGSegment(bytes) { marker, payload in
            if marker == 0xE1, payload.starts(with: Array("Exif\0\0".utf8)) {
                result = tiffOrientation(Array(payload.dropFirst(6)))
                return false
            }
            return true
        }
        return result
    }

    /// Returns whether a JPEG has an APP14 "Adobe" segment, which marks inverted CMYK.
    static func jpegHasAdobeMarker(_ bytes: [UInt8]) -> Bool {
        var found = false
        forEachJPEGSegment(bytes) { marker, payload in
            if marker == 0xEE, payload.starts(with: Array("Adobe".utf8)) { found = true }
            return !found
        }
        return found
    }

    /// Orientation from a PNG's `eXIf` chunk.
    static func pngOrientation(_ bytes: [UInt8]) -> Int? {
        var position = 8
        while position + 8 <= bytes.count {
            let length = Int(readBigEndian32(bytes, position))
            let type = String(decoding: bytes[(position + 4)..<(position + 8)], as: UTF8.self)
            let start = position + 8
            guard length >= 0, start + length <= bytes.count else { return nil }
            if type == "eXIf" { return tiffOrientation(Array(bytes[start..<(start + length)])) }
            if type == "IDAT" || type == "IEND" { return nil }  // eXIf must come before the image data
            position = start + length + 4  // data and CRC
        }
        return nil
    }

    /// Orientation from a WebP's `EXIF` chunk (extended format only).
    static func webpOrientation(_ bytes: [UInt8]) -> Int? {
        var position = 12
        while position + 8 <= bytes.count {
            let tag = String(decoding: bytes[position..<(position + 4)], as: UTF8.self)
            let length = Int(readLittleEndian32(bytes, position + 4))
            let start = position + 8
            guard start + length <= bytes.count else { return nil }
            if tag == "EXIF" {
                var payload = Array(bytes[start..<(start + length)])
                // Some writers keep JPEG's "Exif\0\0" prefix.
                if payload.starts(with: Array("Exif\0\0".utf8)) { payload.removeFirst(6) }
                return tiffOrientation(payload)
            }
            position = start + length + (length & 1)  // chunks are padded to even sizes
        }
        return nil
    }

    /// Calls `body(marker, payload)` for each JPEG segment before the scan data until it returns `false`.
    private static func forEachJPEGSegment(_ bytes: [UInt8], _ body: (UInt8, ArraySlice<UInt8>) -> Bool) {
        var position = 2
        while position + 4 <= bytes.count, bytes[position] == 0xFF {
            let marker = bytes[position + 1]
            if marker == 0xFF { position += 1; continue }  // fill byte
            if marker == 0xDA || marker == 0xD9 { return }  // start of scan, end of image
            let length = Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            let end = position + 2 + length
            guard length >= 2, end <= bytes.count else { return }
            guard body(marker, bytes[(position + 4)..<end]) else { return }
            position = end
        }
    }

    // MARK: - TIFF

    /// The orientation tag of a TIFF structure's first IFD, or `nil`.
    static func tiffOrientation(_ tiff: [UInt8]) -> Int? {
        guard tiff.count >= 8 else { return nil }
        let littleEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): littleEndian = true  // "II"
        case (0x4D, 0x4D): littleEndian = false  // "MM"
        default: return nil
        }
        func read16(_ offset: Int) -> Int? {
            guard offset >= 0, offset + 2 <= tiff.count else { return nil }
            return littleEndian ? Int(tiff[offset]) | Int(tiff[offset + 1]) << 8 : Int(tiff[offset]) << 8 | Int(tiff[offset + 1])
        }
        func read32(_ offset: Int) -> Int? {
            guard let high = read16(littleEndian ? offset + 2 : offset), let low = read16(littleEndian ? offset : offset + 2) else { return nil }
            return high << 16 | low
        }
        guard read16(2) == 42, let directory = read32(4), let count = read16(directory) else { return nil }
        for index in 0..<count {
            let entry = directory + 2 + index * 12
            guard let tag = read16(entry) else { return nil }
            if tag == 0x0112 {
                guard read16(entry + 2) == 3, let value = read16(entry + 8), (1...8).contains(value) else { return nil }
                return value
            }
        }
        return nil
    }

    // MARK: - Integers

    private static func readBigEndian32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }

    private static func readLittleEndian32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }
}
