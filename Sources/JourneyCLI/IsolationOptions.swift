import ArgumentParser
import Foundation
import StepIsolation
import Workspace

/// `--no-isolation`, shared by the commands that run untrusted code (`run`, `exec`, `runner`).
struct IsolationOptions: ParsableArguments {
    @Flag(
        name: .customLong("no-isolation"),
        help: "Run steps without the sandbox that keeps them from the private key (only where every step is trusted; see docs/SECURITY.md).")
    var noIsolation = false

    /// Starts finding out whether this machine can isolate (a probe sandbox, a few ms) while
    /// the command parses and opens its workspace.
    func validate() throws {
        if !noIsolation { Thread.detachNewThread { _ = StepIsolation.availability } }
    }

    /// The sandbox steps run in, or nil with `--no-isolation`. When this machine cannot set
    /// one up, refuses (exit 2) before anything is opened and says why.
    func isolation(keyFile: String?) throws -> StepIsolation? {
        if noIsolation { return nil }
        if case .unavailable(let reason) = StepIsolation.availability {
            throw CommandError(
                description: """
                    cannot isolate steps from the private key on this machine: \(reason).
                    Steps run in their own user, mount and PID namespaces; allow unprivileged user namespaces \
                    (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0; in a container a seccomp \
                    and AppArmor profile that allow clone(CLONE_NEWUSER) and mount, and an unmasked /proc), \
                    or pass --no-isolation where every step is trusted (docs/SECURITY.md, "Step isolation")
                    """)
        }
        let environment = ProcessInfo.processInfo.environment
        return StepIsolation(
            hiddenPaths: StepIsolation.keyPaths(
                keyFile: keyFile, keyFolder: KeySource.keyFolder(environment: environment), environment: environment))
    }
}
