internal import Cmbedtls
import Glibc
import Sealing

/// The TLS client side of an `https` step, with mbedTLS: TLS 1.2 or newer, the server's
/// certificate verified against the system's trusted roots and matched to the host name
/// (which is also sent as SNI). Nothing is sent before the handshake has verified the server.
final class TLSSession {
    private let network = UnsafeMutablePointer<mbedtls_net_context>.allocate(capacity: 1)
    private let entropy = UnsafeMutablePointer<mbedtls_entropy_context>.allocate(capacity: 1)
    private let random = UnsafeMutablePointer<mbedtls_ctr_drbg_context>.allocate(capacity: 1)
    private let configuration = UnsafeMutablePointer<mbedtls_ssl_config>.allocate(capacity: 1)
    private let context = UnsafeMutablePointer<mbedtls_ssl_context>.allocate(capacity: 1)
    private let wait: (Int16) throws(HTTPFailure) -> Void

    /// Handshakes on the connected, non-blocking socket `descriptor`; `wait` polls it until the
    /// exchange's deadline.
    init(descriptor: Int32, host: String, wait: @escaping (Int16) throws(HTTPFailure) -> Void) throws(HTTPFailure) {
        self.wait = wait
        mbedtls_net_init(network)
        network.pointee.fd = descriptor
        mbedtls_entropy_init(entropy)
        mbedtls_ctr_drbg_init(random)
        mbedtls_ssl_config_init(configuration)
        mbedtls_ssl_init(context)

        let anchors = try TrustAnchors.shared.get()
        try check(mbedtls_ctr_drbg_seed(random, mbedtls_entropy_func, entropy, nil, 0), "seeding the random generator")
        try check(
            mbedtls_ssl_config_defaults(configuration, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT),
            "setting up TLS")
        mbedtls_ssl_conf_min_version(configuration, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3)
        mbedtls_ssl_conf_authmode(configuration, MBEDTLS_SSL_VERIFY_REQUIRED)
        mbedtls_ssl_conf_ca_chain(configuration, anchors.chain, nil)
        mbedtls_ssl_conf_rng(configuration, mbedtls_ctr_drbg_random, random)
        try check(mbedtls_ssl_setup(context, configuration), "setting up TLS")
        try check(mbedtls_ssl_set_hostname(context, host), "setting the TLS host name")
        mbedtls_ssl_set_bio(context, network, mbedtls_net_send, mbedtls_net_recv, nil)

        while true {
            let result = mbedtls_ssl_handshake(context)
            if result == 0 { break }
            if try retried(result) { continue }
            if result == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED {
                throw .failed("the server's TLS certificate for '\(host)' is not trusted: \(verificationProblem())")
            }
            throw .failed("the TLS handshake with '\(host)' failed: \(Self.describe(result))")
        }
    }

    deinit {
        mbedtls_ssl_free(context)
        mbedtls_ssl_config_free(configuration)
        mbedtls_ctr_drbg_free(random)
        mbedtls_entropy_free(entropy)
        network.deallocate()
        entropy.deallocate()
        random.deallocate()
        configuration.deallocate()
        context.deallocate()
    }

    /// Sends `message` whole; mbedTLS encrypts it in its own record buffer, which it wipes when freed.
    func write(_ message: SecretBytes) throws(HTTPFailure) {
        var offset = 0
        while offset < message.count {
            let written = message.withUnsafeBytes {
                mbedtls_ssl_write(context, $0.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset, $0.count - offset)
            }
            if written > 0 {
                offset += Int(written)
            } else if try !retried(written) {
                throw .failed("sending the request failed: \(Self.describe(written))")
            }
        }
    }

