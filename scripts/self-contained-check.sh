#!/usr/bin/env bash
# Proves a `journey` binary is self-contained: it runs init → keys → seal → open → run where
# neither the Swift toolchain nor any library it should carry inside can be found.
#
# A private mount namespace (unshare) hides the toolchain folder under an empty tmpfs and binds
# /dev/null over every shared object of the libraries linked statically (libsodium, libgit2 and
# its dependencies, libstdc++), with LD_LIBRARY_PATH unset. Only glibc stays. The binary's
# NEEDED entries are checked too.
#
# Usage: scripts/self-contained-check.sh PATH/TO/journey      (as root, or where unprivileged
# user namespaces are allowed). Exit 0 and a last line "self-contained: ok" when it holds.
set -euo pipefail

binary=$(readlink -f "${1:?usage: $0 PATH/TO/journey}")
swift_path=$(command -v swift || true)
toolchain=${SWIFT_TOOLCHAIN:-$([ -n "$swift_path" ] && dirname "$(dirname "$(dirname "$(readlink -f "$swift_path")")")" || echo /opt/swift)}
work=$(mktemp -d "${TMPDIR:-/tmp}/journey-self-contained.XXXXXX")
trap 'rm -rf "$work"' EXIT

# 1. What the dynamic loader is asked for: glibc's own libraries only.
if command -v readelf >/dev/null; then
    needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    for library in $needed; do
        case "$library" in
            libc.so.* | libm.so.* | libgcc_s.so.* | ld-linux*.so.* | libdl.so.* | libpthread.so.* | librt.so.* | libutil.so.*) ;;
            *) echo "self-contained: FAILED: the binary needs $library at run time" >&2; exit 1 ;;
        esac
    done
    echo "dynamic libraries needed: $(echo $needed)"
fi

# 2. The shared objects to hide: every one that would satisfy a static dependency.
hidden=()
declare -A seen=()
# (PCRE2 last: `mount` itself needs it, through libselinux.)
for name in sodium git2 mbedtls mbedx509 mbedcrypto ssh2 crypto ssl http_parser z stdc++ curl \
    swiftCore Foundation FoundationEssentials FoundationInternationalization FoundationNetworking _FoundationICU dispatch pcre2-8; do
    for file in /usr/lib/*-linux-gnu/lib"$name".so* /lib/*-linux-gnu/lib"$name".so* /usr/lib/lib"$name".so*; do
        [ -e "$file" ] || continue
        real=$(readlink -f "$file")
        [ -n "${seen[$real]:-}" ] || { seen[$real]=1; hidden+=("$real"); }
    done
done

# 3. The walk-through, inside the namespace. Only the shell's builtins and `journey` run there
# (other tools may need the hidden libraries); the results are checked outside.
cat >"$work/inside.sh" <<'INSIDE'
set -u
toolchain=$1 binary=$2 work=$3; shift 3
[ -d "$toolchain" ] && mount -t tmpfs -o size=1m journey-hidden "$toolchain"
for file in "$@"; do mount --bind /dev/null "$file" || exit 92; done
unset LD_LIBRARY_PATH LD_PRELOAD
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" NO_COLOR=1
cd "$work/ws" || exit 90
[ -e "$toolchain/usr/bin/swift" ] && { echo "the toolchain is still visible" >"$work/hide-failed"; exit 91; }
step() { name=$1; shift; "$@" >"$work/$name.out" 2>&1; echo "$name $?" >>"$work/codes"; }
step version "$binary" --version
step init "$binary" init --name self-contained
step keys "$binary" keys generate ci
step seal "$binary" secret add demo-token --description "self-contained check" <"$work/value"
step open "$binary" exec --secret demo-token -- /bin/sh -c 'read -r expected <"$1"; [ "$DEMO_TOKEN" = "$expected" ] && echo "opened: $DEMO_TOKEN"' sh "$work/value"
printf '%s\n' 'name: smoke' 'steps:' '  - name: echo' '    run: echo "token=$DEMO_TOKEN"' '    env:' '      DEMO_TOKEN: { secret: demo-token }' >journeys/smoke.yaml
step run "$binary" run smoke --sealed
INSIDE
mkdir -p "$work/home" "$work/ws/journeys"
printf 'self-contained-%s' "$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" >"$work/value"

if [ "$(id -u)" = 0 ]; then
    unshare --mount --propagation private /bin/sh "$work/inside.sh" "$toolchain" "$binary" "$work" "${hidden[@]}"
else
    unshare --user --map-root-user --mount --propagation private /bin/sh "$work/inside.sh" "$toolchain" "$binary" "$work" "${hidden[@]}"
fi

# 4. Every step passed; the value was opened but never shown.
value=$(cat "$work/value")
status=0
for name in version init keys seal open run; do
    code=$(sed -n "s/^$name //p" "$work/codes" 2>/dev/null)
    if [ "$code" != 0 ]; then
        echo "self-contained: FAILED: journey $name exited ${code:-(did not run)}:" >&2
        cat "$work/$name.out" >&2 2>/dev/null || true
        status=1
    fi
done
grep -q '^opened: \*\*\*$' "$work/open.out" || { echo "self-contained: FAILED: exec did not open the value (or did not mask it)" >&2; status=1; }
grep -q 'token=\*\*\*' "$work/run.out" || { echo "self-contained: FAILED: the journey's step did not get the masked value" >&2; status=1; }
if grep -rqF "$value" "$work"/*.out; then echo "self-contained: FAILED: the value appeared in output" >&2; status=1; fi
[ $status = 0 ] || exit 1
echo "hidden: $toolchain and ${#hidden[@]} shared objects"
echo "self-contained: ok ($(cat "$work/version.out"))"
