import Diagnostics
import Sealing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A secret value known on this machine, with where it came from (for the message).
package struct KnownSecret: Sendable {
    package let name: String
    /// `$PAYMENTS_API_KEY`, `.journey/local-secrets.yaml`, `the sealed store`.
    package let source: String
    package let value: SecretBytes

    package init(name: String, source: String, value: SecretBytes) {
        self.name = name
        self.source = source
        self.value = value
    }
}

/// Finds exact values known locally, in every form `ValueForms` derives (plain, each line,
/// base64, URL-encoded, JSON-escaped) — the same forms masking hides. Every form lives in wiped
/// memory.
package struct KnownValues: Sendable {
    package static let ruleID = "known-secret-value"
    /// Shorter values would match ordinary text; they are left out (and said so in the docs).
    package static let minimumLength = 6

    struct Form: Sendable {
        let secret: String
        let source: String
        let encoding: String
        let bytes: SecretBytes
    }

    let forms: [Form]

    package init(_ secrets: [KnownSecret]) {
        var forms: [Form] = []
        for secret in secrets where secret.value.count >= Self.minimumLength {
            for form in ValueForms.of(secret.value, minimumDerivedLength: Self.minimumLength) {
                forms.append(Form(secret: secret.name, source: secret.source, encoding: form.label, bytes: form.bytes))
            }
        }
        self.forms = forms
    }

    package var isEmpty: Bool { forms.isEmpty }

    /// Every occurrence of every form in `bytes` (`memchr` to each candidate start).
    func candidates(in bytes: UnsafeRawBufferPointer) -> [Candidate] {
        guard !forms.isEmpty else { return [] }
        var found: [Candidate] = []
        for form in forms {
            form.bytes.withUnsafeBytes { needle in
                var offset = 0
                while let start = ByteSearch.firstIndex(of: needle, in: bytes, from: offset) {
                    found.append(
                        Candidate(
                            rule: Self.ruleID, title: "value of a known secret",
                            fix:
                                "replace it with the reference { secret: \(form.secret) } or ${{ secrets.\(form.secret) }}; if it was ever pushed, rotate it with 'journey secret update \(ShellWord.quoted(form.secret))'",
                            range: start..<(start + needle.count), visiblePrefix: 0, priority: 0,
                            message: "the value of secret '\(form.secret)'\(form.encoding), known from \(form.source)"))
                    offset = start + needle.count
                }
            }
        }
        return found
    }
}
