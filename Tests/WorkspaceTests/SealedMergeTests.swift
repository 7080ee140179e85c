import FileIO
import Foundation
import Sealing
import TestSupport
import Testing
import Workspace

/// The three-way merge rules of the journey merge driver, on real sealed files.
@Suite("Merging sealed files and recipients")
struct SealedMergeTests {
    /// A sealed file's text at version 1, sealed for alice.
    private func base(in folder: ScratchFolder) throws -> (fixture: WorkspaceFixture, text: String) {
        let fixture = try Fixtures.workspace(in: folder.path("ws"))
        let name = try Fixtures.name("api-token")
        try fixture.workspace.addSecret(name, value: Fixtures.secret("value"), description: "d")
        return (fixture, try String(contentsOfFile: fixture.workspace.sealedPath(name), encoding: .utf8))
    }

    private func withWraps(_ text: String, adding added: [KeyWrap], removing removed: Set<KeyID> = []) throws -> String {
        var file = try SealedFile.parse(path: "x", text: text)
        file.sealed.wraps = file.sealed.wraps.filter { !removed.contains($0.keyID) } + added
        for wrap in added { file.recipientNames[wrap.keyID] = "someone" }
        return file.encoded()
    }

    private func wrap() -> KeyWrap {
        KeyWrap(keyID: PrivateKey.generate().id, wrappedKey: Array(repeating: 7, count: 80))
    }

    @Test func twoRewrapsJoinTheirWrapsAndARemovalStaysRemoved() throws {
        try withScratchFolder { folder in
            let (fixture, base) = try base(in: folder)
            let carol = wrap(), dave = wrap()
            let ours = try withWraps(base, adding: [carol])
            let theirs = try withWraps(base, adding: [dave], removing: [fixture.key.id])
            guard case .merged(let text) = SealedMerge.merge(base: base, ours: ours, theirs: theirs, path: "secrets/api-token.sealed") else {
                Issue.record("expected a clean merge")
                return
            }
            let merged = try SealedFile.parse(path: "x", text: text)
            #expect(Set(merged.sealed.wraps.map(\.keyID)) == [carol.keyID, dave.keyID])
            // The value is the base's: the same nonce and ciphertext.
            #expect(merged.sealed.ciphertext == (try SealedFile.parse(path: "x", text: base)).sealed.ciphertext)
        }
    }

    @Test func theHigherVersionWinsAndEqualRotationsConflictWithBothSidesReadable() throws {
        try withScratchFolder { folder in
            let (fixture, base) = try base(in: folder)
            let name = try Fixtures.name("api-token")
            try fixture.workspace.updateSecret(name, value: Fixtures.secret("second"))
            let rotatedOnce = try String(contentsOfFile: fixture.workspace.sealedPath(name), encoding: .utf8)
            try fixture.workspace.updateSecret(name, value: Fixtures.secret("third"))
            let rotatedTwice = try String(contentsOfFile: fixture.workspace.sealedPath(name), encoding: .utf8)
            #expect(SealedMerge.merge(base: base, ours: rotatedOnce, theirs: rotatedTwice, path: "p") == .merged(rotatedTwice))
            #expect(SealedMerge.merge(base: base, ours: rotatedTwice, theirs: rotatedOnce, path: "p") == .merged(rotatedTwice))

            // Another rotation to version 2 from the same base: a true conflict.
            try AtomicFile.write(base, to: fixture.workspace.sealedPath(name))
            try fixture.workspace.updateSecret(name, value: Fixtures.secret("other second"))
            let otherRotation = try String(contentsOfFile: fixture.workspace.sealedPath(name), encoding: .utf8)
            guard case .conflict(let text, let reason) = SealedMerge.merge(base: base, ours: rotatedOnce, theirs: otherRotation, path: "p") else {
                Issue.record("expected a conflict")
                return
            }
            #expect(reason == "both sides rotated 'api-token' to version 2")
            #expect(MergeConflictText.isConflicted(text))
            let sides = try #require(MergeConflictText.sides(text))
            #expect(sides.ours == rotatedOnce && sides.theirs == otherRotation)
            // A side that is not a sealed file is never merged silently.
            guard case .conflict = SealedMerge.merge(base: base, ours: "garbage: [", theirs: rotatedOnce, path: "p") else {
                Issue.record("expected a conflict")
                return
            }
        }
    }

