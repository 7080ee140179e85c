#!/usr/bin/env bash
# Packs a self-contained `journey` with the licences of everything linked into it:
#   OUT.tar.gz          OUT/bin/journey, OUT/README.md, OUT/LICENSES/*
#   OUT.tar.gz.sha256   its SHA-256, in `sha256sum -c` format
# Usage: scripts/dist.sh PATH/TO/journey dist/journey-VERSION-linux-ARCH   (run by `make dist`)
set -euo pipefail

binary=${1:?usage: $0 PATH/TO/journey OUT}
out=${2:?usage: $0 PATH/TO/journey OUT}
root=$(cd "$(dirname "$0")/.." && pwd)
name=$(basename "$out")
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
package="$staging/$name"
mkdir -p "$package/bin" "$package/LICENSES" "$(dirname "$out")"

install -m 0755 "$binary" "$package/bin/journey"
strip --strip-debug "$package/bin/journey" 2>/dev/null || true
cp "$root/README.md" "$package/README.md"

# Licences: the Swift runtime and Foundation (Apache-2.0 with the Runtime Library Exception),
# the two Swift packages, and Debian's copyright file of each C library linked in.
swift_root=$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")
licence() { [ -f "$2" ] && cp "$2" "$package/LICENSES/$1" || { echo "dist: missing licence $2" >&2; exit 1; }; }
licence swift-runtime-and-foundation.txt "$swift_root/usr/share/swift/LICENSE.txt"
licence swift-argument-parser.txt "$root/.build/checkouts/swift-argument-parser/LICENSE.txt"
licence Yams.txt "$root/.build/checkouts/Yams/LICENSE"
for debian in libsodium23 libgit2-1.5 libmbedtls14 libmbedx509-1 libmbedcrypto7 libssh2-1 libssl3 \
    libhttp-parser2.9 libpcre2-8-0 zlib1g libstdc++6 libicu72; do
    folder=$(ls -d /usr/share/doc/"$debian"* 2>/dev/null | head -n1)
    licence "$debian.copyright" "${folder:-/usr/share/doc/$debian}/copyright"
done
cat >"$package/LICENSES/README" <<'EOF'
journey links these libraries into its one binary; each file here is that component's licence:
the Swift runtime, Foundation and Dispatch (swift-runtime-and-foundation.txt; Foundation's
Unicode data comes from ICU, libicu72.copyright), swift-argument-parser, Yams, libsodium,
libgit2 and its dependencies (mbedTLS, libssh2, OpenSSL's libcrypto, http-parser, PCRE2, zlib),
and the GCC runtime's libstdc++ (libstdc++6.copyright). glibc is not included: it is the
system's.
EOF

tar -C "$staging" --owner=0 --group=0 --numeric-owner -czf "$out.tar.gz" "$name"
(cd "$(dirname "$out")" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
echo "$out.tar.gz ($(du -h "$out.tar.gz" | cut -f1); binary $(du -h "$package/bin/journey" | cut -f1))"
cat "$out.tar.gz.sha256"
