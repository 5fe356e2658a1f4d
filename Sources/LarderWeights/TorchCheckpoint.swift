import Foundation
import LarderTensor

/// A PyTorch checkpoint written by `torch.save`, read without Python.
///
/// Two layouts are read:
/// - the zip layout (PyTorch 1.6 and later): `<dir>/data.pkl` holds the
///   pickled object and `<dir>/data/<key>` the raw bytes of each storage;
/// - the legacy layout: five pickles in a row (magic number, protocol
///   version, system info, the object, the list of storage keys), then for
///   each key an 8-byte element count and the storage's raw bytes.
///
/// Storages are little-endian; every element type is converted to fp32.
public struct TorchCheckpoint {
    /// The pickled object, usually a state dict or a dictionary holding one.
    public let root: PickleValue
    /// Every tensor reachable from `root` through string-keyed dictionaries,
    /// named by the keys joined with dots.
    public let tensors: [String: Tensor]

    /// Reads the checkpoint at `url`.
    /// - Throws: `TorchCheckpointError`, `PickleError` or `ZipError` for unreadable, truncated or unsupported files.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw TorchCheckpointError.unreadable(path: url.path, reason: "\(error.localizedDescription)")
        }
        try self.init(bytes: [UInt8](data), source: url.path)
    }

    /// Reads a checkpoint from its bytes; `source` names it in errors.
    public init(bytes: [UInt8], source: String = "checkpoint") throws {
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            (root, tensors) = try Self.readZip(bytes)
        } else if bytes.first == 0x80 {
            (root, tensors) = try Self.readLegacy(bytes)
        } else {
            throw TorchCheckpointError.unknownFormat(source)
        }
    }

    // MARK: - Zip layout

    private static func readZip(_ bytes: [UInt8]) throws -> (PickleValue, [String: Tensor]) {
        let archive = try ZipArchive(bytes: bytes)
        guard let pickleEntry = archive.entries.first(where: { $0.name.hasSuffix("data.pkl") }) else {
            throw TorchCheckpointError.missingEntry("data.pkl")
        }
        let directory = String(pickleEntry.name.dropLast("data.pkl".count))
        if let order = archive.entry(named: directory + "byteorder") {
            let text = String(decoding: archive.bytes[try archive.dataRange(of: order)], as: UTF8.self)
            guard text == "little" else { throw TorchCheckpointError.unsupportedStorage("byte order '\(text)'") }
        }

        let pickleBytes = Array(archive.bytes[try archive.dataRange(of: pickleEntry)])
        var machine = PickleMachine(bytes: pickleBytes) { id in .storage(try TorchStorageReference(persistentID: id)) }
        let root = try machine.load()

        var cache: [String: [Float]] = [:]
        let tensors = try collectTensors(root) { storage in
            if let elements = cache[storage.key] { return elements }
            let name = directory + "data/" + storage.key
            guard let entry = archive.entry(named: name) else { throw TorchCheckpointError.missingEntry(name) }
            let range = try archive.dataRange(of: entry)
            guard range.count >= storage.count * storage.dtype.size else {
                throw TorchCheckpointError.truncatedStorage(key: storage.key, expectedBytes: storage.count * storage.dtype.size, foundBytes: range.count)
            }
            let elements = archive.bytes.withUnsafeBytes { raw in
                storage.dtype.decode(UnsafeRawBufferPointer(rebasing: raw[range]), count: storage.count)
            }
            cache[storage.key] = elements
            return elements
        }
        return (root, tensors)
    }

    // MARK: - Legacy layout

    /// `torch.serialization`'s magic number, 0x1950a86a20f9469cfc6c, as LONG1 digits.
    private static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    private static func readLegacy(_ bytes: [UInt8]) throws -> (PickleValue, [String: Tensor]) {
        var offset = 0
        func next(_ load: @escaping PickleMachine.PersistentLoad = { id in
            throw PickleError.unsupportedPersistentID(id.kindName)
        }) throws -> PickleValue {
            var machine = PickleMachine(bytes: bytes, offset: offset, persistentLoad: load)
            let value = try machine.load()
            offset = machine.endOffset
            return value
        }

        guard case .bigInt(let magic) = try next(), magic == legacyMagic else {
            throw TorchCheckpointError.unknownFormat("legacy checkpoint without the torch.save magic number")
        }
        guard try next().intValue == 1001 else { throw TorchCheckpointError.unknownFormat("legacy checkpoint protocol version") }
        if case .dict(let info) = try next(), case .bool(false)? = info["little_endian"] {
            throw TorchCheckpointError.unsupportedStorage("big-endian storages")
        }

        var storages: [String: TorchStorageReference] = [:]
        let root = try next { id in
            let storage = try TorchStorageReference(persistentID: id)
            storages[storage.key] = storage
            return .storage(storage)
        }
        guard let keys = try next().sequenceValue?.compactMap(\.stringValue) else {
            throw TorchCheckpointError.unknownFormat("legacy checkpoint without a storage key list")
        }

        var elementsByKey: [String: [Float]] = [:]
        for key in keys {
            guard let storage = storages[key] else { throw TorchCheckpointError.missingEntry("storage \(key)") }
            guard offset + 8 <= bytes.count else {
                throw TorchCheckpointError.truncatedStorage(key: key, expectedBytes: 8, foundBytes: bytes.count - offset)
            }
            let count = bytes.withUnsafeBytes { Int(Int64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: Int64.self))) }
            offset += 8
            let byteCount = storage.count * storage.dtype.size
            guard count == storage.count, offset + byteCount <= bytes.count else {
                throw TorchCheckpointError.truncatedStorage(key: key, expectedBytes: byteCount, foundBytes: bytes.count - offset)
            }
            elementsByKey[key] = bytes.withUnsafeBytes { raw in
                storage.dtype.decode(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + byteCount)]), count: storage.count)
            }
            offset += byteCount
        }
        let tensors = try collectTensors(root) { storage in
            guard let elements = elementsByKey[storage.key] else { throw TorchCheckpointError.missingEntry("storage \(storage.key)") }
            return elements
        }
        return (root, tensors)
    }

    // MARK: - Tensors

    /// Walks string-keyed dictionaries from `root` and materialises every tensor.
    private static func collectTensors(_ root: PickleValue,
                                       elements: (TorchStorageReference) throws -> [Float]) throws -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        func visit(_ value: PickleValue, path: String) throws {
            switch value {
            case .tensor(let reference):
                tensors[path] = reference.materialize(from: try elements(reference.storage))
            case .dict(let dict):
                for (key, child) in dict.entries {
                    guard let name = key.stringValue else { continue }
                    try visit(child, path: path.isEmpty ? name : path + "." + name)
                }
            default:
                break
            }
        }
        try visit(root, path: "")
        return tensors
    }
}

