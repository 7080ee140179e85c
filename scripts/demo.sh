#!/usr/bin/env bash
# Walks a new user through journey on a scratch copy of example-workspace/ (the repo stays as
# it is). Uses the committed DEMO-ONLY runner key; every value here is a made-up demo value.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JOURNEY="$(swift build --show-bin-path)/journey"
DEMO="$ROOT/.build/demo"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

rm -rf "$DEMO"
mkdir -p "$DEMO/config"
cp -R example-workspace "$DEMO/workspace"
chmod 600 "$DEMO/workspace/demo-keys/DEMO-ONLY-runner.key"
export XDG_CONFIG_HOME="$DEMO/config"   # keep the demo away from your own key folder
export JOURNEY_KEY_FILE="$DEMO/workspace/demo-keys/DEMO-ONLY-runner.key"
cd "$DEMO/workspace"
journey() { "$JOURNEY" "$@"; }

step "The workspace: journeys name secrets; values are sealed in secrets/"
show journey keys list
show journey secret list

step "A sealed file holds no value: clear metadata, wrapped keys, ciphertext"
show cat secrets/payments-api-key.sealed

step "exec: the value reaches the command's environment, never its output"
show journey exec --secret payments-api-key -- sh -c 'echo "calling the payments API with key $PAYMENTS_API_KEY"; printf "base64 of it: "; printf %s "$PAYMENTS_API_KEY" | base64'

step "Rotation: one update, version + 1 (the value comes from stdin, never argv)"
printf 'pay_demo_rotated_%s' "$(date +%s)" | journey secret update payments-api-key
show journey secret show payments-api-key

step "The next exec gets the new value (a fingerprint shows it changed; the value stays masked)"
show journey exec --secret payments-api-key -- sh -c 'echo "key: $PAYMENTS_API_KEY  sha256: $(printf %s "$PAYMENTS_API_KEY" | sha256sum | cut -c1-16)"'

step "Tampering is caught: a sealed file edited to another version does not open"
sed -i 's/^version: .*/version: 1/' secrets/payments-api-key.sealed
if journey exec --secret payments-api-key -- true; then echo "unexpected: opened"; exit 1; else echo "(refused, exit code $?)"; fi
git -C "$ROOT" show HEAD:example-workspace/secrets/payments-api-key.sealed > secrets/payments-api-key.sealed 2>/dev/null || cp "$ROOT/example-workspace/secrets/payments-api-key.sealed" secrets/

echo
echo "Demo done. The scratch workspace is in $DEMO/workspace."
