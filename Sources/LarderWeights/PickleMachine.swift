/// A reader for Python's pickle format (protocols 0 to 5) that runs the
/// opcodes PyTorch checkpoints and `argparse.Namespace` pickles use, and never
/// imports or calls Python code.
///
/// The opcodes are those of CPython's `Lib/pickletools.py`. Calls to globals
/// (`REDUCE`, `NEWOBJ`) are modelled: `collections.OrderedDict` becomes a
/// dictionary, `torch._utils._rebuild_tensor_v2` a `TorchTensorReference`,
/// `torch._utils._rebuild_parameter` its tensor, and any other class a
/// `PickleObject` holding its arguments. Persistent ids go to `persistentLoad`.
///
/// Every read is bounds-checked, so a corrupt or truncated file gives a
/// `PickleError` instead of a crash.
public struct PickleMachine {
    /// Resolves a persistent id (`BINPERSID`) to a value, such as a storage.
    public typealias PersistentLoad = (PickleValue) throws -> PickleValue

    let bytes: [UInt8]
    var position: Int
    private var stack: [PickleValue] = []
    private var markStack: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    private let persistentLoad: PersistentLoad

    /// Creates a machine that reads one pickle from `bytes` starting at `offset`.
    public init(bytes: [UInt8], offset: Int = 0, persistentLoad: @escaping PersistentLoad = { id in
        throw PickleError.unsupportedPersistentID(id.kindName)
    }) {
        self.bytes = bytes
        self.position = offset
        self.persistentLoad = persistentLoad
    }

    /// Offset of the first byte after the `STOP` opcode once `load()` has returned.
    public var endOffset: Int { position }

    /// Runs opcodes up to `STOP` and returns the value left on the stack.
    /// - Throws: `PickleError` for truncated data, unknown opcodes or a malformed stack.
    public mutating func load() throws -> PickleValue {
        while true {
            let opcode = try readByte()
            if opcode == 0x2E {  // STOP
                return try pop()
            }
            try execute(opcode)
        }
    }

    // MARK: - Opcodes

