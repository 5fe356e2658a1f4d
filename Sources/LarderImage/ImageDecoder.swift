import Foundation

/// Decodes JPEG (libjpeg-turbo), PNG (libpng) and WebP (libwebp) files into
/// upright 8-bit RGB, the way `PIL.Image.open(f)`, `ImageOps.exif_transpose`
/// and `.convert("RGB")` prepare a photo for torchvision:
/// - grayscale is replicated to three channels;
/// - alpha is dropped, not composited (as `convert("RGB")` does);
/// - CMYK JPEGs are converted with `R = (255 - C)(255 - K) / 255`, the
///   inverted Adobe encoding undone first;
/// - the EXIF orientation tag (JPEG APP1, PNG `eXIf`, WebP `EXIF`) is applied.
///
/// The header's dimensions are checked against `maximumPixels` before any
/// pixel is decoded, so a decompression bomb costs no memory. Truncated and
/// corrupt files throw `ImageDecodingError`; warnings from libjpeg-turbo
/// (such as a premature end of data) count as errors.
public struct ImageDecoder: Sendable {
    /// Image formats the decoder reads, recognised by their signature bytes.
    public enum Format: String, Sendable {
        case jpeg = "JPEG"
        case png = "PNG"
        case webp = "WebP"
    }

    /// Largest accepted width x height; larger images are rejected before decoding.
    public var maximumPixels: Int

    /// Creates a decoder; the default limit is 50 megapixels.
    public init(maximumPixels: Int = 50_000_000) {
        self.maximumPixels = maximumPixels
    }

    /// Reads and decodes the image file at `url`.
    public func decode(contentsOf url: URL) throws -> RGBImage {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImageDecodingError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try decode([UInt8](data))
    }

    /// Decodes an image held in memory.
    public func decode(_ bytes: [UInt8]) throws -> RGBImage {
        guard let format = Self.format(of: bytes) else { throw ImageDecodingError.unsupportedFormat }
        let image: RGBImage
        let orientation: Int?
        switch format {
        case .jpeg:
            image = try decodeJPEG(bytes)
            orientation = ImageMetadata.jpegOrientation(bytes)
        case .png:
            image = try decodePNG(bytes)
            orientation = ImageMetadata.pngOrientation(bytes)
        case .webp:
            image = try decodeWebP(bytes)
            orientation = ImageMetadata.webpOrientation(bytes)
        }
        return image.applyingOrientation(orientation ?? 1)
    }

    /// The format named by the file's first bytes, or `nil`.
    public static func format(of bytes: [UInt8]) -> Format? {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return .webp }
        return nil
    }

    /// Throws `tooLarge` when `width x height` exceeds the limit, and `corrupt` for empty dimensions.
    func checkDimensions(width: Int, height: Int, format: Format) throws {
        guard width > 0, height > 0 else {
            throw ImageDecodingError.corrupt(format: format, reason: "dimensions \(width)x\(height)")
        }
        guard width.multipliedReportingOverflow(by: height).partialValue <= maximumPixels, width <= maximumPixels, height <= maximumPixels else {
            throw ImageDecodingError.tooLarge(width: width, height: height, limit: maximumPixels)
        }
    }
}

/// A failure to decode an image file.
public enum ImageDecodingError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The bytes are not JPEG, PNG or WebP.
    case unsupportedFormat
    /// The header declares more pixels than the limit (a possible decompression bomb).
    case tooLarge(width: Int, height: Int, limit: Int)
    /// The decoder reported an error: a truncated or corrupt file, or an unsupported variant.
    case corrupt(format: ImageDecoder.Format, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read image \(path): \(reason)"
        case .unsupportedFormat:
            return "unsupported image format: expected a JPEG, PNG or WebP file"
        case .tooLarge(let width, let height, let limit):
            return "image is \(width)x\(height) pixels, more than the limit of \(limit); downscale it before encoding"
        case .corrupt(let format, let reason):
            return "invalid \(format.rawValue) image: \(reason); the file is truncated, corrupt or an unsupported variant"
        }
    }
}