    /// Reads into `space`; 0 at the end of the stream (a close notify or a plain close).
    func read(into space: UnsafeMutableRawBufferPointer) throws(HTTPFailure) -> Int {
        while true {
            let count = mbedtls_ssl_read(context, space.baseAddress!.assumingMemoryBound(to: UInt8.self), space.count)
            if count >= 0 { return Int(count) }
            if count == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || count == MBEDTLS_ERR_NET_CONN_RESET { return 0 }
            if try !retried(count) { throw .failed("reading the response failed: \(Self.describe(count))") }
        }
    }

    /// Sends a close notify, best effort; the socket belongs to the connection.
    func close() {
        _ = mbedtls_ssl_close_notify(context)
    }

    /// Waits on the socket when mbedTLS asks for more room or more bytes; false for other results.
    private func retried(_ result: Int32) throws(HTTPFailure) -> Bool {
        switch result {
        case MBEDTLS_ERR_SSL_WANT_READ:
            try wait(Int16(POLLIN))
            return true
        case MBEDTLS_ERR_SSL_WANT_WRITE:
            try wait(Int16(POLLOUT))
            return true
        default:
            return false
        }
    }

    private func check(_ result: Int32, _ doing: String) throws(HTTPFailure) {
        if result != 0 { throw .failed("\(doing) failed: \(Self.describe(result))") }
    }

    private func verificationProblem() -> String {
        var text = [CChar](repeating: 0, count: 512)
        _ = mbedtls_x509_crt_verify_info(&text, text.count, "", mbedtls_ssl_get_verify_result(context))
        let lines = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: "\n")
        return lines.map { $0.trimmingPrefix(" ") }.joined(separator: "; ")
    }

    static func describe(_ result: Int32) -> String {
        var text = [CChar](repeating: 0, count: 256)
        mbedtls_strerror(result, &text, text.count)
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The trusted root certificates, read once per process on the first `https` request.
///
/// `SSL_CERT_FILE` (a PEM bundle) or `SSL_CERT_DIR` (a folder of PEM files) as OpenSSL reads
/// them; otherwise the first bundle found where the common Linux distributions keep theirs.
final class TrustAnchors: @unchecked Sendable {
    let chain = UnsafeMutablePointer<mbedtls_x509_crt>.allocate(capacity: 1)

    static let bundlePaths = [
        "/etc/ssl/certs/ca-certificates.crt",  // Debian, Ubuntu, Alpine, Arch
        "/etc/pki/tls/certs/ca-bundle.crt",  // Fedora, RHEL
        "/etc/ssl/ca-bundle.pem",  // openSUSE
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // RHEL 7+
        "/etc/ssl/cert.pem",  // Alpine
    ]

    /// Parsed on first use; a failure is kept and reported by every `https` step.
    static let shared: Result<TrustAnchors, HTTPFailure> = Result { () throws(HTTPFailure) in try TrustAnchors() }

    private init() throws(HTTPFailure) {
        mbedtls_x509_crt_init(chain)
        var loaded: Int32 = -1
        var source = ""
        if let file = Self.variable("SSL_CERT_FILE") {
            source = file
            loaded = mbedtls_x509_crt_parse_file(chain, file)
        } else if let folder = Self.variable("SSL_CERT_DIR") {
            source = folder
            loaded = mbedtls_x509_crt_parse_path(chain, folder)
        } else if let bundle = Self.bundlePaths.first(where: { access($0, R_OK) == 0 }) {
            source = bundle
            loaded = mbedtls_x509_crt_parse_file(chain, bundle)
        } else {
            throw .failed(
                "no trusted root certificates found (looked for \(Self.bundlePaths.joined(separator: ", "))); install ca-certificates or set SSL_CERT_FILE"
            )
        }
        // A positive count means some certificates in the bundle were skipped; the rest serve.
        guard loaded >= 0, chain.pointee.version != 0 else {
            throw .failed("cannot read trusted root certificates from \(source): \(TLSSession.describe(loaded)); set SSL_CERT_FILE to a PEM bundle")
        }
    }

    private static func variable(_ name: String) -> String? {
        guard let value = getenv(name), value.pointee != 0 else { return nil }
        return String(cString: value)
    }
}