    private mutating func execute(_ opcode: UInt8) throws {
        switch opcode {
        case 0x80: _ = try readByte()  // PROTO
        case 0x95: _ = try readBytes(8)  // FRAME: frames need no special handling in a whole buffer
        case 0x28: markStack.append(stack.count)  // MARK
        case 0x30: _ = try pop()  // POP
        case 0x31: _ = try popMark()  // POP_MARK
        case 0x32: stack.append(try top())  // DUP

        // Constants and numbers.
        case 0x4E: stack.append(.none)
        case 0x88: stack.append(.bool(true))
        case 0x89: stack.append(.bool(false))
        case 0x4A: stack.append(.int(Int(Int32(bitPattern: UInt32(try readLittleEndian(4))))))  // BININT
        case 0x4B: stack.append(.int(Int(try readByte())))  // BININT1
        case 0x4D: stack.append(.int(Int(try readLittleEndian(2))))  // BININT2
        case 0x8A: stack.append(try readLong(count: Int(try readByte())))  // LONG1
        case 0x8B: stack.append(try readLong(count: try readLength(4)))  // LONG4
        case 0x47: stack.append(.float(Double(bitPattern: try readBigEndian64())))  // BINFLOAT
        case 0x49: stack.append(try parseTextInteger(try readLine()))  // INT
        case 0x4C: stack.append(try parseTextInteger(try readLine().replacingOccurrences(of: "L", with: "")))  // LONG
        case 0x46:  // FLOAT
            let line = try readLine()
            guard let value = Double(line) else { throw PickleError.invalidText(opcode: "FLOAT", text: line) }
            stack.append(.float(value))

        // Strings and bytes.
        case 0x58: stack.append(.string(try readUTF8(count: try readLength(4))))  // BINUNICODE
        case 0x8C: stack.append(.string(try readUTF8(count: Int(try readByte()))))  // SHORT_BINUNICODE
        case 0x8D: stack.append(.string(try readUTF8(count: try readLength(8))))  // BINUNICODE8
        case 0x56: stack.append(.string(try readLine()))  // UNICODE (raw-unicode-escape; ASCII in practice)
        case 0x54: stack.append(.string(try readLatin1(count: try readLength(4))))  // BINSTRING
        case 0x55: stack.append(.string(try readLatin1(count: Int(try readByte()))))  // SHORT_BINSTRING
        case 0x53: stack.append(.string(try parseQuotedString(try readLine())))  // STRING
        case 0x42: stack.append(.bytes(try readBytes(try readLength(4))))  // BINBYTES
        case 0x43: stack.append(.bytes(try readBytes(Int(try readByte()))))  // SHORT_BINBYTES
        case 0x8E, 0x96: stack.append(.bytes(try readBytes(try readLength(8))))  // BINBYTES8, BYTEARRAY8

        // Containers.
        case 0x29: stack.append(.tuple([]))  // EMPTY_TUPLE
        case 0x74: stack.append(.tuple(try popMark()))  // TUPLE
        case 0x85: stack.append(.tuple(try pop(count: 1)))  // TUPLE1
        case 0x86: stack.append(.tuple(try pop(count: 2)))  // TUPLE2
        case 0x87: stack.append(.tuple(try pop(count: 3)))  // TUPLE3
        case 0x5D: stack.append(.list(PickleList()))  // EMPTY_LIST
        case 0x6C: stack.append(.list(PickleList(try popMark())))  // LIST
        case 0x7D: stack.append(.dict(PickleDict()))  // EMPTY_DICT
        case 0x64: stack.append(.dict(try makeDict(try popMark())))  // DICT
        case 0x8F: stack.append(.list(PickleList()))  // EMPTY_SET, kept as a list
        case 0x91: stack.append(.list(PickleList(try popMark())))  // FROZENSET
        case 0x61: try append(try pop())  // APPEND
        case 0x65, 0x90: for item in try popMark() { try append(item) }  // APPENDS, ADDITEMS
        case 0x73:  // SETITEM
            let value = try pop()
            let key = try pop()
            try setItems([key, value])
        case 0x75: try setItems(try popMark())  // SETITEMS

        // Memo.
        case 0x71: memo[Int(try readByte())] = try top()  // BINPUT
        case 0x72: memo[try readLength(4)] = try top()  // LONG_BINPUT
        case 0x70: memo[try parseMemoIndex(try readLine())] = try top()  // PUT
        case 0x94: memo[memo.count] = try top()  // MEMOIZE
        case 0x68: try pushMemo(Int(try readByte()))  // BINGET
        case 0x6A: try pushMemo(try readLength(4))  // LONG_BINGET
        case 0x67: try pushMemo(try parseMemoIndex(try readLine()))  // GET

        // Classes, calls and persistent ids.
        case 0x63:  // GLOBAL
            let module = try readLine()
            stack.append(.global(module: module, name: try readLine()))
        case 0x93:  // STACK_GLOBAL
            let name = try pop()
            let module = try pop()
            guard let moduleName = module.stringValue, let className = name.stringValue else {
                throw PickleError.unexpectedValue(opcode: "STACK_GLOBAL", found: module.kindName)
            }
            stack.append(.global(module: moduleName, name: className))
        case 0x52:  // REDUCE
            let arguments = try pop()
            let callable = try pop()
            stack.append(try call(callable, arguments: arguments.sequenceValue ?? [arguments]))
        case 0x81:  // NEWOBJ
            let arguments = try pop()
            let cls = try pop()
            stack.append(try call(cls, arguments: arguments.sequenceValue ?? []))
        case 0x92:  // NEWOBJ_EX
            _ = try pop()  // keyword arguments
            let arguments = try pop()
            let cls = try pop()
            stack.append(try call(cls, arguments: arguments.sequenceValue ?? []))
        case 0x62:  // BUILD
            let state = try pop()
            try build(try top(), state: state)
        case 0x51: stack.append(try persistentLoad(try pop()))  // BINPERSID
        case 0x50: stack.append(try persistentLoad(.string(try readLine())))  // PERSID

        default:
            throw PickleError.unsupportedOpcode(opcode, offset: position - 1)
        }
    }

