/// Words of a command line journey prints for someone to paste into a shell: a fix in an error
/// message, the `journey keys add …` line a newcomer sends. Names in those lines come from
/// command lines, checked-out repositories, merges and sealed files; a `;`, `$(…)`, backtick,
/// `|`, `&`, space or quote in one must stay inside its word, never become a command for
/// whoever pastes the line. Every value put into such a line goes through `quoted`.
package enum ShellWord {
    /// `text` as one word that POSIX shells (sh, bash, zsh, dash) read back unchanged: as it is
    /// when it holds only letters, digits and `@ % + : , . / _ -` (what names are made of, so
    /// the usual line reads as before), else in single quotes, each `'` written `'\''`.
    package static func quoted(_ text: String) -> String {
        if !text.isEmpty, text.utf8.allSatisfy(isPlain) { return text }
        var word = "'"
        for character in text { word += character == "'" ? #"'\''"# : String(character) }
        return word + "'"
    }

    /// Bytes no shell gives a meaning inside a word, wherever they stand (`=` and `~` are left
    /// out: zsh expands a word that starts with either).
    private static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        case UInt8(ascii: "@"), UInt8(ascii: "%"), UInt8(ascii: "+"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "/"),
            UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default: return false
        }
    }
}
