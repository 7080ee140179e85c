/// An error a person reads at the terminal: what happened, what to do about it, and the exit
/// code `journey` ends with. Every module's error type adopts it, so the command line prints
/// and exits by the type's own word instead of guessing from where the error came from.
///
/// A message names the file, line, secret, key or repository involved. It never holds a
/// secret value.
package protocol UserFacingError: Error, CustomStringConvertible {
    /// What went wrong.
    var message: String { get }
    /// What to do about it, when the message does not already say.
    var fix: String? { get }
    /// 1 for findings or a failed journey, 2 for usage, bad input or an unusable environment.
    var exitCode: Int32 { get }
}

extension UserFacingError {
    package var fix: String? { nil }
    package var exitCode: Int32 { ExitStatus.badInput }
    /// The message, then the fix.
    package var description: String { fix.map { "\(message); \($0)" } ?? message }
}

/// The exit codes every command uses.
package enum ExitStatus {
    package static let ok: Int32 = 0
    /// Leak findings, or a journey that failed.
    package static let findings: Int32 = 1
    /// Usage, bad input, or an environment journey cannot work in.
    package static let badInput: Int32 = 2
}
