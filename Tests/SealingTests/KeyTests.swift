import Foundation
import Sealing
import TestSupport
import Testing

@Suite("Keys: texts, key ids and key files")
struct KeyTests {
    /// The published test vector of docs/FORMAT.md §8.
    static let vectorPrivateText = "JOURNEY-SECRET-KEY-1-vJW87iaxqfX1CvlU_tDlKYbWiYyYPoA9AgowjuALK90"  // journey:allow (published test vector)
    static let vectorPublicText = "journey-pk1-6yiM4eUoCT7AIUD2xZAtzSkec4QelkjP1biiAFC0PlQ"

    @Test("the documented key derives the documented public key and key id")
    func knownAnswer() throws {
        let key = try PrivateKey(text: Fixtures.secret(Self.vectorPrivateText))
        #expect(key.publicKey.text == Self.vectorPublicText)
        #expect(key.id.hex == "02692795d835aab4")
        #expect(try PublicKey(text: Self.vectorPublicText).id == key.id)
    }

    @Test("key texts round-trip and carry their prefixes")
    func textRoundTrip() throws {
        let key = PrivateKey.generate()
        let text = key.text
        #expect(text.testBytes.starts(with: Array("JOURNEY-SECRET-KEY-1-".utf8)))
        #expect(text.count == "JOURNEY-SECRET-KEY-1-".count + 43)
        #expect(try PrivateKey(text: text).publicKey == key.publicKey)
        #expect(key.publicKey.text.hasPrefix("journey-pk1-") && key.publicKey.text.count == 12 + 43)
        #expect(try PublicKey(text: "  " + key.publicKey.text + "\n") == key.publicKey)
    }

    @Test(
        "malformed public key texts are refused",
        arguments: [
            "", "journey-pk1-", "journey-pk2-6yiM4eUoCT7AIUD2xZAtzSkec4QelkjP1biiAFC0PlQ",
            "journey-pk1-6yiM4eUoCT7AIUD2xZAtzSkec4QelkjP1biiAFC0PlQ=",  // padding
            "journey-pk1-6yiM4eUoCT7AIUD2xZAtzSkec4QelkjP1biiAFC0Pl",  // short
            "journey-pk1-6yiM4eUoCT7AIUD2xZAtzSkec4QelkjP1biiAFC0PlR",  // stray low bits
            "journey-pk1-6yiM4eUoCT7AIUD2xZAtzSkec4QelkjP1biiAFC0P+Q",  // standard alphabet
            "JOURNEY-SECRET-KEY-1-vJW87iaxqfX1CvlU_tDlKYbWiYyYPoA9AgowjuALK90",  // journey:allow
        ])
    func malformedPublicKey(text: String) {
        #expect(throws: KeyError.malformedPublicKey) { try PublicKey(text: text) }
    }

    @Test(
        "malformed private key texts are refused",
        arguments: [
            "", "JOURNEY-SECRET-KEY-1-", "journey-secret-key-1-vJW87iaxqfX1CvlU_tDlKYbWiYyYPoA9AgowjuALK90",
            "JOURNEY-SECRET-KEY-1-vJW87iaxqfX1CvlU_tDlKYbWiYyYPoA9AgowjuALK9",
            "JOURNEY-SECRET-KEY-1-vJW87iaxqfX1CvlU_tDlKYbWiYyYPoA9AgowjuALK90 extra",  // journey:allow
            "journey-pk1-6yiM4eUoCT7AIUD2xZAtzSkec4QelkjP1biiAFC0PlQ",
        ])
    func malformedPrivateKey(text: String) {
        #expect(throws: KeyError.malformedPrivateKey) { try PrivateKey(text: Fixtures.secret(text)) }
    }

    @Test("a key file readable by group or others is refused with the chmod fix", arguments: [0o640, 0o604, 0o644, 0o660, 0o606, 0o704])
    func looseKeyFileRefused(mode: Int) throws {
        try withScratchFolder { scratch in
            let path = try Fixtures.writeKeyFile(PrivateKey.generate(), to: scratch.path("alice.key"), mode: mode_t(mode))
            let error = #expect(throws: KeyError.self) { try PrivateKey.load(fromFile: path) }
            #expect(error == .keyFileTooOpen(path: path, mode: mode))
            let message = try #require(error).description
            #expect(message.contains("chmod 600 \(path)"))
            #expect(!message.contains("JOURNEY-SECRET-KEY-1-"))
        }
    }

    @Test("a key file of mode 0600 or 0400 loads the same key", arguments: [0o600, 0o400])
    func privateKeyFileLoads(mode: Int) throws {
        try withScratchFolder { scratch in
            let key = PrivateKey.generate()
            let path = try Fixtures.writeKeyFile(key, to: scratch.path("k.key"), mode: mode_t(mode))
            #expect(try PrivateKey.load(fromFile: path).publicKey == key.publicKey)
        }
    }

    @Test("a key file that is not a key, or is missing, gets an error naming it")
    func badKeyFiles() throws {
        try withScratchFolder { scratch in
            let wrong = try scratch.write("journey-pk1-6yiM4eUoCT7AIUD2xZAtzSkec4QelkjP1biiAFC0PlQ\n", to: "public.key", mode: 0o600)
            #expect(throws: KeyError.malformedKeyFile(path: wrong)) { try PrivateKey.load(fromFile: wrong) }
            let missing = scratch.path("missing.key")
            let error = #expect(throws: KeyError.self) { try PrivateKey.load(fromFile: missing) }
            #expect(try #require(error).description.contains(missing))
        }
    }
}

@Suite("SecretBytes never shows its bytes")
struct SecretBytesTests {
    @Test("description, debugDescription, interpolation, reflection and dump print <redacted>")
    func redacted() {
        let canary = Canary()
        let secret = canary.secret
        var dumped = ""
        dump(secret, to: &dumped)
        let renderings = [
            secret.description, secret.debugDescription, "\(secret)", String(describing: secret),
            String(reflecting: secret), dumped,
            "\([secret])", "\(Optional(secret) as Any)",
        ]
        for rendering in renderings {
            #expect(rendering.contains("<redacted>"))
            #expect(!canary.appears(in: rendering))
        }
        #expect(Mirror(reflecting: secret).children.isEmpty)
    }

    @Test("equality compares the bytes")
    func equality() {
        #expect(Fixtures.secret("abc") == Fixtures.secret("abc"))
        #expect(Fixtures.secret("abc") != Fixtures.secret("abd"))
        #expect(Fixtures.secret("abc") != Fixtures.secret("abcd"))
        #expect(Fixtures.secret([0, 1]).slice(1..<2) == Fixtures.secret([1]))
    }
}
