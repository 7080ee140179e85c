/// Text from files, repositories and sealed metadata made safe to print on a terminal: none of
/// it is authenticated, and a control character in a description, step name, recipient label
/// or file name could move the cursor, rewrite what was printed before, set the window title or
/// reach the terminal's own commands. Every control character is shown as an escape instead.
package enum TerminalText {
    /// `text` with C0 and C1 control characters, DEL and the bidirectional overrides written
    /// as `\u{…}` (`\n` and `\t` as they are when `keepingLines`), so what prints is what is
    /// there.
    package static func escaped(_ text: String, keepingLines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, keepingLines: keepingLines) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if needsEscape(scalar, keepingLines: keepingLines) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar, keepingLines: Bool) -> Bool {
        switch scalar.value {
        case 0x0a, 0x09: return !keepingLines
        case 0..<0x20, 0x7f...0x9f: return true
        // Bidirectional embeddings, overrides and isolates reorder what follows on the line.
        case 0x202a...0x202e, 0x2066...0x2069, 0x200e, 0x200f, 0x061c: return true
        default: return false
        }
    }
}
