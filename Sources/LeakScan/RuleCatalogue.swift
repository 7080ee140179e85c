import Sealing

/// Every rule the scanner knows, written from the providers' documented token formats.
package enum RuleCatalogue {
    package static let all: [Rule] =
        cloud + sourceHosting + packagesAndBuild + observability + chat + payments + mail
        + artificialIntelligence + productivity + keysAndStructures + commandLinesAndConfig + longTail + generic

    package static func rule(_ id: String) -> Rule? { all.first { $0.id == id } }

    /// The fixed starts of documented token formats (`ghp_`, `sk_live_`, `xoxb-`). A value that
    /// starts with one but does not fit its format is an example or a truncated token; the
    /// generic rule leaves it alone.
    static let documentedPrefixes: [[UInt8]] = {
        var prefixes: [[UInt8]] = []
        for rule in all {
            guard case .token(nil, let shape) = rule.detector, let first = shape.parts.first else { continue }
            switch first {
            case .literal(let literal) where literal.count >= 3: prefixes.append(literal)
            case .oneOf(let literals): prefixes += literals.filter { $0.count >= 3 }
            default: break
            }
        }
        return prefixes
    }()

    // MARK: Building blocks

    /// GitHub's and npm's CRC-32 in base62 over the token's 30 random characters.
    static let crc32Base62: @Sendable (UnsafeRawBufferPointer) -> Bool = { TokenChecksum.verifiesCRC32Base62($0, prefixLength: 4) }

    static func lit(_ text: String) -> TokenShape.Part { .literal(Array(text.utf8)) }
    static func any(_ texts: String...) -> TokenShape.Part { .oneOf(texts.map { Array($0.utf8) }) }
    static func run(_ set: ByteSet, _ count: Int) -> TokenShape.Part { .run(set, min: count, max: count) }
    static func run(_ set: ByteSet, _ min: Int, _ max: Int) -> TokenShape.Part { .run(set, min: min, max: max) }

    /// A token that starts with `prefix` and goes on with `parts`.
    static func token(_ id: String, _ title: String, _ prefix: String, _ parts: TokenShape.Part...) -> Rule {
        Rule(id: id, title: title, keywords: [prefix.lowercased()], detector: .token(lead: nil, shape: TokenShape([lit(prefix)] + parts)), priority: 2)
    }

    /// A token that starts with one of `prefixes`.
    static func token(_ id: String, _ title: String, prefixes: [String], _ parts: TokenShape.Part...) -> Rule {
        Rule(
            id: id, title: title, keywords: prefixes.map { $0.lowercased() },
            detector: .token(lead: nil, shape: TokenShape([.oneOf(prefixes.map { Array($0.utf8) })] + parts)), priority: 2)
    }

    /// A token whose fixed part `infix` follows a run `lead`.
    static func token(_ id: String, _ title: String, lead: TokenShape.Part, infix: String, _ parts: TokenShape.Part...) -> Rule {
        Rule(id: id, title: title, keywords: [infix.lowercased()], detector: .token(lead: lead, shape: TokenShape([lit(infix)] + parts)), priority: 2)
    }

    /// A value without a recognisable prefix, found by the name it is assigned to.
    static func keyed(_ id: String, _ title: String, names: [[String]], _ value: TokenShape.Part...) -> Rule {
        Rule(
            id: id, title: title, keywords: Array(Set(names.map { $0[0] })).sorted(),
            detector: .assignment(names: names, value: TokenShape(value)), priority: 3)
    }

    static let alnum = ByteSet.alnum
    static let hex = ByteSet.lowerHex
    static let anyHex = ByteSet.hex
    static let b64 = ByteSet.base64
    static let b64url = ByteSet.base64URL
    static let upper = ByteSet.upperAlnum
    static let digits = ByteSet.digits
    static let lowerAlnum = ByteSet.lowerAlnum
    static let uuid: [TokenShape.Part] = [run(hex, 8), lit("-"), run(hex, 4), lit("-"), run(hex, 4), lit("-"), run(hex, 4), lit("-"), run(hex, 12)]
    static let anyUUID: [TokenShape.Part] = [
        run(anyHex, 8), lit("-"), run(anyHex, 4), lit("-"), run(anyHex, 4), lit("-"), run(anyHex, 4), lit("-"), run(anyHex, 12),
    ]

    // MARK: Cloud

    static let cloud: [Rule] = [
        token(
            "aws-access-key-id", "AWS access key id", prefixes: ["AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "APKA"], run(upper, 16)
        ),
        keyed("aws-secret-access-key", "AWS secret access key", names: [["aws", "secret"], ["secretaccesskey"], ["secret_access_key"]], run(b64, 40)),
        keyed("aws-session-token", "AWS session token", names: [["aws", "session", "token"], ["sessiontoken"]], run(b64.union(ByteSet("=")), 100, 2048)),
        token("gcp-api-key", "Google API key", "AIza", run(b64url, 35)),
        token("gcp-oauth-client-secret", "Google OAuth client secret", "GOCSPX-", run(b64url, 28)),
        token("google-oauth-access-token", "Google OAuth access token", "ya29.", run(b64url, 30, 2048)),
        keyed("gcp-service-account-key-id", "Google service account private key id", names: [["private_key_id"]], run(hex, 40)),
        token("azure-storage-account-key", "Azure storage account key", "AccountKey=", run(b64, 86), lit("==")),
        token("azure-ad-client-secret", "Azure AD client secret", lead: run(ByteSet("a-zA-Z0-9_~."), 4, 4), infix: "Q~", run(ByteSet("a-zA-Z0-9_~.-"), 31, 34)),
        token(
            "azure-sas-token", "Azure shared access signature", prefixes: ["sig=", "Signature="], run(ByteSet("a-zA-Z0-9%+/"), 40, 90), any("%3D", "%3d", "=")),
        keyed(
            "azure-devops-pat", "Azure DevOps personal access token", names: [["azure", "token"], ["ado", "pat"], ["devops", "token"], ["azure", "pat"]],
            run(ByteSet("a-z2-7"), 52)),
        token("digitalocean-pat", "DigitalOcean personal access token", "dop_v1_", run(hex, 64)),
        token("digitalocean-oauth-token", "DigitalOcean OAuth token", "doo_v1_", run(hex, 64)),
        token("digitalocean-refresh-token", "DigitalOcean refresh token", "dor_v1_", run(hex, 64)),
        token("alibaba-access-key-id", "Alibaba Cloud access key id", "LTAI", run(alnum, 20)),
        keyed("alibaba-secret-key", "Alibaba Cloud access key secret", names: [["alibaba", "secret"], ["aliyun", "secret"]], run(alnum, 30)),
        keyed(
            "heroku-api-key", "Heroku API key", names: [["heroku", "key"], ["heroku", "token"]], anyUUID[0], anyUUID[1], anyUUID[2], anyUUID[3], anyUUID[4],
            anyUUID[5], anyUUID[6], anyUUID[7], anyUUID[8]),
        token("heroku-api-key-v2", "Heroku API key", "HRKU-AA", run(b64url, 58)),
        keyed(
            "cloudflare-api-token", "Cloudflare API token", names: [["cloudflare", "token"], ["cf_api_token"], ["cloudflare", "key"]], run(b64url, 37, 40)),
        token("cloudflare-origin-ca-key", "Cloudflare Origin CA key", "v1.0-", run(hex, 24), lit("-"), run(hex, 146)),
        keyed("fastly-api-token", "Fastly API token", names: [["fastly", "token"], ["fastly", "key"]], run(b64url, 32)),
        token("hashicorp-vault-service-token", "HashiCorp Vault service token", "hvs.", run(b64url, 90, 120)),
        token("hashicorp-vault-batch-token", "HashiCorp Vault batch token", "hvb.", run(b64url, 138, 300)),
        token("terraform-cloud-token", "Terraform Cloud API token", lead: run(alnum, 14, 14), infix: ".atlasv1.", run(ByteSet("a-zA-Z0-9_=-"), 60, 70)),
        token("pulumi-access-token", "Pulumi access token", "pul-", run(hex, 40)),
        token("doppler-token", "Doppler token", prefixes: ["dp.pt.", "dp.st.", "dp.ct.", "dp.sa.", "dp.scim.", "dp.audit."], run(alnum, 40, 44)),
        token("databricks-token", "Databricks access token", "dapi", run(hex, 32)),
        token("planetscale-token", "PlanetScale token", prefixes: ["pscale_tkn_", "pscale_pw_", "pscale_oauth_"], run(ByteSet("a-zA-Z0-9_.-"), 32, 64)),
        token("supabase-access-token", "Supabase access token", "sbp_", run(hex, 40)),
        token("supabase-secret-key", "Supabase secret key", "sb_secret_", run(b64url, 30, 40)),
        token("flyio-access-token", "Fly.io access token", prefixes: ["fo1_", "fm1r_", "fm2_"], run(ByteSet("a-zA-Z0-9_+/=-"), 43, 1024)),
        token("openshift-user-token", "OpenShift user token", "sha256~", run(b64url, 43)),
        token(
            "tailscale-key", "Tailscale key", prefixes: ["tskey-api-", "tskey-auth-", "tskey-client-", "tskey-scim-", "tskey-webhook-"], run(alnum, 8, 20),
            lit("-"), run(alnum, 20, 40)),
        token("yandex-api-key", "Yandex Cloud API key", "AQVN", run(b64url, 35, 38)),
        token("yandex-iam-token", "Yandex Cloud IAM token", "t1.", run(ByteSet("A-Z0-9a-z_-"), 80, 120), any("=", "")),
        keyed(
            "scaleway-secret-key", "Scaleway secret key", names: [["scw", "secret"], ["scaleway", "secret"]], uuid[0], uuid[1], uuid[2], uuid[3], uuid[4],
            uuid[5], uuid[6], uuid[7], uuid[8]),
        keyed("vercel-token", "Vercel access token", names: [["vercel", "token"]], run(alnum, 24)),
        keyed("netlify-token", "Netlify access token", names: [["netlify", "token"]], run(b64url, 40, 46)),
        token("infracost-api-key", "Infracost API key", "ico-", run(alnum, 32)),
        token("octopus-deploy-api-key", "Octopus Deploy API key", "API-", run(upper, 26)),
        token("harness-pat", "Harness access token", prefixes: ["pat.", "sat."], run(b64url, 22), lit("."), run(hex, 24), lit("."), run(alnum, 20)),
    ]

    // MARK: Source hosting

    static let sourceHosting: [Rule] = [
        token("github-pat", "GitHub personal access token", "ghp_", run(alnum, 36)).checked(crc32Base62),
        token("github-oauth-token", "GitHub OAuth access token", "gho_", run(alnum, 36)).checked(crc32Base62),
        token("github-user-to-server-token", "GitHub user-to-server token", "ghu_", run(alnum, 36)).checked(crc32Base62),
        token("github-server-to-server-token", "GitHub server-to-server token", "ghs_", run(alnum, 36)).checked(crc32Base62),
        token("github-refresh-token", "GitHub refresh token", "ghr_", run(alnum, 36, 76)),
        token("github-fine-grained-pat", "GitHub fine-grained personal access token", "github_pat_", run(ByteSet("a-zA-Z0-9_"), 82)),
        token("gitlab-pat", "GitLab personal access token", "glpat-", run(b64url, 20, 64)),
        token("gitlab-pipeline-trigger-token", "GitLab pipeline trigger token", "glptt-", run(hex, 40)),
        token("gitlab-runner-registration-token", "GitLab runner registration token", "GR1348941", run(b64url, 20)),
        token("gitlab-runner-token", "GitLab runner authentication token", "glrt-", run(b64url, 20, 64)),
        token("gitlab-deploy-token", "GitLab deploy token", "gldt-", run(b64url, 20)),
        token("gitlab-feed-token", "GitLab feed token", "glft-", run(b64url, 20)),
        token("gitlab-scim-token", "GitLab SCIM token", "glsoat-", run(b64url, 20)),
        token("gitlab-oauth-app-secret", "GitLab OAuth application secret", "gloas-", run(b64url, 64)),
        token("gitlab-incoming-mail-token", "GitLab incoming mail token", "glimt-", run(b64url, 25)),
        token("gitlab-agent-token", "GitLab agent token", "glagent-", run(b64url, 50)),
        token("gitlab-ci-job-token", "GitLab CI/CD job token", "glcbt-", run(alnum, 1, 5), lit("_"), run(b64url, 20)),
        token("atlassian-api-token", "Atlassian API token", "ATATT3", run(ByteSet("a-zA-Z0-9_=-"), 150, 250)),
        token("bitbucket-app-password", "Bitbucket app password", "ATBB", run(alnum, 32)),
        token("gitea-token", "Gitea access token", "gta_", run(hex, 40)),
    ]

    // MARK: Packages, builds, deployment

    static let packagesAndBuild: [Rule] = [
        token("npm-token", "npm access token", "npm_", run(alnum, 36)).checked(crc32Base62),
        token("pypi-token", "PyPI upload token", "pypi-AgEIcHlwaS5vcmc", run(b64url, 50, 2048)),
        token("pypi-test-token", "TestPyPI upload token", "pypi-AgENdGVzdC5weXBpLm9yZw", run(b64url, 50, 2048)),
        token("rubygems-api-key", "RubyGems API key", "rubygems_", run(hex, 48)),
        token("nuget-api-key", "NuGet API key", "oy2", run(ByteSet("a-z0-9"), 43)),
        token("dockerhub-pat", "Docker Hub personal access token", "dckr_pat_", run(b64url, 27)),
        token("dockerhub-oat", "Docker Hub organisation access token", "dckr_oat_", run(b64url, 32)),
        token("clojars-token", "Clojars deploy token", "CLOJARS_", run(lowerAlnum, 60)),
        token("crates-io-token", "crates.io API token", "cio", run(alnum, 32)),
        token("jfrog-api-key", "JFrog Artifactory API key", "AKCp", run(alnum, 69)),
        token("sonarqube-token", "SonarQube token", prefixes: ["sqp_", "squ_", "sqa_"], run(hex, 40)),
        token("postman-api-key", "Postman API key", "PMAK-", run(hex, 24), lit("-"), run(hex, 34)),
        token("circleci-pat", "CircleCI personal API token", "CCIPAT_", run(alnum, 22), lit("_"), run(hex, 40)),
        token("buildkite-token", "Buildkite API token", "bkua_", run(hex, 40)),
        token("prefect-api-key", "Prefect API key", "pnu_", run(alnum, 36)),
        token("readme-api-key", "ReadMe API key", "rdme_", run(lowerAlnum, 70)),
        token("scalingo-token", "Scalingo API token", "tk-us-", run(b64url, 48)),
        token("snyk-token", "Snyk API token", "snyk_", run(b64url, 30, 80)),
        keyed(
            "snyk-legacy-token", "Snyk API token", names: [["snyk", "token"], ["snyk", "key"]], uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6],
            uuid[7], uuid[8]),
        keyed("npmrc-auth-token", "npm registry auth token", names: [["_authtoken"]], run(ByteSet("a-zA-Z0-9_+/=-"), 20, 200)),
    ]

    // MARK: Observability

    static let observability: [Rule] = [
        token("newrelic-user-api-key", "New Relic user API key", "NRAK-", run(upper, 27)),
        token("newrelic-insert-key", "New Relic insights insert key", "NRII-", run(b64url, 32)),
        token("newrelic-browser-key", "New Relic browser API key", "NRJS-", run(hex, 19)),
        keyed("datadog-api-key", "Datadog API key", names: [["datadog", "key"], ["dd_api_key"], ["dd_app_key"], ["datadog", "token"]], run(hex, 32, 40)),
        token("sentry-org-token", "Sentry organisation token", "sntrys_eyJ", run(ByteSet("a-zA-Z0-9+/=_"), 60, 400)),
        token("sentry-user-token", "Sentry user token", "sntryu_", run(hex, 64)),
        token("grafana-cloud-token", "Grafana Cloud API token", "glc_", run(ByteSet("a-zA-Z0-9+/"), 32, 400), any("==", "=", "")),
        token("grafana-service-account-token", "Grafana service account token", "glsa_", run(alnum, 32), lit("_"), run(hex, 8)),
        token("dynatrace-token", "Dynatrace API token", "dt0c01.", run(upper, 24), lit("."), run(upper, 64)),
        token("langsmith-key", "LangSmith API key", prefixes: ["lsv2_pt_", "lsv2_sk_"], run(hex, 32), lit("_"), run(hex, 10)),
        keyed("honeycomb-api-key", "Honeycomb API key", names: [["honeycomb", "key"]], run(alnum, 22, 32)),
        keyed("pagerduty-api-key", "PagerDuty API key", names: [["pagerduty", "key"], ["pagerduty", "token"]], run(ByteSet("a-zA-Z0-9_+-"), 20)),
    ]

    // MARK: Chat

    static let chat: [Rule] = [
        token("slack-bot-token", "Slack bot token", "xoxb-", run(digits, 10, 13), lit("-"), run(digits, 10, 13), lit("-"), run(alnum, 24)),
        token(
            "slack-user-token", "Slack user token", "xoxp-", run(digits, 10, 13), lit("-"), run(digits, 10, 13), lit("-"), run(digits, 10, 13), lit("-"),
            run(hex, 32)),
        token(
            "slack-app-token", "Slack app-level token", "xapp-", run(digits, 1), lit("-"), run(upper, 9, 12), lit("-"), run(digits, 10, 13), lit("-"),
            run(hex, 64)),
        token("slack-config-token", "Slack configuration token", prefixes: ["xoxe.xoxp-", "xoxe.xoxb-"], run(digits, 1), lit("-"), run(upper, 160, 170)),
        token("slack-refresh-token", "Slack configuration refresh token", "xoxe-", run(digits, 1), lit("-"), run(upper, 140, 150)),
        token("slack-legacy-token", "Slack legacy token", prefixes: ["xoxa-", "xoxo-", "xoxs-", "xoxr-"], run(ByteSet("0-9a-zA-Z-"), 20, 100)),
        token(
            "slack-webhook-url", "Slack incoming webhook URL", "hooks.slack.com/services/", run(upper, 8, 12), lit("/"), run(upper, 8, 12), lit("/"),
            run(alnum, 24)),
        token(
            "slack-workflow-webhook-url", "Slack workflow webhook URL", prefixes: ["hooks.slack.com/workflows/", "hooks.slack.com/triggers/"],
            run(upper, 8, 12), lit("/"), run(digits, 8, 20), lit("/"), run(alnum, 24, 40)),
        token(
            "discord-webhook-url", "Discord webhook URL", prefixes: ["discord.com/api/webhooks/", "discordapp.com/api/webhooks/"], run(digits, 17, 20),
            lit("/"), run(b64url, 60, 70)),
        keyed(
            "discord-bot-token", "Discord bot token", names: [["discord", "token"]], run(b64url, 24, 26), lit("."), run(b64url, 6), lit("."),
            run(b64url, 27, 38)),
        token("telegram-bot-token", "Telegram bot token", lead: run(digits, 8, 10), infix: ":AA", run(b64url, 33)),
        token(
            "teams-webhook-url", "Microsoft Teams incoming webhook URL", ".webhook.office.com/webhookb2/", anyUUID[0], anyUUID[1], anyUUID[2], anyUUID[3],
            anyUUID[4], anyUUID[5], anyUUID[6], anyUUID[7], anyUUID[8], lit("@"), run(ByteSet("a-fA-F0-9-"), 36), lit("/IncomingWebhook/"), run(alnum, 32),
            lit("/"), run(ByteSet("a-fA-F0-9-"), 36)),
        token("twitter-bearer-token", "Twitter/X bearer token", "AAAAAAAAAAAAAAAAAAAAA", run(ByteSet("a-zA-Z0-9%"), 60, 120)),
        token("facebook-access-token", "Facebook access token", "EAACEdEose0cBA", run(alnum, 20, 300)),
        keyed("facebook-app-secret", "Facebook app secret", names: [["facebook", "secret"], ["fb_app_secret"]], run(hex, 32)),
        keyed("twitch-client-secret", "Twitch client secret", names: [["twitch", "secret"], ["twitch", "token"]], run(lowerAlnum, 30)),
        keyed("mattermost-token", "Mattermost access token", names: [["mattermost", "token"]], run(lowerAlnum, 26)),
    ]

    // MARK: Payments

    static let payments: [Rule] = [
        token("stripe-secret-key", "Stripe secret key", prefixes: ["sk_live_", "sk_test_"], run(alnum, 24, 247)),
        token("stripe-restricted-key", "Stripe restricted key", prefixes: ["rk_live_", "rk_test_"], run(alnum, 24, 247)),
        token("stripe-webhook-secret", "Stripe webhook signing secret", "whsec_", run(alnum, 32, 64)),
        token("square-access-token", "Square access token", "EAAA", run(b64url, 60)),
        token("square-legacy-access-token", "Square legacy access token", "sq0atp-", run(b64url, 22)),
        token("square-oauth-secret", "Square OAuth secret", "sq0csp-", run(b64url, 43)),
        token("braintree-access-token", "PayPal Braintree access token", "access_token$production$", run(lowerAlnum, 16), lit("$"), run(hex, 32)),
        token(
            "plaid-access-token", "Plaid access token", prefixes: ["access-production-", "access-development-", "access-sandbox-"], uuid[0], uuid[1], uuid[2],
            uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8]),
        token("razorpay-key", "Razorpay key", "rzp_live_", run(alnum, 14)),
        token("flutterwave-secret-key", "Flutterwave secret key", prefixes: ["FLWSECK-", "FLWSECK_TEST-"], run(hex, 32), lit("-X")),
        token("shippo-api-token", "Shippo API token", prefixes: ["shippo_live_", "shippo_test_"], run(hex, 40)),
        token("easypost-api-key", "EasyPost API key", "EZAK", run(alnum, 54)),
        token("duffel-api-token", "Duffel API token", prefixes: ["duffel_test_", "duffel_live_"], run(ByteSet("a-zA-Z0-9_=-"), 43)),
        keyed("gocardless-api-token", "GoCardless access token", names: [["gocardless", "token"]], any("live_", "sandbox_"), run(ByteSet("a-zA-Z0-9_=-"), 40)),
        keyed("adyen-api-key", "Adyen API key", names: [["adyen", "key"]], lit("AQE"), run(ByteSet("a-zA-Z0-9+/=_-"), 60, 400)),
        token("shopify-access-token", "Shopify access token", prefixes: ["shpat_", "shpca_", "shppa_"], run(anyHex, 32)),
        token("shopify-shared-secret", "Shopify shared secret", "shpss_", run(anyHex, 32)),
        token(
            "coinbase-key", "Coinbase API key", "organizations/", uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8],
            lit("/apiKeys/"), uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8]),
    ]

    // MARK: Mail and messaging

    static let mail: [Rule] = [
        token("sendgrid-api-key", "SendGrid API key", "SG.", run(b64url, 22), lit("."), run(b64url, 43)),
        token("mailgun-api-key", "Mailgun API key", "key-", run(hex, 32)),
        token("mailchimp-api-key", "Mailchimp API key", lead: run(hex, 32, 32), infix: "-us", run(digits, 1, 2)),
        token("brevo-api-key", "Brevo (Sendinblue) API key", "xkeysib-", run(hex, 64), lit("-"), run(alnum, 16)),
        token("resend-api-key", "Resend API key", "re_", run(alnum, 8), lit("_"), run(b64url, 24)),
        keyed(
            "postmark-server-token", "Postmark server token", names: [["postmark", "token"], ["postmark", "key"]], uuid[0], uuid[1], uuid[2], uuid[3], uuid[4],
            uuid[5], uuid[6], uuid[7], uuid[8]),
        keyed("twilio-api-key", "Twilio API key secret", names: [["twilio", "secret"], ["twilio", "token"], ["twilio", "key"]], run(alnum, 32)),
        token("twilio-api-key-sid", "Twilio API key SID", "SK", run(hex, 32)),
        keyed("mailjet-secret-key", "Mailjet secret key", names: [["mailjet", "secret"], ["mj_apikey_private"]], run(hex, 32)),
        keyed("sparkpost-api-key", "SparkPost API key", names: [["sparkpost", "key"]], run(hex, 40)),
        token("mailersend-token", "MailerSend API token", "mlsn.", run(hex, 64)),
    ]

    // MARK: AI providers

    static let artificialIntelligence: [Rule] = [
        token("openai-project-key", "OpenAI project API key", prefixes: ["sk-proj-", "sk-svcacct-", "sk-admin-"], run(b64url, 40, 200)),
        token("openai-legacy-key", "OpenAI API key", lead: .run(ByteSet("a-zA-Z0-9"), min: 20, max: 23), infix: "T3BlbkFJ", run(alnum, 20)),
        token("anthropic-api-key", "Anthropic API key", "sk-ant-api03-", run(b64url, 93), lit("AA")),
        token("anthropic-admin-key", "Anthropic admin key", "sk-ant-admin01-", run(b64url, 93), lit("AA")),
        token("groq-api-key", "Groq API key", "gsk_", run(alnum, 52)),
        token("replicate-api-token", "Replicate API token", "r8_", run(alnum, 37)),
        token("perplexity-api-key", "Perplexity API key", "pplx-", run(alnum, 48)),
        token("xai-api-key", "xAI API key", "xai-", run(alnum, 80)),
        token("huggingface-token", "Hugging Face access token", "hf_", run(ByteSet.letters, 34)),
        token("huggingface-org-token", "Hugging Face organisation token", "api_org_", run(ByteSet.letters, 34)),
        keyed("cohere-api-key", "Cohere API key", names: [["cohere", "key"], ["co_api_key"]], run(alnum, 40)),
        keyed("mistral-api-key", "Mistral API key", names: [["mistral", "key"]], run(alnum, 32)),
    ]

    // MARK: Productivity and SaaS

    static let productivity: [Rule] = [
        token("linear-api-key", "Linear API key", "lin_api_", run(alnum, 40)),
        token("notion-integration-token", "Notion integration token", "ntn_", run(digits, 11), run(alnum, 35)),
        token("notion-legacy-token", "Notion integration token", "secret_", run(alnum, 43)),
        token("airtable-pat", "Airtable personal access token", "pat", run(alnum, 14), lit("."), run(hex, 64)),
        token("figma-pat", "Figma personal access token", "figd_", run(b64url, 40)),
        token("contentful-pat", "Contentful personal access token", "CFPAT-", run(b64url, 43)),
        token("typeform-token", "Typeform personal token", "tfp_", run(ByteSet("a-zA-Z0-9_.-"), 44, 60)),
        token("frameio-token", "Frame.io API token", "fio-u-", run(ByteSet("a-zA-Z0-9_=-"), 64)),
        token("dropbox-access-token", "Dropbox short-lived access token", "sl.", run(ByteSet("a-zA-Z0-9_=-"), 130, 160)),
        token("mapbox-secret-token", "Mapbox secret token", "sk.eyJ", run(b64url, 50, 400), lit("."), run(b64url, 20, 40)),
        token("adafruit-io-key", "Adafruit IO key", "aio_", run(alnum, 28)),
        token("onepassword-service-account-token", "1Password service account token", "ops_eyJ", run(ByteSet("a-zA-Z0-9+/=_-"), 250, 2048)),
        token(
            "onepassword-secret-key", "1Password account secret key", "A3-", run(upper, 6), lit("-"), run(upper, 11), lit("-"), run(upper, 5), lit("-"),
            run(upper, 5), lit("-"), run(upper, 5)),
        token("age-secret-key", "age secret key", "AGE-SECRET-KEY-1", run(ByteSet("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"), 58)),
        keyed("algolia-admin-key", "Algolia admin API key", names: [["algolia", "key"]], run(hex, 32)),
        keyed("okta-api-token", "Okta API token", names: [["okta", "token"], ["okta", "key"]], lit("00"), run(b64url, 40)),
        keyed("auth0-client-secret", "Auth0 client secret", names: [["auth0", "secret"]], run(b64url, 64)),
        keyed("zendesk-api-token", "Zendesk API token", names: [["zendesk", "token"]], run(alnum, 40)),
        keyed("asana-pat", "Asana personal access token", names: [["asana", "token"]], run(digits, 1), lit("/"), run(digits, 10, 20), lit(":"), run(hex, 32)),
        keyed("intercom-access-token", "Intercom access token", names: [["intercom", "token"]], run(b64url, 59, 60), lit("=")),
        keyed(
            "launchdarkly-key", "LaunchDarkly key", names: [["launchdarkly", "key"], ["ld_sdk_key"]], any("api-", "sdk-"), uuid[0], uuid[1], uuid[2], uuid[3],
            uuid[4], uuid[5], uuid[6], uuid[7], uuid[8]),
        keyed("ngrok-authtoken", "ngrok auth token", names: [["ngrok", "token"]], run(alnum, 27), lit("_"), run(alnum, 21)),
        keyed("trello-token", "Trello token", names: [["trello", "token"]], lit("ATTA"), run(alnum, 60, 70)),
    ]

    // MARK: Keys, tokens and structures

    static let keysAndStructures: [Rule] = [
        Rule(id: "private-key-block", title: "private key", keywords: ["-----begin "], detector: .custom(Detectors.privateKeyBlock), priority: 1),
        token("putty-private-key", "PuTTY private key", "PuTTY-User-Key-File-", run(digits, 1), lit(": "), run(ByteSet("a-z0-9-"), 7, 32)),
        token("journey-private-key", "journey private key", PrivateKey.textPrefix, run(b64url, 43)),
        token("jwt", "JSON Web Token", "eyJ", run(b64url, 10, 8192), lit("."), lit("eyJ"), run(b64url, 10, 16384), lit("."), run(b64url, 16, 8192)),
        Rule(id: "url-password", title: "password in a URL", keywords: ["://"], detector: .custom(Detectors.urlPassword), priority: 2),
        Rule(
            id: "connection-string-password", title: "password in a connection string", keywords: ["password=", "pwd="],
            detector: .custom(Detectors.connectionStringPassword), priority: 2),
        Rule(id: "authorization-bearer", title: "bearer token", keywords: ["bearer "], detector: .custom(Detectors.bearerToken), priority: 3),
        Rule(id: "authorization-basic", title: "HTTP basic credentials", keywords: ["basic "], detector: .custom(Detectors.basicCredentials), priority: 3),
    ]

    // MARK: The long tail

    /// More providers, each from its documented key format (prefix, length, alphabet); those
    /// without a fixed prefix are found by the name they are assigned to.
    static let longTail: [Rule] = [
        token("adobe-client-secret", "Adobe client secret", "p8e-", run(alnum, 32)),
        token("sourcegraph-access-token", "Sourcegraph access token", "sgp_", run(ByteSet("a-f0-9_"), 40, 57)),
        token("defined-networking-api-key", "Defined Networking API key", "dnkey-", run(ByteSet("a-z0-9=_-"), 26), lit("-"), run(ByteSet("a-z0-9=_-"), 52)),
        keyed(
            "codecov-token", "Codecov upload token", names: [["codecov", "token"]], uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7],
            uuid[8]),
        keyed("confluent-api-secret", "Confluent Cloud API secret", names: [["confluent", "secret"]], run(b64, 64)),
        keyed("drone-ci-token", "Drone CI access token", names: [["drone", "token"]], run(alnum, 32)),
        keyed("etsy-api-key", "Etsy API key", names: [["etsy", "key"]], run(lowerAlnum, 24)),
        keyed("finnhub-api-key", "Finnhub API key", names: [["finnhub", "key"], ["finnhub", "token"]], run(lowerAlnum, 20)),
        keyed("flickr-api-key", "Flickr API key", names: [["flickr", "key"], ["flickr", "secret"]], run(hex, 32)),
        keyed("freshbooks-token", "FreshBooks access token", names: [["freshbooks", "token"]], run(lowerAlnum, 64)),
        keyed("gitter-token", "Gitter access token", names: [["gitter", "token"]], run(hex, 40)),
        token(
            "hubspot-private-app-token", "HubSpot private app token", prefixes: ["pat-na1-", "pat-na2-", "pat-na3-", "pat-eu1-", "pat-ap1-"], uuid[0], uuid[1],
            uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8]),
        keyed(
            "hubspot-api-key", "HubSpot API key", names: [["hubspot", "key"], ["hapikey"]], uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6],
            uuid[7], uuid[8]),
        keyed("kraken-api-key", "Kraken API secret", names: [["kraken", "secret"], ["kraken", "key"]], run(b64, 80, 90), any("==", "=", "")),
        keyed(
            "kucoin-secret", "KuCoin API secret", names: [["kucoin", "secret"]], uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8]
        ),
        keyed("linkedin-client-secret", "LinkedIn client secret", names: [["linkedin", "secret"]], run(alnum, 16)),
        keyed("lob-api-key", "Lob API key", names: [["lob_api_key"], ["lob_key"]], any("live_", "test_"), run(hex, 35)),
        keyed("messagebird-api-key", "MessageBird API key", names: [["messagebird", "key"], ["message_bird", "key"]], run(alnum, 25)),
        keyed("nytimes-api-key", "New York Times API key", names: [["nytimes", "key"]], run(alnum, 32)),
        keyed("rapidapi-key", "RapidAPI key", names: [["rapidapi", "key"]], run(b64url, 50)),
        keyed("sendbird-token", "Sendbird API token", names: [["sendbird", "token"]], run(hex, 40)),
        keyed("sumologic-access-key", "Sumo Logic access key", names: [["sumo", "key"]], run(alnum, 64)),
        keyed("travisci-token", "Travis CI token", names: [["travis", "token"]], run(b64url, 22)),
        keyed("bittrex-api-key", "Bittrex API key", names: [["bittrex", "key"], ["bittrex", "secret"]], run(alnum, 32)),
        keyed("beamer-api-token", "Beamer API key", names: [["beamer", "key"], ["beamer", "token"]], lit("b_"), run(ByteSet("a-zA-Z0-9=_-"), 44)),
        token("intra42-client-secret", "42 Intra client secret", prefixes: ["s-s4t2ud-", "s-s4t2af-"], run(hex, 64)),
        token("settlemint-token", "SettleMint token", prefixes: ["sm_pat_", "sm_aat_", "sm_sat_"], run(alnum, 16)),
        token("maxmind-license-key", "MaxMind license key", lead: run(ByteSet("a-zA-Z0-9_"), 36, 36), infix: "_mmk"),
        keyed("meraki-api-key", "Cisco Meraki API key", names: [["meraki", "key"]], run(hex, 40)),
        keyed("looker-client-secret", "Looker client secret", names: [["looker", "secret"]], run(alnum, 24)),
        keyed("azure-openai-key", "Azure OpenAI key", names: [["azure", "openai", "key"], ["azure", "cognitive", "key"]], run(anyHex, 32)),
        token("newrelic-license-key", "New Relic license key", lead: run(ByteSet("a-fA-F0-9"), 36, 36), infix: "NRAL"),
        keyed("segment-write-key", "Segment write key", names: [["segment_write_key"], ["segmentwritekey"]], run(alnum, 32)),
        keyed("mixpanel-api-secret", "Mixpanel API secret", names: [["mixpanel", "secret"]], run(hex, 32)),
        keyed("bugsnag-api-key", "Bugsnag API key", names: [["bugsnag", "key"]], run(hex, 32)),
        keyed("rollbar-access-token", "Rollbar access token", names: [["rollbar", "token"]], run(hex, 32)),
        keyed(
            "splunk-hec-token", "Splunk HTTP Event Collector token", names: [["splunk", "token"], ["hec_token"]], uuid[0], uuid[1], uuid[2], uuid[3], uuid[4],
            uuid[5], uuid[6], uuid[7], uuid[8]),
        keyed(
            "opsgenie-api-key", "Opsgenie API key", names: [["opsgenie", "key"]], uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7],
            uuid[8]),
        token("render-api-key", "Render API key", "rnd_", run(alnum, 32)),
        keyed("linode-token", "Linode personal access token", names: [["linode", "token"]], run(hex, 64)),
        keyed("vultr-api-key", "Vultr API key", names: [["vultr", "key"]], run(upper, 36)),
        keyed("hetzner-token", "Hetzner Cloud API token", names: [["hcloud", "token"], ["hetzner", "token"]], run(alnum, 64)),
        keyed("ibm-cloud-api-key", "IBM Cloud API key", names: [["ibm", "key"]], run(b64url, 44)),
        keyed("plivo-auth-token", "Plivo auth token", names: [["plivo", "token"]], run(alnum, 40)),
        keyed("vonage-api-secret", "Vonage (Nexmo) API secret", names: [["nexmo", "secret"], ["vonage", "secret"]], run(alnum, 16)),
        keyed("mandrill-api-key", "Mandrill API key", names: [["mandrill", "key"]], run(b64url, 22)),
        keyed("pusher-secret", "Pusher app secret", names: [["pusher", "secret"]], run(hex, 20)),
        keyed("sanity-token", "Sanity API token", names: [["sanity", "token"]], lit("sk"), run(alnum, 60, 200)),
        token("woocommerce-key", "WooCommerce REST API key", prefixes: ["ck_", "cs_"], run(hex, 40)),
        keyed("paypal-client-secret", "PayPal client secret", names: [["paypal", "secret"]], run(b64url, 80)),
        keyed("mollie-api-key", "Mollie API key", names: [["mollie", "key"]], any("live_", "test_"), run(alnum, 30)),
        keyed("binance-api-secret", "Binance API secret", names: [["binance", "secret"], ["binance", "key"]], run(alnum, 64)),
        keyed("infura-api-key", "Infura API key", names: [["infura", "key"], ["infura", "secret"]], run(hex, 32)),
        keyed("etherscan-api-key", "Etherscan API key", names: [["etherscan", "key"]], run(upper, 34)),
        token("firebase-cloud-messaging-key", "Firebase Cloud Messaging server key", lead: run(b64url, 11, 11), infix: ":APA91b", run(b64url, 130, 150)),
        token("azure-shared-access-key", "Azure Service Bus / Event Hubs shared access key", "SharedAccessKey=", run(b64, 43), lit("=")),
        token("clickup-api-token", "ClickUp personal API token", "pk_", run(digits, 6, 10), lit("_"), run(upper, 32)),
        keyed("twitter-api-secret", "Twitter/X API secret", names: [["twitter", "secret"], ["twitter", "consumer", "key"]], run(alnum, 25, 50)),
        token("pinecone-api-key", "Pinecone API key", "pcsk_", run(ByteSet("a-zA-Z0-9_"), 60, 80)),
        token("openrouter-api-key", "OpenRouter API key", "sk-or-v1-", run(hex, 64)),
        keyed("deepseek-api-key", "DeepSeek API key", names: [["deepseek", "key"]], lit("sk-"), run(hex, 32)),
        token("fireworks-api-key", "Fireworks AI API key", "fw_", run(alnum, 24)),
        keyed("elevenlabs-api-key", "ElevenLabs API key", names: [["elevenlabs", "key"], ["xi-api-key"], ["xi_api_key"]], lit("sk_"), run(hex, 48)),
        keyed("wandb-api-key", "Weights & Biases API key", names: [["wandb", "key"]], run(hex, 40)),
        token("jfrog-reference-token", "JFrog Artifactory reference token", "cmVmdGtuOjAxOj", run(alnum, 50, 60)),
        token("teamcity-token", "TeamCity access token", "eyJ0eXAiOiAiVENWMiJ9.", run(b64url, 36), lit("."), run(b64url, 48)),
        keyed("jenkins-api-token", "Jenkins API token", names: [["jenkins", "token"]], run(hex, 32, 34)),
        keyed("quay-robot-token", "Quay robot token", names: [["quay", "token"], ["quay", "password"]], run(upper, 64)),
        keyed("vault-legacy-token", "HashiCorp Vault token (legacy format)", names: [["vault", "token"]], lit("s."), run(alnum, 24)),
        keyed(
            "consul-acl-token", "Consul ACL token", names: [["consul", "token"]], uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7],
            uuid[8]),
        token("grafana-api-key", "Grafana API key (legacy)", "eyJrIjoi", run(b64url, 70, 400), any("==", "=", "")),
        token("zapier-webhook-url", "Zapier webhook URL", "hooks.zapier.com/hooks/catch/", run(digits, 5, 10), lit("/"), run(alnum, 6, 8)),
        keyed("zulip-api-key", "Zulip API key", names: [["zulip", "key"]], run(alnum, 32)),
        keyed("airtable-legacy-api-key", "Airtable API key (legacy)", names: [["airtable", "key"]], lit("key"), run(alnum, 14)),
        token("neon-api-key", "Neon API key", "napi_", run(lowerAlnum, 64)),
        keyed("upstash-token", "Upstash REST token", names: [["upstash", "token"]], run(ByteSet("a-zA-Z0-9=_-"), 40, 120)),
        token("akamai-client-token", "Akamai EdgeGrid client token", "akab-", run(lowerAlnum, 16), lit("-"), run(lowerAlnum, 16)),
        keyed("steam-api-key", "Steam Web API key", names: [["steam_api_key"], ["steam_web_api_key"]], run(ByteSet("0-9A-F"), 32)),
        token("riot-api-key", "Riot Games API key", "RGAPI-", uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8]),
        keyed("spotify-client-secret", "Spotify client secret", names: [["spotify", "secret"]], run(hex, 32)),
        token("salesforce-access-token", "Salesforce access token", "00D", run(alnum, 12, 15), lit("!"), run(ByteSet("A-Za-z0-9._"), 80, 120)),
        keyed("freshdesk-api-key", "Freshdesk API key", names: [["freshdesk", "key"]], run(alnum, 20)),
        token("klaviyo-private-key", "Klaviyo private API key", "pk_", run(hex, 34)),
        token("onesignal-api-key", "OneSignal API key", "os_v2_app_", run(ByteSet("a-z2-7"), 100, 120)),
        keyed("iterable-api-key", "Iterable API key", names: [["iterable_api_key"]], run(hex, 32)),
        keyed("authorize-net-key", "Authorize.net transaction key", names: [["authorize_transaction_key"], ["authnet_transaction_key"]], run(alnum, 16)),
        keyed("plaid-secret", "Plaid secret", names: [["plaid", "secret"]], run(hex, 30)),
        keyed("bitwarden-client-secret", "Bitwarden API client secret", names: [["bw_clientsecret"], ["bitwarden", "secret"]], run(alnum, 30)),
        keyed("assemblyai-api-key", "AssemblyAI API key", names: [["assemblyai", "key"]], run(hex, 32)),
        keyed("deepgram-api-key", "Deepgram API key", names: [["deepgram", "key"]], run(hex, 40)),
        keyed("together-api-key", "Together AI API key", names: [["together_api_key"]], run(hex, 64)),
        keyed("stability-api-key", "Stability AI API key", names: [["stability_api_key"]], lit("sk-"), run(alnum, 48)),
        keyed(
            "mongodb-atlas-private-key", "MongoDB Atlas private API key", names: [["atlas", "private", "key"]], uuid[0], uuid[1], uuid[2], uuid[3], uuid[4],
            uuid[5], uuid[6], uuid[7], uuid[8]),
        keyed("bigcommerce-token", "BigCommerce access token", names: [["bigcommerce", "token"]], run(lowerAlnum, 31)),
        keyed("ably-api-key", "Ably API key", names: [["ably_api_key"], ["ably_key"]], run(b64url, 6), lit("."), run(b64url, 6), lit(":"), run(b64url, 43)),
        keyed("mailtrap-api-token", "Mailtrap API token", names: [["mailtrap", "token"], ["mailtrap", "key"]], run(hex, 32)),
        keyed("customerio-api-key", "Customer.io API key", names: [["customerio", "key"], ["customer_io", "key"]], run(hex, 20, 32)),
    ]

    // MARK: Command lines and configuration formats

    static func context(_ id: String, _ title: String, _ keywords: [String], _ detect: @escaping @Sendable (UnsafeRawBufferPointer, Int, Int) -> [Match])
        -> Rule
    {
        Rule(id: id, title: title, keywords: keywords, detector: .custom(detect), priority: 3)
    }

    static let commandLinesAndConfig: [Rule] = [
        context("command-line-user-password", "password in a -u/--user option", ["-u", "--user"], ContextDetectors.userOption),
        context("command-line-password", "password in a -p option (mysql, sshpass)", ["-p"], ContextDetectors.passwordShortOption),
        context(
            "command-line-option-secret", "credential in a command-line option",
            [
                "--password", "--passwd", "--pass", "--token", "--api-key", "--apikey", "--api-token", "--secret", "--client-secret", "--access-token",
                "--auth-token", "--private-token", "--access-key", "--secret-key", "--secret-access-key", "--db-password", "--admin-password",
            ], ContextDetectors.longOption),
        context(
            "password-environment-variable", "password in a variable a tool reads (PGPASSWORD, MYSQL_PWD)",
            ["pgpassword=", "mysql_pwd=", "sshpass=", "rediscli_auth=", "pgpassword =", "mysql_pwd ="], ContextDetectors.passwordVariable),
        context(
            "authorization-header", "credential in an HTTP header",
            ["authorization", "x-api-key", "api-key", "x-auth-token", "private-token", "x-access-token", "x-apikey", "apikey", "x-api-token", "x-token"],
            ContextDetectors.credentialHeader),
        context("xml-credential", "credential in an XML setting", credentialWords + ["pass"], ContextDetectors.xmlSetting),
        context("netrc-password", "password in a .netrc entry", ["password"], ContextDetectors.netrcPassword),
        context(
            "encoded-user-password", "base64 of user:password (Docker config.json, .npmrc)", ["\"auth\"", "_auth", "_password"],
            ContextDetectors.encodedUserPassword),
        context("terraform-variable-default", "credential as a Terraform variable's default", ["variable "], ContextDetectors.terraformVariableDefault),
    ]

    // MARK: Generic

    /// Words that mark a name as holding a credential.
    static let credentialWords = [
        "password", "passwd", "passphrase", "pwd", "secret", "token", "api_key", "apikey", "api-key", "access_key", "accesskey",
        "auth_key", "authkey", "private_key", "privatekey", "client_secret", "credential", "signing_key", "encryption_key",
    ]

    static let generic: [Rule] = [
        Rule(
            id: "generic-secret-assignment", title: "credential assigned in code or config", keywords: credentialWords,
            detector: .custom(Detectors.genericAssignment), priority: 4)
    ]

    /// The ids of the journey-aware and file rules, which run outside the keyword engine.
    package static let structuralRules: [(id: String, title: String)] = [
        (JourneyStructure.literalRuleID, "literal credential in a journey"),
        (JourneyStructure.bearerRuleID, "literal bearer token in a journey"),
        (JourneyStructure.envRuleID, "literal credential in a step env"),
        (KnownValues.ruleID, "value of a known secret"),
        (FileRules.unsealedRuleID, "file in secrets/ that is not sealed"),
        (FileRules.localSecretsRuleID, "local secret values file"),
        (FileRules.privateKeyFileRuleID, "private key file"),
    ]
}