    @Test func gitsOwnHunkMarkersWithABaseSectionReadBackAsTwoSides() {
        let text = "a\n<<<<<<< HEAD\nours\n||||||| base\nold\n=======\ntheirs\n>>>>>>> topic\nz\n"
        let sides = MergeConflictText.sides(text)
        #expect(sides?.ours == "a\nours\nz\n")
        #expect(sides?.theirs == "a\ntheirs\nz\n")
        #expect(MergeConflictText.sides("a\n<<<<<<< HEAD\nours\n") == nil)
        #expect(!MergeConflictText.isConflicted("key: value # <<<<<<< not at a line start\n"))
    }

    @Test func recipientsUnionRemovalAndOneNameWithTwoKeys() throws {
        func recipient(_ name: String, _ key: PublicKey) -> Recipient { Recipient(name: name, key: key, added: "2026-01-01T00:00:00Z") }
        let alice = PrivateKey.generate().publicKey, bob = PrivateKey.generate().publicKey, carol = PrivateKey.generate().publicKey
        let base = RecipientsFile.encode([recipient("alice", alice), recipient("bob", bob)])
        let ours = RecipientsFile.encode([recipient("alice", alice), recipient("bob", bob), recipient("carol", carol)])
        let theirs = RecipientsFile.encode([recipient("alice", alice)])
        #expect(
            RecipientsMerge.merge(base: base, ours: ours, theirs: theirs, path: "r")
                == .merged(RecipientsFile.encode([recipient("alice", alice), recipient("carol", carol)])))
        let clash = RecipientsFile.encode([recipient("alice", alice), recipient("bob", bob), recipient("carol", PrivateKey.generate().publicKey)])
        guard case .conflict(_, let reason) = RecipientsMerge.merge(base: base, ours: ours, theirs: clash, path: "r") else {
            Issue.record("expected a conflict")
            return
        }
        #expect(reason.contains("recipient 'carol'"))
    }

    /// Threat: a merge of two branches that both changed recipients.yaml dropped the records of
    /// removed keys, and the versions those keys could open stopped being shown as exposed.
    @Test func recipientsMergeKeepsTheRecordsOfRemovedKeysFromBothSides() throws {
        func recipient(_ name: String, _ key: PublicKey) -> Recipient { Recipient(name: name, key: key, added: "2026-01-01T00:00:00Z") }
        let alice = PrivateKey.generate().publicKey, bob = PrivateKey.generate().publicKey, carol = PrivateKey.generate().publicKey
        let dave = PrivateKey.generate().publicKey, erin = PrivateKey.generate().publicKey
        let version = SealedVersion(secret: "api-token", nonce: "bm9uY2U=")
        let daveRecord = RemovedRecipient(name: "dave", keyID: dave.id, removed: "2026-02-01T00:00:00Z", couldOpen: [version])
        let erinRecord = RemovedRecipient(name: "erin", keyID: erin.id, removed: "2026-02-02T00:00:00Z", couldOpen: [version])
        let base = RecipientsFile.encode([recipient("alice", alice)])
        let ours = RecipientsFile.encode([recipient("alice", alice), recipient("bob", bob)], removed: [daveRecord])
        let theirs = RecipientsFile.encode([recipient("alice", alice), recipient("carol", carol)], removed: [erinRecord])
        guard case .merged(let text) = RecipientsMerge.merge(base: base, ours: ours, theirs: theirs, path: "r") else {
            Issue.record("expected a clean merge")
            return
        }
        let merged = try RecipientsFile.parseContents(YAMLFile(path: "r", text: text))
        #expect(Set(merged.recipients.map(\.name)) == ["alice", "bob", "carol"])
        #expect(Set(merged.removed.map(\.keyID)) == [dave.id, erin.id])
        #expect(merged.removed.allSatisfy { $0.couldOpen == [version] })
    }

    @Test func typoSuggestions() {
        let known = ["slack-token", "stripe-key", "db-password"]
        #expect(NameSuggestion.closest(to: "slak-token", among: known) == "slack-token")
        #expect(NameSuggestion.closest(to: "slcak-token", among: known) == "slack-token")
        #expect(NameSuggestion.closest(to: "github-token", among: known) == nil)
        #expect(NameSuggestion.closest(to: "ab", among: ["aa", "bb"]) == nil)
        #expect(NameSuggestion.closest(to: "nope", among: ["one", "two"]) == nil)
    }
}
