internal import Clibgit2

/// How far a clone or fetch has got, from libgit2's indexer progress.
package struct TransferProgress: Sendable, Equatable {
    package var receivedObjects: Int
    package var totalObjects: Int
    package var receivedBytes: Int
}

/// What libgit2 calls back during a network operation, passed to C as the callbacks' payload
/// (so it must outlive the call: callers keep it alive with `withExtendedLifetime`).
///
/// Credentials (`git_credential_acquire_cb`): an SSH key from the running ssh-agent
/// (`git_credential_ssh_key_from_agent`), tried once — libgit2 asks again after a rejected key,
/// and a second answer would loop. Anything else is declined, so a remote that wants a password
/// fails with libgit2's message instead of prompting. Progress (`git_indexer_progress_cb`) goes
/// to `progress`, if given.
final class RemoteCallbackContext {
    private var credentialAttempts = 0
    private let progress: ((TransferProgress) -> Void)?
    /// Hears every callback as a sign that the remote is alive.
    private let watchdog: NetworkWatchdog?

    init(progress: ((TransferProgress) -> Void)?, watchdog: NetworkWatchdog? = nil) {
        self.progress = progress
        self.watchdog = watchdog
    }

    func install(in callbacks: inout git_remote_callbacks) {
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.credentials = { credential, _, usernameFromURL, allowedTypes, payload in
            let context = Unmanaged<RemoteCallbackContext>.fromOpaque(payload!).takeUnretainedValue()
            context.watchdog?.touch()
            guard allowedTypes & UInt32(GIT_CREDENTIAL_SSH_KEY.rawValue) != 0, context.credentialAttempts == 0 else {
                return GIT_PASSTHROUGH.rawValue
            }
            context.credentialAttempts += 1
            if let usernameFromURL { return git_credential_ssh_key_from_agent(credential, usernameFromURL) }
            return git_credential_ssh_key_from_agent(credential, "git")
        }
        callbacks.sideband_progress = { _, _, payload in
            Unmanaged<RemoteCallbackContext>.fromOpaque(payload!).takeUnretainedValue().watchdog?.touch()
            return 0
        }
        guard progress != nil || watchdog != nil else { return }
        callbacks.transfer_progress = { stats, payload in
            let context = Unmanaged<RemoteCallbackContext>.fromOpaque(payload!).takeUnretainedValue()
            context.watchdog?.touch()
            if let stats = stats?.pointee {
                context.progress?(
                    TransferProgress(
                        receivedObjects: Int(stats.received_objects), totalObjects: Int(stats.total_objects),
                        receivedBytes: Int(stats.received_bytes)))
            }
            return 0
        }
    }
}
