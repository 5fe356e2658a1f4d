/// A value decoded by `PickleMachine`: the subset of Python objects that
/// PyTorch checkpoints and `argparse.Namespace` pickles contain.
///
/// Lists, dictionaries and objects are reference types because the pickle
/// protocol builds them first and fills them in later (`APPEND`, `SETITEMS`,
/// `BUILD`) while the memo may already refer to them.
public indirect enum PickleValue: @unchecked Sendable {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer wider than 64 bits, as little-endian two's complement bytes.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// A reference to `module.name`, such as `torch.FloatStorage`.
    case global(module: String, name: String)
    /// An instance of a class that the reader does not model, with its
    /// constructor arguments and the state given to `BUILD`.
    case object(PickleObject)
    /// A storage named by a persistent id (`('storage', type, key, location, count)`).
    case storage(TorchStorageReference)
    /// A tensor view of a storage, made by `torch._utils._rebuild_tensor_v2`.
    case tensor(TorchTensorReference)

    /// The string, or `nil` for other cases.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, or `nil` for other cases.
    public var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The elements of a tuple or list, or `nil` for other cases.
    public var sequenceValue: [PickleValue]? {
        switch self {
        case .tuple(let items): return items
        case .list(let list): return list.items
        default: return nil
        }
    }

    /// A short description of the case for error messages.
    public var kindName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .global(let module, let name): return "\(module).\(name)"
        case .object(let object): return "\(object.type.module).\(object.type.name) object"
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }
}

/// A Python list under construction or finished.
public final class PickleList {
    /// Elements in order.
    public var items: [PickleValue]

    init(_ items: [PickleValue] = []) { self.items = items }
}

/// A Python dictionary (also `collections.OrderedDict`), in insertion order.
public final class PickleDict {
    /// Key-value pairs in insertion order; a repeated key replaces the earlier value.
    public private(set) var entries: [(key: PickleValue, value: PickleValue)] = []
    private var indexOfStringKey: [String: Int] = [:]

    init() {}

    /// Inserts or replaces the value for `key`.
    func set(_ key: PickleValue, _ value: PickleValue) {
        if let name = key.stringValue {
            if let index = indexOfStringKey[name] {
                entries[index].value = value
                return
            }
            indexOfStringKey[name] = entries.count
        }
        entries.append((key, value))
    }

    /// The value for a string key, or `nil`.
    public subscript(key: String) -> PickleValue? {
        guard let index = indexOfStringKey[key] else { return nil }
        return entries[index].value
    }
}

/// An instance of a class that the reader keeps as data: its type, the
/// arguments it was created with and the state set by `BUILD`.
public final class PickleObject {
    /// The class, as `module` and `name`.
    public let type: (module: String, name: String)
    /// Arguments of `REDUCE` or `NEWOBJ`.
    public let arguments: [PickleValue]
    /// State from `BUILD` (often a dictionary of attributes), or `nil`.
    public var state: PickleValue?

    init(type: (module: String, name: String), arguments: [PickleValue]) {
        self.type = type
        self.arguments = arguments
    }

    /// The attribute `name` when the state is a dictionary, as for
    /// `argparse.Namespace`.
    public func attribute(_ name: String) -> PickleValue? {
        guard case .dict(let dict)? = state else { return nil }
        return dict[name]
    }
}