/// A failure to read a PyTorch checkpoint.
public enum TorchCheckpointError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened.
    case unreadable(path: String, reason: String)
    /// Neither a zip nor a legacy checkpoint.
    case unknownFormat(String)
    /// A zip entry or storage that the pickle names is absent.
    case missingEntry(String)
    /// A storage has fewer bytes than its element count needs.
    case truncatedStorage(key: String, expectedBytes: Int, foundBytes: Int)
    /// A storage type, byte order or view this reader does not handle.
    case unsupportedStorage(String)
    /// A persistent id that is not a storage tuple.
    case invalidPersistentID(String)
    /// Arguments of `_rebuild_tensor_v2` that do not describe a tensor inside its storage.
    case invalidTensor(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read checkpoint \(path): \(reason)"
        case .unknownFormat(let what):
            return "\(what) is not a PyTorch checkpoint in the zip or legacy torch.save format; re-save it with torch.save"
        case .missingEntry(let name):
            return "checkpoint has no \(name); the file is truncated or corrupt"
        case .truncatedStorage(let key, let expected, let found):
            return "checkpoint storage \(key) needs \(expected) bytes but \(found) remain; the file is truncated"
        case .unsupportedStorage(let what):
            return "unsupported checkpoint content: \(what)"
        case .invalidPersistentID(let what):
            return "invalid storage reference in checkpoint (\(what)); the file is corrupt"
        case .invalidTensor(let what):
            return "invalid tensor in checkpoint: \(what)"
        }
    }
}
