import Foundation
import Sealing
import TestSupport
import Testing

/// A team on git: two clones of one bare repository, real `git pull` merges through the
/// journey merge driver (issue 12).
@Suite("Team merges of sealed files and recipients")
struct TeamTests {
    /// The bare repository, and clones of it that share one person's key folder.
    final class Team {
        let scratch: ScratchFolder
        let configHome: String
        var origin: String { scratch.path("origin.git") }

        init() throws {
            scratch = try ScratchFolder(label: "team")
            configHome = try scratch.folder("config")
            try Git.run(["init", "--quiet", "--bare", "--initial-branch=main", origin], in: scratch.path)
            // The first clone starts the workspace and publishes it.
            let first = try clone("alice")
            try journey(["init"], in: first)
            // init registers the merge driver: the attributes to commit, the clone's config.
            let attributes = try String(contentsOfFile: first + "/.gitattributes", encoding: .utf8)
            #expect(attributes.contains("secrets/*.sealed merge=journey\nsecrets/recipients.yaml merge=journey\n"))
            #expect(try Git.run(["config", "merge.journey.driver"], in: first).contains("hook merge-file %O %A %B %P"))
            try journey(["keys", "generate", "alice"], in: first)
            try journey(["hook", "install"], in: first)
            try journey(["secret", "add", "api-token"], in: first, stdin: "first-value")
            try "name: deploy\nsteps:\n  - run: \"true\"\n    env:\n      API_TOKEN: { secret: api-token }\n".write(
                toFile: first + "/journeys/deploy.yaml", atomically: true, encoding: .utf8)
            try Git.commitAll(in: first, message: "workspace")
            try Git.run(["push", "--quiet", "origin", "main"], in: first)
        }

        func clone(_ name: String) throws -> String {
            let path = scratch.path(name)
            if !FileManager.default.fileExists(atPath: path) {
                try Git.run(["clone", "--quiet", origin, path], in: scratch.path)
            }
            return path
        }

        /// A second clone, with the hooks and the merge driver installed as its owner would.
        func secondClone(_ name: String) throws -> String {
            let path = try clone(name)
            try journey(["hook", "install"], in: path)
            return path
        }

        @discardableResult
        func journey(_ arguments: [String], in directory: String, stdin: String? = nil, expect code: Int32 = 0) throws -> ProcessResult {
            let result = try JourneyBinary.run(
                arguments, in: directory, configHome: configHome, stdin: stdin.map { Array($0.utf8) }, environment: Git.environment(home: scratch.path))
            #expect(result.exitCode == code, "journey \(arguments.joined(separator: " ")): \(result.allOutput)")
            return result
        }

        func git(_ arguments: [String], in directory: String) throws -> ProcessResult {
            try Subprocess.run("git", arguments, environment: Git.environment(home: scratch.path), currentDirectory: directory)
        }

        func pull(into directory: String) throws -> ProcessResult {
            try git(["pull", "--no-rebase", "--no-edit", "origin", "main"], in: directory)
        }
    }

    @Test func bothRotateTheSameSecretAConflictNamedAndSettledByResolve() throws {
        let team = try Team()
        let alice = try team.clone("alice"), laptop = try team.secondClone("laptop")
        try team.journey(["secret", "update", "api-token"], in: alice, stdin: "alice-rotated")
        try Git.commitAll(in: alice, message: "rotate")
        try Git.run(["push", "--quiet", "origin", "main"], in: alice)
        try team.journey(["secret", "update", "api-token"], in: laptop, stdin: "laptop-rotated")
        try Git.commitAll(in: laptop, message: "rotate too")

        let merge = try team.pull(into: laptop)
        #expect(merge.exitCode != 0)
        #expect(merge.allOutput.contains("both sides rotated 'api-token' to version 2"), "\(merge.allOutput)")
        #expect(merge.allOutput.contains("journey secret resolve api-token --ours"))

        // Every reader names the file and the command; none reports a YAML error.
        let readers = [
            ["secret", "list"], ["secret", "show", "api-token"], ["check"], ["exec", "--secret", "api-token", "--", "true"],
            ["resolve", "deploy", "--sealed"], ["run", "deploy", "--sealed"],
        ]
        for command in readers {
            let result = try team.journey(command, in: laptop, expect: command == ["check"] ? 1 : 2)
            #expect(result.allOutput.contains("secrets/api-token.sealed holds an unresolved merge conflict"), "\(command): \(result.allOutput)")
            #expect(result.allOutput.contains("journey secret resolve api-token --ours"), "\(command): \(result.allOutput)")
            #expect(!result.allOutput.contains("YAML"), "\(command): \(result.allOutput)")
        }

        // Staging the file with its markers does not get it committed: the hook names it.
        try Git.run(["add", "secrets/api-token.sealed"], in: laptop)
        let markers = try team.git(["commit", "--no-edit"], in: laptop)
        #expect(markers.exitCode != 0)
        #expect(markers.allOutput.contains("an unresolved merge conflict"), "\(markers.allOutput)")
        #expect(markers.allOutput.contains("journey secret resolve api-token --ours"))

        let resolved = try team.journey(["secret", "resolve", "api-token", "--theirs"], in: laptop)
        #expect(resolved.allOutput.contains("sealed again as version 3"), "\(resolved.allOutput)")
        let check = try team.journey(["exec", "--secret", "api-token", "--", "sh", "-c", "test \"$API_TOKEN\" = alice-rotated"], in: laptop)
        #expect(check.exitCode == 0)
        #expect(try team.journey(["secret", "show", "api-token"], in: laptop).stdoutText.contains("version:     3"))
        try Git.run(["add", "secrets/api-token.sealed"], in: laptop)
        #expect(try team.git(["commit", "--no-edit"], in: laptop).exitCode == 0)
        #expect(!(try team.journey(["secret", "list"], in: laptop).allOutput.contains("conflict")))
        // No value reached any output.
        #expect(!resolved.allOutput.contains("alice-rotated") && !merge.allOutput.contains("rotated\n"))
    }

