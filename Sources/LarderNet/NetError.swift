#if canImport(Glibc)
import Glibc
#endif

/// A failed socket or event-loop system call.
public struct NetError: Error, Sendable, CustomStringConvertible {
    /// The call that failed, such as `bind`.
    public let operation: String
    /// `errno` after the call.
    public let code: Int32
    /// Extra context, such as the address being bound.
    public let detail: String

    init(_ operation: String, code: Int32 = errno, detail: String = "") {
        self.operation = operation
        self.code = code
        self.detail = detail
    }

    public var description: String {
        let reason = String(cString: strerror(code))
        let context = detail.isEmpty ? "" : " (\(detail))"
        return "\(operation) failed: \(reason)\(context)"
    }
}

/// A bind address that is not an IPv4 or IPv6 literal.
public struct InvalidAddressError: Error, Sendable, CustomStringConvertible {
    /// The address as given.
    public let address: String

    public var description: String {
        "invalid bind address '\(address)': give an IPv4 or IPv6 literal such as 127.0.0.1 or ::1"
    }
}