    // MARK: - Calls

    /// Models a call of `callable` (a global) with `arguments`.
    private func call(_ callable: PickleValue, arguments: [PickleValue]) throws -> PickleValue {
        guard case .global(let module, let name) = callable else {
            throw PickleError.unexpectedValue(opcode: "REDUCE", found: callable.kindName)
        }
        switch (module, name) {
        case ("collections", "OrderedDict"), ("builtins", "dict"), ("__builtin__", "dict"):
            let dict = PickleDict()
            for pair in arguments.first?.sequenceValue ?? [] {
                if let items = pair.sequenceValue, items.count == 2 { dict.set(items[0], items[1]) }
            }
            return .dict(dict)
        case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
            return .tensor(try TorchTensorReference(arguments: arguments))
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            guard let data = arguments.first else {
                throw PickleError.unexpectedValue(opcode: "REDUCE \(name)", found: "no arguments")
            }
            return data
        case ("_codecs", "encode"):
            // Protocol 2 pickles store bytes as `_codecs.encode(text, 'latin1')`.
            guard let text = arguments.first?.stringValue else {
                throw PickleError.unexpectedValue(opcode: "REDUCE _codecs.encode", found: arguments.first?.kindName ?? "nothing")
            }
            return .bytes(text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
        default:
            return .object(PickleObject(type: (module, name), arguments: arguments))
        }
    }

    private func build(_ target: PickleValue, state: PickleValue) throws {
        switch target {
        case .object(let object):
            object.state = state
        case .dict, .tensor, .list:
            // OrderedDict state (such as a state dict's `_metadata`) and tensor
            // hooks carry nothing that inference needs.
            break
        default:
            throw PickleError.unexpectedValue(opcode: "BUILD", found: target.kindName)
        }
    }

    private func append(_ item: PickleValue) throws {
        guard case .list(let list) = try top() else {
            throw PickleError.unexpectedValue(opcode: "APPEND", found: try top().kindName)
        }
        list.items.append(item)
    }

    private mutating func setItems(_ items: [PickleValue]) throws {
        guard items.count % 2 == 0 else {
            throw PickleError.unexpectedValue(opcode: "SETITEMS", found: "\(items.count) items, an odd number")
        }
        switch try top() {
        case .dict(let dict):
            for index in stride(from: 0, to: items.count, by: 2) { dict.set(items[index], items[index + 1]) }
        case .object(let object):
            // Objects that subclass dict take their items the same way; keep them as state.
            let dict = PickleDict()
            for index in stride(from: 0, to: items.count, by: 2) { dict.set(items[index], items[index + 1]) }
            object.state = .dict(dict)
        case let other:
            throw PickleError.unexpectedValue(opcode: "SETITEMS", found: other.kindName)
        }
    }

    private func makeDict(_ items: [PickleValue]) throws -> PickleDict {
        guard items.count % 2 == 0 else {
            throw PickleError.unexpectedValue(opcode: "DICT", found: "\(items.count) items, an odd number")
        }
        let dict = PickleDict()
        for index in stride(from: 0, to: items.count, by: 2) { dict.set(items[index], items[index + 1]) }
        return dict
    }

    // MARK: - Stack

    private func top() throws -> PickleValue {
        guard let value = stack.last else { throw PickleError.stackUnderflow(offset: position) }
        return value
    }

    private mutating func pop() throws -> PickleValue {
        guard let value = stack.popLast() else { throw PickleError.stackUnderflow(offset: position) }
        return value
    }

    private mutating func pop(count: Int) throws -> [PickleValue] {
        guard stack.count >= count else { throw PickleError.stackUnderflow(offset: position) }
        let values = Array(stack.suffix(count))
        stack.removeLast(count)
        return values
    }

    private mutating func popMark() throws -> [PickleValue] {
        guard let mark = markStack.popLast(), mark <= stack.count else {
            throw PickleError.stackUnderflow(offset: position)
        }
        let values = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return values
    }

    private mutating func pushMemo(_ index: Int) throws {
        guard let value = memo[index] else { throw PickleError.missingMemo(index) }
        stack.append(value)
    }
}
