/*
 * Linked only into the self-contained `journey` (make release), with
 *   --wrap=git_libgit2_init --wrap=mbedtls_x509_crt_parse_file
 *   --wrap=mbedtls_ssl_conf_ca_chain --wrap=mbedtls_ssl_setup
 *
 * Debian's libgit2 (built with mbedTLS) parses the whole system CA bundle inside
 * git_libgit2_init: some 50 million instructions, half of a `journey scan --staged`, paid by
 * every command that opens a repository although only an https fetch uses them. These wrappers
 * defer that one parse to the first TLS session libgit2 sets up with that configuration: the
 * same file, parsed into the same certificate chain libgit2 configured, before any handshake.
 * If libgit2 is given another location first (GIT_OPT_SET_SSL_CERT_LOCATIONS), the deferred
 * parse is dropped with the chain libgit2 frees. Other mbedTLS users (journey's HTTP steps)
 * pass straight through.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

int __real_git_libgit2_init(void);
int __real_mbedtls_x509_crt_parse_file(mbedtls_x509_crt *chain, const char *path);
void __real_mbedtls_ssl_conf_ca_chain(mbedtls_ssl_config *conf, mbedtls_x509_crt *chain, mbedtls_x509_crl *crl);
int __real_mbedtls_ssl_setup(mbedtls_ssl_context *ssl, const mbedtls_ssl_config *conf);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int initialising;                    /* inside git_libgit2_init */
static mbedtls_x509_crt *pending_chain;     /* parsed on first use */
static char *pending_path;
static const mbedtls_ssl_config *pending_conf; /* libgit2's configuration holding it */

static void drop_pending(void) {
    free(pending_path);
    pending_path = NULL;
    pending_chain = NULL;
    pending_conf = NULL;
}

int __wrap_git_libgit2_init(void) {
    pthread_mutex_lock(&lock);
    initialising = 1;
    pthread_mutex_unlock(&lock);
    int result = __real_git_libgit2_init();
    pthread_mutex_lock(&lock);
    initialising = 0;
    pthread_mutex_unlock(&lock);
    return result;
}

int __wrap_mbedtls_x509_crt_parse_file(mbedtls_x509_crt *chain, const char *path) {
    pthread_mutex_lock(&lock);
    if (initialising && pending_chain == NULL && path != NULL) {
        char *copy = strdup(path);
        if (copy != NULL) {
            pending_chain = chain;
            pending_path = copy;
            pthread_mutex_unlock(&lock);
            return 0;
        }
    }
    pthread_mutex_unlock(&lock);
    return __real_mbedtls_x509_crt_parse_file(chain, path);
}

void __wrap_mbedtls_ssl_conf_ca_chain(mbedtls_ssl_config *conf, mbedtls_x509_crt *chain, mbedtls_x509_crl *crl) {
    pthread_mutex_lock(&lock);
    if (pending_chain != NULL) {
        if (chain == pending_chain && pending_conf == NULL) {
            pending_conf = conf;
        } else if (conf == pending_conf && chain != pending_chain) {
            drop_pending(); /* libgit2 replaces the chain and frees the deferred one */
        }
    }
    pthread_mutex_unlock(&lock);
    __real_mbedtls_ssl_conf_ca_chain(conf, chain, crl);
}

int __wrap_mbedtls_ssl_setup(mbedtls_ssl_context *ssl, const mbedtls_ssl_config *conf) {
    pthread_mutex_lock(&lock);
    if (pending_chain != NULL && conf == pending_conf) {
        /* As libgit2 would have: a bundle with some unparsable entries still serves. */
        (void)__real_mbedtls_x509_crt_parse_file(pending_chain, pending_path);
        drop_pending();
    }
    pthread_mutex_unlock(&lock);
    return __real_mbedtls_ssl_setup(ssl, conf);
}