    @Test func rotateOnOneSideAndRekeyOnTheOtherMergeCleanly() throws {
        let team = try Team()
        let alice = try team.clone("alice"), laptop = try team.secondClone("laptop")
        let carol = PrivateKey.generate().publicKey.text
        try team.journey(["keys", "add", "carol", carol], in: alice)
        try team.journey(["secret", "rekey", "--all"], in: alice)
        try Git.commitAll(in: alice, message: "carol joins")
        try Git.run(["push", "--quiet", "origin", "main"], in: alice)
        try team.journey(["secret", "update", "api-token"], in: laptop, stdin: "rotated-value")
        try Git.commitAll(in: laptop, message: "rotate")

        let merge = try team.pull(into: laptop)
        #expect(merge.exitCode == 0, "\(merge.allOutput)")
        #expect(try team.journey(["secret", "show", "api-token"], in: laptop).stdoutText.contains("version:     2"))
        // The rotation was sealed before carol joined: check names her and says to rekey.
        let check = try team.journey(["check"], in: laptop, expect: 1)
        #expect(check.allOutput.contains("not wrapped for recipient 'carol'"), "\(check.allOutput)")
        #expect(check.allOutput.contains("journey secret rekey api-token"))
        try team.journey(["secret", "rekey", "api-token"], in: laptop)
        try team.journey(["check"], in: laptop)
        let value = try team.journey(["exec", "--secret", "api-token", "--", "sh", "-c", "test \"$API_TOKEN\" = rotated-value"], in: laptop)
        #expect(value.exitCode == 0)
    }

    @Test func twoRecipientsAddedOnTwoBranchesMergeWithBoth() throws {
        let team = try Team()
        let alice = try team.clone("alice"), laptop = try team.secondClone("laptop")
        try team.journey(["keys", "add", "bob", PrivateKey.generate().publicKey.text], in: alice)
        try Git.commitAll(in: alice, message: "bob joins")
        try Git.run(["push", "--quiet", "origin", "main"], in: alice)
        try team.journey(["keys", "add", "carol", PrivateKey.generate().publicKey.text], in: laptop)
        try Git.commitAll(in: laptop, message: "carol joins")

        let merge = try team.pull(into: laptop)
        #expect(merge.exitCode == 0, "\(merge.allOutput)")
        let names = try team.journey(["keys", "list"], in: laptop).stdoutText.split(separator: "\n").map { $0.split(separator: "\t")[0] }
        #expect(names == ["alice", "carol", "bob"])
    }

    @Test func oneNameWithTwoKeysIsAConflictNamedByEveryReader() throws {
        let team = try Team()
        let alice = try team.clone("alice"), laptop = try team.secondClone("laptop")
        let first = PrivateKey.generate().publicKey, second = PrivateKey.generate().publicKey
        try team.journey(["keys", "add", "dave", first.text], in: alice)
        try Git.commitAll(in: alice, message: "dave")
        try Git.run(["push", "--quiet", "origin", "main"], in: alice)
        try team.journey(["keys", "add", "dave", second.text], in: laptop)
        try Git.commitAll(in: laptop, message: "dave again")

        let merge = try team.pull(into: laptop)
        #expect(merge.exitCode != 0)
        #expect(merge.allOutput.contains("recipient 'dave'"), "\(merge.allOutput)")
        let list = try team.journey(["keys", "list"], in: laptop, expect: 2)
        #expect(list.allOutput.contains("secrets/recipients.yaml holds an unresolved merge conflict"), "\(list.allOutput)")
        #expect(!list.allOutput.contains("YAML"))
        // Staged with its markers, it is not committed.
        try Git.run(["add", "secrets/recipients.yaml"], in: laptop)
        let commit = try team.git(["commit", "--no-edit"], in: laptop)
        #expect(commit.exitCode != 0)
        #expect(commit.allOutput.contains("keep the right key between the markers"), "\(commit.allOutput)")
    }

    /// A clone that never ran `hook install` has no driver: git merges the sealed file as
    /// text, and journey still names it and settles it from git's own markers.
    @Test func withoutTheDriverGitsTextConflictIsStillNamedAndSettled() throws {
        let team = try Team()
        let alice = try team.clone("alice"), plain = try team.clone("plain")
        try team.journey(["secret", "update", "api-token"], in: alice, stdin: "alice-rotated")
        try Git.commitAll(in: alice, message: "rotate")
        try Git.run(["push", "--quiet", "origin", "main"], in: alice)
        try team.journey(["secret", "update", "api-token"], in: plain, stdin: "plain-rotated")
        try Git.commitAll(in: plain, message: "rotate too")
        #expect(try team.pull(into: plain).exitCode != 0)
        let list = try team.journey(["secret", "list"], in: plain, expect: 2)
        #expect(list.allOutput.contains("journey secret resolve api-token --ours"), "\(list.allOutput)")
        try team.journey(["secret", "resolve", "api-token", "--ours"], in: plain)
        let value = try team.journey(["exec", "--secret", "api-token", "--", "sh", "-c", "test \"$API_TOKEN\" = plain-rotated"], in: plain)
        #expect(value.exitCode == 0)
    }
}
