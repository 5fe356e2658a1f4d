#if canImport(Glibc)
import Glibc
#endif

/// Evaluation of the syntax tree. Nil means "no value": a missing field or
/// an operator applied to the wrong kinds, which makes the element not match.
extension FilterNode {
    func evaluate(_ attributes: [String: JSONValue]) -> FilterValue? {
        switch self {
        case .literal(let value):
            return value
        case .selector(let name):
            return attributes[name].map(FilterValue.init)
        case .list(let elements):
            var values: [FilterValue] = []
            for element in elements {
                guard let value = element.evaluate(attributes) else { return nil }
                values.append(value)
            }
            return .list(values)
        case .unary(let op, let operand):
            guard let value = operand.evaluate(attributes) else { return nil }
            if op == "not" { return .number(value.isTruthy ? 0 : 1) }
            guard case .number(let number) = value else { return nil }
            return .number(-number)
        case .binary(let op, let left, let right):
            return FilterNode.apply(op, left, right, attributes)
        }
    }

    private static func apply(_ op: String, _ left: FilterNode, _ right: FilterNode,
                              _ attributes: [String: JSONValue]) -> FilterValue? {
        // Short-circuit: the right side of `and`/`or` runs only when needed.
        if op == "and" || op == "or" {
            let leftTrue = left.evaluate(attributes)?.isTruthy ?? false
            if op == "and", !leftTrue { return .number(0) }
            if op == "or", leftTrue { return .number(1) }
            return .number((right.evaluate(attributes)?.isTruthy ?? false) ? 1 : 0)
        }
        guard let lhs = left.evaluate(attributes), let rhs = right.evaluate(attributes) else { return nil }
        switch op {
        case "==": return .number(equal(lhs, rhs) ? 1 : 0)
        case "!=": return .number(equal(lhs, rhs) ? 0 : 1)
        case "in": return contains(rhs, lhs).map { .number($0 ? 1 : 0) }
        case ">", ">=", "<", "<=": return compare(op, lhs, rhs).map { .number($0 ? 1 : 0) }
        default: return arithmetic(op, lhs, rhs)
        }
    }

    private static func equal(_ lhs: FilterValue, _ rhs: FilterValue) -> Bool {
        switch (lhs, rhs) {
        case (.number(let a), .string(let b)), (.string(let b), .number(let a)):
            // A numeric string equals the number it spells, as in Redis.
            return Double(b) == a
        default:
            return lhs == rhs
        }
    }

    private static func contains(_ container: FilterValue, _ element: FilterValue) -> Bool? {
        switch (container, element) {
        case (.list(let elements), _):
            return elements.contains { equal($0, element) }
        case (.string(let text), .string(let part)):
            return text.contains(part)
        default:
            return nil
        }
    }

    private static func compare(_ op: String, _ lhs: FilterValue, _ rhs: FilterValue) -> Bool? {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)):
            return ordered(op, a < b, a == b)
        case (.string(let a), .string(let b)):
            return ordered(op, a < b, a == b)
        case (.number(let a), .string(let text)):
            guard let b = Double(text) else { return nil }
            return ordered(op, a < b, a == b)
        case (.string(let text), .number(let b)):
            guard let a = Double(text) else { return nil }
            return ordered(op, a < b, a == b)
        default:
            return nil
        }
    }

    private static func ordered(_ op: String, _ less: Bool, _ same: Bool) -> Bool {
        switch op {
        case "<": return less
        case "<=": return less || same
        case ">": return !less && !same
        default: return !less
        }
    }

    private static func arithmetic(_ op: String, _ lhs: FilterValue, _ rhs: FilterValue) -> FilterValue? {
        guard let a = number(lhs), let b = number(rhs) else { return nil }
        switch op {
        case "+": return .number(a + b)
        case "-": return .number(a - b)
        case "*": return .number(a * b)
        case "/": return b == 0 ? nil : .number(a / b)
        case "%": return b == 0 ? nil : .number(fmod(a, b))
        case "**": return .number(pow(a, b))
        default: return nil
        }
    }

    private static func number(_ value: FilterValue) -> Double? {
        switch value {
        case .number(let number): return number
        case .string(let text): return Double(text)
        default: return nil
        }
    }
}
