import CPNG
import CTurboJPEG
import CWebP

// MARK: - JPEG

extension ImageDecoder {
    func decodeJPEG(_ bytes: [UInt8]) throws -> RGBImage {
        guard let handle = tjInitDecompress() else {
            throw ImageDecodingError.corrupt(format: .jpeg, reason: "libjpeg-turbo failed to start")
        }
        defer { tjDestroy(handle) }
        func failure() -> ImageDecodingError {
            .corrupt(format: .jpeg, reason: String(cString: tjGetErrorStr2(handle)))
        }

        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let headerStatus = bytes.withUnsafeBufferPointer { buffer in
            tjDecompressHeader3(handle, buffer.baseAddress, UInt(buffer.count), &width, &height, &subsampling, &colorspace)
        }
        guard headerStatus == 0 else { throw failure() }
        try checkDimensions(width: Int(width), height: Int(height), format: .jpeg)

        // libjpeg-turbo cannot convert CMYK to RGB itself, so CMYK files are decoded as CMYK.
        let isCMYK = colorspace == TJCS_CMYK.rawValue || colorspace == TJCS_YCCK.rawValue
        let channels = isCMYK ? 4 : 3
        var output = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
        let status = bytes.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                tjDecompress2(handle, source.baseAddress, UInt(source.count), destination.baseAddress, width, 0, height,
                              Int32(isCMYK ? TJPF_CMYK.rawValue : TJPF_RGB.rawValue), TJFLAG_STOPONWARNING)
            }
        }
        guard status == 0 else { throw failure() }
        guard isCMYK else { return RGBImage(width: Int(width), height: Int(height), pixels: output) }
        return Self.convertCMYK(output, width: Int(width), height: Int(height), inverted: ImageMetadata.jpegHasAdobeMarker(bytes))
    }

    /// Converts CMYK to RGB as Pillow's `cmyk2rgb` does: `R = (255 - K) - C (255 - K) / 255`,
    /// the product rounded. Adobe applications store CMYK inverted (0 is full
    /// ink) and mark such files with an APP14 "Adobe" segment.
    static func convertCMYK(_ cmyk: [UInt8], width: Int, height: Int, inverted: Bool) -> RGBImage {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for pixel in 0..<(width * height) {
            var ink = (0..<4).map { Int(cmyk[pixel * 4 + $0]) }
            if inverted { ink = ink.map { 255 - $0 } }
            let paper = 255 - ink[3]
            for channel in 0..<3 {
                // Rounded division by 255 (Pillow's MULDIV255).
                let product = ink[channel] * paper + 128
                rgb[pixel * 3 + channel] = UInt8(clamping: paper - ((product + (product >> 8)) >> 8))
            }
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }
}

// MARK: - PNG

extension ImageDecoder {
    func decodePNG(_ bytes: [UInt8]) throws -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        func failure() -> ImageDecodingError {
            let message = withUnsafeBytes(of: image.message) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            return .corrupt(format: .png, reason: message)
        }

        let begun = bytes.withUnsafeBytes { raw in
            png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
        }
        guard begun != 0 else { throw failure() }
        try checkDimensions(width: Int(image.width), height: Int(image.height), format: .png)

        // Reading as RGBA keeps the colour under transparent pixels, which are then dropped.
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)  // PNG_FORMAT_RGBA
        let (width, height) = (Int(image.width), Int(image.height))
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        let finished = rgba.withUnsafeMutableBytes { raw in
            png_image_finish_read(&image, nil, raw.baseAddress, 0, nil)
        }
        guard finished != 0, image.warning_or_error & UInt32(PNG_IMAGE_ERROR) == 0 else { throw failure() }
        return RGBImage(width: width, height: height, pixels: Self.dropAlpha(rgba, pixelCount: width * height))
    }

    static func dropAlpha(_ rgba: [UInt8], pixelCount: Int) -> [UInt8] {
        var rgb = [UInt8](repeating: 0, count: pixelCount * 3)
        rgba.withUnsafeBufferPointer { source in
            rgb.withUnsafeMutableBufferPointer { destination in
                for pixel in 0..<pixelCount {
                    destination[pixel * 3] = source[pixel * 4]
                    destination[pixel * 3 + 1] = source[pixel * 4 + 1]
                    destination[pixel * 3 + 2] = source[pixel * 4 + 2]
                }
            }
        }
        return rgb
    }
}

// MARK: - WebP

extension ImageDecoder {
    func decodeWebP(_ bytes: [UInt8]) throws -> RGBImage {
        var features = WebPBitstreamFeatures()
        let status = bytes.withUnsafeBufferPointer { buffer in
            WebPGetFeatures(buffer.baseAddress, buffer.count, &features)
        }
        guard status == VP8_STATUS_OK else {
            throw ImageDecodingError.corrupt(format: .webp, reason: "header is invalid (libwebp status \(status.rawValue))")
        }
        guard features.has_animation == 0 else {
            throw ImageDecodingError.corrupt(format: .webp, reason: "animated WebP is not supported; extract one frame")
        }
        let (width, height) = (Int(features.width), Int(features.height))
        try checkDimensions(width: width, height: height, format: .webp)

        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        let decoded = bytes.withUnsafeBufferPointer { source in
            rgba.withUnsafeMutableBufferPointer { destination in
                WebPDecodeRGBAInto(source.baseAddress, source.count, destination.baseAddress, destination.count, Int32(width * 4))
            }
        }
        guard decoded != nil else {
            throw ImageDecodingError.corrupt(format: .webp, reason: "libwebp failed to decode the bitstream")
        }
        return RGBImage(width: width, height: height, pixels: Self.dropAlpha(rgba, pixelCount: width * height))
    }
}
