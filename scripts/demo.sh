#!/usr/bin/env bash
# Walks a new user through journey on a scratch copy of example-workspace/ (the repo stays as
# it is). Uses the committed DEMO-ONLY runner (production) and developer (staging) keys; every
# value here is a made-up demo value.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# The release build (make demo passes it); a debug build when run by hand.
JOURNEY="${JOURNEY:-$(swift build --show-bin-path)/journey}"
DEMO="$ROOT/.build/demo"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

rm -rf "$DEMO"
mkdir -p "$DEMO/config"
cp -R example-workspace "$DEMO/workspace"
chmod 600 "$DEMO/workspace/demo-keys/DEMO-ONLY-runner.key" "$DEMO/workspace/demo-keys/DEMO-ONLY-developer.key"
export XDG_CONFIG_HOME="$DEMO/config"   # keep the demo away from your own key folder
export JOURNEY_KEY_FILE="$DEMO/workspace/demo-keys/DEMO-ONLY-runner.key"
DEVELOPER_KEY="$DEMO/workspace/demo-keys/DEMO-ONLY-developer.key"
# The workspace has two environments; most steps act as the production runner.
export JOURNEY_ENV=production
cd "$DEMO/workspace"
journey() { "$JOURNEY" "$@"; }

step "The workspace: journeys name secrets; values are sealed per environment in secrets/<env>/"
show cat workspace.yaml
show journey env list
show journey keys list
show journey secret list

step "Environments: the developer's key opens staging, and production refuses it"
show journey exec --env staging --key-file "$DEVELOPER_KEY" --secret payments-api-key -- sh -c 'echo "staging key: $PAYMENTS_API_KEY (sha256 $(printf %s "$PAYMENTS_API_KEY" | sha256sum | cut -c1-16))"'
printf '$ journey exec --env production --key-file %s --secret payments-api-key -- true\n' "$DEVELOPER_KEY"
if journey exec --env production --key-file "$DEVELOPER_KEY" --secret payments-api-key -- true; then echo "unexpected: opened"; exit 1; else echo "(refused, exit code $?)"; fi
printf '$ cp secrets/production/payments-api-key.sealed secrets/staging/   # a copy does not open either\n'
cp secrets/staging/payments-api-key.sealed "$DEMO/staging-payments.sealed"
cp secrets/production/payments-api-key.sealed secrets/staging/
if journey exec --env staging --key-file "$DEVELOPER_KEY" --secret payments-api-key -- true; then echo "unexpected: opened"; exit 1; else echo "(refused, exit code $?)"; fi
cp "$DEMO/staging-payments.sealed" secrets/staging/payments-api-key.sealed

step "A sealed file holds no value: clear metadata, wrapped keys, ciphertext"
show cat secrets/production/payments-api-key.sealed

step "exec: the value reaches the command's environment, never its output"
show journey exec --secret payments-api-key -- sh -c 'echo "calling the payments API with key $PAYMENTS_API_KEY"; printf "base64 of it: "; printf %s "$PAYMENTS_API_KEY" | base64'

step "Rotation: one update, version + 1 (the value comes from stdin, never argv)"
printf 'pay_demo_rotated_%s' "$(date +%s)" | journey secret update payments-api-key
show journey secret show payments-api-key

step "The next exec gets the new value (a fingerprint shows it changed; the value stays masked)"
show journey exec --secret payments-api-key -- sh -c 'echo "key: $PAYMENTS_API_KEY  sha256: $(printf %s "$PAYMENTS_API_KEY" | sha256sum | cut -c1-16)"'

step "Journeys name secrets; check proves every reference resolves to a sealed file"
show cat journeys/checkout.yaml
show journey check

step "A demo payments service on 127.0.0.1 (it echoes the credential it receives on /echo)"
python3 demo-server.py --port 0 --port-file "$DEMO/port" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$DEMO/port" ] && break; sleep 0.1; done
export DEMO_BASE_URL="http://127.0.0.1:$(cat "$DEMO/port")"

step "Local run: values from environment variables; the sealed store is not read"
PAYMENTS_API_KEY=pay_local_laptop_value show journey run checkout --local

step "Sealed run, as a runner does: values opened with the runner key; a JSON report without values"
show journey run checkout --sealed --report "$DEMO/report.json"
show journey run notify --sealed
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("report:", r.get("status"), "secrets used:", r.get("secrets"))' "$DEMO/report.json"

