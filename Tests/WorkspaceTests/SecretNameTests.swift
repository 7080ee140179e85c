import TestSupport
import Testing
import Workspace

@Suite("Secret names and the environment variables they map to")
struct SecretNameTests {
    @Test(
        "valid names are accepted",
        arguments: [
            "a", "0", "payments-api-key", "db.password_2", "a-", "9lives", "x..y", String(repeating: "a", count: 128),
        ])
    func validNames(text: String) throws {
        #expect(try SecretName(text).rawValue == text)
    }

    @Test(
        "bad names are refused with the rule in the message",
        arguments: [
            "", "A", "Payments", "-a", ".a", "_a", "a/b", "../x", "a b", "a\n", "ä", "a:b", "a*",
            String(repeating: "a", count: 129), "name.sealed/..", "\u{0}",
        ])
    func badNames(text: String) {
        let error = #expect(throws: WorkspaceError.self) { try SecretName(text) }
        guard case .invalidSecretName? = error else {
            Issue.record("expected invalidSecretName, got \(String(describing: error))")
            return
        }
        let message = String(describing: error!)
        #expect(message.contains("lowercase letters, digits"))
        #expect(!message.contains("\n") && !message.contains("\u{0}"))
    }

    @Test(
        "names map to upper-case variables with _ for every other character",
        arguments: [
            ("payments-api-key", "", "PAYMENTS_API_KEY"),
            ("db.password_2", "", "DB_PASSWORD_2"),
            ("slack-token", "APP_", "APP_SLACK_TOKEN"),
            ("0x", "", "0X"),
        ])
    func environmentVariable(name: String, prefix: String, variable: String) throws {
        #expect(try SecretName(name).environmentVariable(prefix: prefix) == variable)
        #expect(try SecretName(name).checkedEnvironmentVariable(prefix: prefix) == variable)
    }

    @Test(
        "names that would replace a variable programs depend on are refused",
        arguments: [
            ("path", ""), ("home", ""), ("ld-preload", ""), ("ld_library_path", ""), ("dyld-insert-libraries", ""),
            ("dyld.framework.path", ""), ("node-options", ""), ("ifs", ""), ("journey-key", ""), ("preload", "LD_"),
            ("bash-env", ""), ("pythonpath", ""),
        ])
    func protectedVariables(name: String, prefix: String) throws {
        let secret = try SecretName(name)
        let error = #expect(throws: WorkspaceError.self) { try secret.checkedEnvironmentVariable(prefix: prefix) }
        guard case .forbiddenVariable(let reported, let variable)? = error else {
            Issue.record("expected forbiddenVariable, got \(String(describing: error))")
            return
        }
        #expect(reported == name && variable == secret.environmentVariable(prefix: prefix))
        #expect(String(describing: error!).contains("choose another secret name"))
    }

    @Test("the protected list covers the documented variables and leaves ordinary ones alone")
    func protectedList() {
        for variable in ["PATH", "HOME", "LD_PRELOAD", "LD_ANYTHING", "DYLD_INSERT_LIBRARIES", "DYLD_X", "NODE_OPTIONS"] {
            #expect(ProtectedVariables.isProtected(variable), "\(variable)")
        }
        for variable in ["PAYMENTS_API_KEY", "PATHS", "HOMEPAGE_TOKEN", "LDAP_PASSWORD", "NODE_TOKEN"] {
            #expect(!ProtectedVariables.isProtected(variable), "\(variable)")
        }
    }
}
