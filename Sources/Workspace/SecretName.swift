/// A validated secret name: `[a-z0-9][a-z0-9._-]{0,127}`. The sealed file is `<name>.sealed`.
package struct SecretName: Hashable, Sendable, Comparable, CustomStringConvertible {
    package let rawValue: String

    package init(_ text: String) throws(WorkspaceError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw .invalidSecretName(text, reason: "it is empty") }
        guard bytes.count <= 128 else { throw .invalidSecretName(text, reason: "it is longer than 128 characters") }
        guard Self.isLeading(bytes[0]) else { throw .invalidSecretName(text, reason: "it must start with a lowercase letter or digit") }
        guard bytes.allSatisfy({ Self.isLeading($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) else {
            throw .invalidSecretName(text, reason: "it holds a character other than a-z, 0-9, '.', '_' or '-'")
        }
        rawValue = text
    }

    private static func isLeading(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    package var description: String { rawValue }

    /// `text` as a message may show it: as it is when it is a valid name, else redacted. A text
    /// that fails the name rule where a name belongs is often a credential pasted in the wrong
    /// place (`{ secret: sk_live_… }`), so no part of it is printed; the message's file, line
    /// and column say where it is.
    package static func shown(_ text: String) -> String {
        (try? SecretName(text)) != nil ? text : "<\(text.count) characters, not shown: not a valid name>"
    }
    package static func < (lhs: SecretName, rhs: SecretName) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The environment variable a value is passed in: upper case, every character other than a
    /// letter or digit becomes `_`, after an optional prefix (`payments-api-key` → `PAYMENTS_API_KEY`).
    package func environmentVariable(prefix: String = "") -> String {
        prefix + String(rawValue.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    /// The variable for this name, refused when it would replace one that programs depend on.
    package func checkedEnvironmentVariable(prefix: String = "") throws(WorkspaceError) -> String {
        let variable = environmentVariable(prefix: prefix)
        if ProtectedVariables.isProtected(variable) {
            throw .forbiddenVariable(secret: rawValue, variable: variable)
        }
        return variable
    }
}

/// Variables a process depends on for what it loads, runs or trusts; a secret must never
/// replace one of them.
package enum ProtectedVariables {
    static let exact: Set<String> = [
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "PWD", "OLDPWD", "TMPDIR", "TERM", "LANG", "IFS",
        "ENV", "BASH_ENV", "CDPATH", "PS4", "SHELLOPTS", "BASHOPTS", "GLOBIGNORE", "PROMPT_COMMAND",
        "NODE_OPTIONS", "NODE_PATH", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PERL5LIB", "PERL5OPT",
        "RUBYLIB", "RUBYOPT", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "CLASSPATH", "GEM_HOME", "GEM_PATH",
        "GIT_DIR", "GIT_WORK_TREE", "GIT_EXEC_PATH", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_ASKPASS", "SSH_ASKPASS",
        "SSH_AUTH_SOCK", "EDITOR", "VISUAL", "PAGER", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "HOSTALIASES",
        "RESOLV_HOST_CONF", "LOCALDOMAIN", "NLSPATH", "GCONV_PATH", "MALLOC_CHECK_", "TZDIR",
        "JOURNEY_KEY", "JOURNEY_KEY_FILE",
    ]
    static let prefixes = ["LD_", "DYLD_", "LC_", "BASH_FUNC_"]

    package static func isProtected(_ variable: String) -> Bool {
        exact.contains(variable) || prefixes.contains(where: variable.hasPrefix)
    }
}
