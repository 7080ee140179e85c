import Foundation
import GitStore
import Runner
import TestSupport
import Testing
import Workspace

@Suite("Runner: a fresh checkout per run, the workspace found in it, nothing left behind")
struct RunnerLifecycleTests {
    func request(_ fixture: RunnerFixture, ref: String = "main", workspacePath: String = ".") -> RunnerRequest {
        RunnerRequest(repo: fixture.published.remote, ref: ref, workspacePath: workspacePath, cacheRoot: fixture.cache)
    }

    @Test func opensTheWorkspaceInAFreshFolderAndRemovesItAfterwards() throws {
        let fixture = try RunnerFixture()
        let (folder, workspaceID) = try Runner(request: request(fixture)).withCheckout { prepared throws in
            #expect(prepared.checkout.resolved.commit == ObjectID(hex: fixture.first))
            #expect(FileManager.default.fileExists(atPath: prepared.folder + "/journeys/hello.yaml"))
            #expect(try prepared.workspace.readSealed(try SecretName("api-token")).version == 1)
            return (prepared.folder, prepared.workspace.config.id)
        }
        #expect(workspaceID == fixture.workspace.config.id)
        #expect(!FileManager.default.fileExists(atPath: folder))
        #expect(fixture.cacheEntries("work").isEmpty)
    }

    @Test func aWorkspaceInASubfolderIsFoundWithWorkspacePath() throws {
        let fixture = try RunnerFixture(workspacePath: "ops/journey")
        let id = try Runner(request: request(fixture, workspacePath: "ops/journey")).withCheckout { $0.workspace.config.id }
        #expect(id == fixture.workspace.config.id)
    }

    @Test(arguments: [".", "elsewhere", "../..", "/etc"])
    func aMissingOrEscapingWorkspacePathIsRefused(path: String) throws {
        let fixture = try RunnerFixture(workspacePath: "ops")
        #expect {
            try Runner(request: request(fixture, workspacePath: path)).withCheckout { _ in }
        } throws: { error in
            guard let runnerError = error as? RunnerError, case .missingWorkspace(let reported, let commit) = runnerError else { return false }
            // The message says what happened, the fix what to do; the terminal shows both.
            return reported == path && commit == ObjectID(hex: fixture.first) && runnerError.fix?.contains("--workspace-path") == true
                && !runnerError.message.contains("--workspace-path") && "\(error)" == runnerError.message + "; " + runnerError.fix!
                && runnerError.exitCode == 2
        }
        #expect(fixture.cacheEntries("work").isEmpty)
    }

    @Test func theWorkFolderGoesEvenWhenTheJourneyStepThrows() throws {
        let fixture = try RunnerFixture()
        nonisolated(unsafe) var seen = ""
        #expect(throws: PlannedFailure.self) {
            try Runner(request: request(fixture)).withCheckout { prepared throws in
                seen = prepared.folder
                throw PlannedFailure()
            }
        }
        #expect(!seen.isEmpty && !FileManager.default.fileExists(atPath: seen))
    }
}