step "Tampering is caught: a sealed file edited to another version does not open"
sed -i 's/^version: .*/version: 1/' secrets/production/payments-api-key.sealed
if journey exec --secret payments-api-key -- true; then echo "unexpected: opened"; exit 1; else echo "(refused, exit code $?)"; fi
git -C "$ROOT" show HEAD:example-workspace/secrets/production/payments-api-key.sealed > secrets/production/payments-api-key.sealed 2>/dev/null || cp "$ROOT/example-workspace/secrets/production/payments-api-key.sealed" secrets/production/

step "The pre-commit check: a pasted credential is blocked before it reaches git"
git init -q --initial-branch=main . && git config user.name "Demo" && git config user.email demo@example.invalid
git add -A && git commit -qm "example workspace" --no-verify
show journey hook install
# What a hurried user pastes (assembled here so this script itself holds no token-shaped literal).
PASTED="pay_live_$(printf '%s' 9fQ2mX7kL4 vR8tW3zN6b C1dH)"
cat > journeys/refund.yaml <<'YAML'
name: refund
steps:
  - name: refund a payment
    http:
      method: POST
      url: ${{ values.base_url }}/v1/refunds
      headers: { Authorization: "Bearer PASTED_KEY" }
values:
  base_url: { env: DEMO_BASE_URL }
YAML
sed -i "s/PASTED_KEY/$PASTED/" journeys/refund.yaml
git add journeys/refund.yaml
printf '$ git commit -m "add refund journey"\n'
if git commit -qm "add refund journey"; then echo "unexpected: the commit went through"; exit 1; else echo "(commit blocked)"; fi

step "The fix: name the secret instead of pasting it, then the same commit goes through"
sed -i "s/Bearer $PASTED/Bearer \${{ secrets.payments-api-key }}/" journeys/refund.yaml
git add journeys/refund.yaml
show git commit -qm "add refund journey"
show git log --oneline -2

step "A runner: clone the repo at a ref into its cache, check the commit out, run from the production store (--env, or JOURNEY_ENV as here)"
git clone -q --bare . "$DEMO/origin.git"
show journey runner --repo "$DEMO/origin.git" --ref main --journey notify --cache "$DEMO/runner-cache" --report "$DEMO/runner.json" --allow-ref main
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("runner report: commit", r.get("commit","?")[:12], "secrets used", [(s["name"], "v%d" % s["version"]) for s in r["secrets"]], "key", r["runnerKeyID"])' "$DEMO/runner.json"

step "The production runner's ref policy refuses a feature branch before anything is opened"
git switch -q -c feature/try-it
git commit -q --allow-empty -m "A feature branch anyone with push access could make"
git push -q "$DEMO/origin.git" feature/try-it
git switch -q main
printf '$ journey runner --repo … --ref feature/try-it --journey notify --allow-ref main --allow-ref %s\n' "'release/*'"
if journey runner --repo "$DEMO/origin.git" --ref feature/try-it --journey notify --cache "$DEMO/runner-cache" \
    --allow-ref main --allow-ref 'release/*'; then
    echo "unexpected: the feature branch ran" >&2; exit 1
else
    echo "refused (exit $?)"
fi

step "A hostile step hunts for the runner's key and finds nothing: steps run isolated from it"
cat > journeys/hostile.yaml <<YAML
name: hostile
description: A step from an attacker's branch that looks everywhere for the private key
steps:
  - name: look for the key
    run: |
      for place in /proc/\$PPID/cmdline /proc/\$PPID/environ /proc/1/environ "\$KEY_GUESS" "\$XDG_CONFIG_HOME/journey/keys"/*; do
        if cat "\$place" 2>/dev/null | grep -q JOURNEY-SECRET-KEY; then echo "GOT THE KEY from \$place"; else echo "nothing in \$place"; fi
      done
      if env | grep -q '^JOURNEY_KEY'; then echo "GOT a JOURNEY_KEY variable"; else echo "no JOURNEY_KEY variable"; fi
    env:
      KEY_GUESS: $JOURNEY_KEY_FILE
YAML
show journey run hostile --sealed | tee "$DEMO/hostile.out"
if grep -q GOT "$DEMO/hostile.out"; then echo "unexpected: a step reached the key" >&2; exit 1; fi
rm journeys/hostile.yaml

echo
echo "Demo done. The scratch workspace is in $DEMO/workspace."
