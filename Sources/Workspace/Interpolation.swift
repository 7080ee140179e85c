import Foundation

/// The one reader of `${{ … }}` in journey strings. It only splits the text; what an
/// expression may name (`values.X`, `secrets.NAME`) is the caller's business.
package enum Interpolation {
    package enum Piece: Equatable, Sendable {
        /// Text outside any `${{ }}`.
        case text(Substring)
        /// What is between `${{` and `}}`, trimmed of white space.
        case expression(String)
        /// A `${{` with no `}}` after it; nothing after it is read.
        case unclosed
    }

    /// `text` split into literal text and expressions, in order. The `n`-th `.expression` or
    /// `.unclosed` piece is the `n`-th `${{` of the text.
    package static func pieces(of text: String) -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.range(of: "${{") {
            if open.lowerBound > rest.startIndex { pieces.append(.text(rest[..<open.lowerBound])) }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                pieces.append(.unclosed)
                return pieces
            }
            pieces.append(.expression(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(rest)) }
        return pieces
    }

    /// The names in `${{ secrets.NAME }}` expressions, as written (not checked).
    package static func secretNames(in text: String) -> [String] {
        pieces(of: text).compactMap { piece in
            guard case .expression(let expression) = piece, expression.hasPrefix("secrets.") else { return nil }
            return String(expression.dropFirst("secrets.".count))
        }
    }
}
