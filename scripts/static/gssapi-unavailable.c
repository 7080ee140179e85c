/*
 * Linked only into the self-contained `journey` (make release): Debian's libgit2.a calls
 * GSSAPI for Kerberos ("Negotiate") HTTP authentication, and Debian ships no static Kerberos
 * library. journey never offers Negotiate credentials (a runner authenticates with a token in
 * the URL or a local path), so these entry points report GSS_S_UNAVAILABLE and libgit2 fails
 * that one authentication scheme with an error, as it does when GSSAPI has no mechanism.
 * Signatures follow RFC 2744; the types are reduced to what the calling convention sees.
 */
#include <stddef.h>
#include <stdint.h>

typedef uint32_t OM_uint32;
#define GSS_S_UNAVAILABLE (16u << 16)

static const struct { OM_uint32 length; void *elements; } no_oid = {0, NULL};
const void *GSS_C_NT_HOSTBASED_SERVICE = &no_oid;

static OM_uint32 unavailable(OM_uint32 *minor) {
    if (minor) *minor = 0;
    return GSS_S_UNAVAILABLE;
}

OM_uint32 gss_indicate_mechs(OM_uint32 *minor, void **mechs) {
    if (mechs) *mechs = NULL;
    return unavailable(minor);
}
OM_uint32 gss_import_name(OM_uint32 *minor, const void *buffer, const void *type, void **name) {
    (void)buffer; (void)type;
    if (name) *name = NULL;
    return unavailable(minor);
}
OM_uint32 gss_init_sec_context(OM_uint32 *minor, const void *cred, void **context, const void *target, const void *mech,
                               OM_uint32 flags, OM_uint32 time, const void *bindings, const void *input, void **actual_mech,
                               void *output, OM_uint32 *returned_flags, OM_uint32 *returned_time) {
    (void)cred; (void)context; (void)target; (void)mech; (void)flags; (void)time; (void)bindings; (void)input;
    (void)output;
    if (actual_mech) *actual_mech = NULL;
    if (returned_flags) *returned_flags = 0;
    if (returned_time) *returned_time = 0;
    return unavailable(minor);
}
OM_uint32 gss_display_status(OM_uint32 *minor, OM_uint32 status, int type, const void *mech, OM_uint32 *context, void *text) {
    (void)status; (void)type; (void)mech; (void)text;
    if (context) *context = 0;
    return unavailable(minor);
}
OM_uint32 gss_delete_sec_context(OM_uint32 *minor, void **context, void *output) {
    (void)output;
    if (context) *context = NULL;
    if (minor) *minor = 0;
    return 0;
}
OM_uint32 gss_release_name(OM_uint32 *minor, void **name) {
    if (name) *name = NULL;
    if (minor) *minor = 0;
    return 0;
}
OM_uint32 gss_release_buffer(OM_uint32 *minor, void *buffer) {
    (void)buffer;
    if (minor) *minor = 0;
    return 0;
}
OM_uint32 gss_release_oid_set(OM_uint32 *minor, void **set) {
    if (set) *set = NULL;
    if (minor) *minor = 0;
    return 0;
}
