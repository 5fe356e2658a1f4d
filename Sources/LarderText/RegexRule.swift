import Foundation

/// A regular expression with a replacement template, applied to a whole
/// string as Python's `re.sub` does. Templates use `$1`, `$0`.
struct RegexRule: @unchecked Sendable {
    // NSRegularExpression is immutable once created and documented as safe to share between threads.
    let expression: NSRegularExpression
    let template: String

    /// Compiles `pattern`; the patterns are literals in this module, so a failure is a programming error.
    init(_ pattern: String, _ template: String = "", options: NSRegularExpression.Options = []) {
        do {
            expression = try NSRegularExpression(pattern: pattern, options: options)
        } catch {
            preconditionFailure("invalid tokenizer pattern \(pattern): \(error)")
        }
        self.template = template
    }

    /// Returns `text` with every match replaced by the template.
    func apply(_ text: String) -> String {
        expression.stringByReplacingMatches(in: text, range: NSRange(location: 0, length: (text as NSString).length),
                                            withTemplate: template)
    }

    /// Replaces every match in `text` with the template, in place.
    func apply(to text: NSMutableString) {
        _ = expression.replaceMatches(in: text, range: NSRange(location: 0, length: text.length), withTemplate: template)
    }

    /// Returns whether the whole of `text` matches.
    func matchesWhole(_ text: String) -> Bool {
        let length = (text as NSString).length
        guard let match = expression.firstMatch(in: text, options: .anchored, range: NSRange(location: 0, length: length))
        else { return false }
        return match.range.length == length
    }
}
