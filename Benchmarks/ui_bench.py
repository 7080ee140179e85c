#!/usr/bin/env python3
"""journey ui with 1,000 secrets and 1,000 journeys: median of 20 requests over keep-alive
HTTP on 127.0.0.1 for the Secrets page, GET /api/secrets, the schema, the Recipients list
(each right after a write, and again with nothing changed), opening a journey, saving one, rotating a secret and editing a description (each rotation
and description also changes what the next list, schema and recipients answers read); and
the CLI's start-up (`journey --version`, `journey secret list` on a small workspace)
before and after the server exists, interleaved. Prints figures; asserts nothing."""
import argparse
import http.client
import json
import os
import secrets
import shutil
import statistics
import subprocess
import tempfile
import time

TARGETS = {
    "secrets page": 50,
    "GET /api/secrets": 50,
    "GET /api/schema": 50,
    "  again, unchanged": 50,
    "GET /api/recipients": 50,
    "  again, unchanged ": 50,
    "open a journey": 50,
    "save a journey": 100,
    "rotate a secret": 100,
    "edit a description": 100,
}


def workspace(binary, folder, count, env):
    subprocess.run([binary, "init", "--workspace", folder], env=env, cwd=folder, check=False, capture_output=True)
    if not os.path.exists(os.path.join(folder, "workspace.yaml")):
        subprocess.run([binary, "init"], env=env, cwd=folder, check=True, capture_output=True)
    subprocess.run([binary, "keys", "generate", "bench", "--workspace", folder], env=env, check=True, capture_output=True)
    for index in range(count):
        with open(os.path.join(folder, "journeys", f"journey-{index:04d}.yaml"), "w") as f:
            f.write(f"""# Journey {index}: generated for the benchmark.
name: journey-{index:04d}
description: Calls service {index}
values:
  base_url: http://127.0.0.1:9/{index}   # nothing listens there
  api_key: {{ secret: service-{index:04d}-key }}
steps:
  - name: health
    http:
      url: ${{{{ values.base_url }}}}/health
      expect: {{ status: 200 }}
  - name: call
    http:
      method: POST
      url: ${{{{ values.base_url }}}}/v1/things
      headers:
        Authorization: "Bearer ${{{{ values.api_key }}}}"
      body: '{{"n": {index}}}'
  - name: notify
    run: echo done
    env:
      TOKEN: {{ secret: service-{(index + 1) % count:04d}-key }}
""")


def median_ms(samples):
    return statistics.median(samples) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--journey", required=True)
    parser.add_argument("--baseline", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--skip-startup", action="store_true", help="measure the server only")
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="journey-ui-bench-")
    env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(scratch, "config"), NO_COLOR="1")
    for key in ("JOURNEY_KEY", "JOURNEY_KEY_FILE"):
        env.pop(key, None)
    folder = os.path.join(scratch, "ws")
    os.makedirs(folder)
    started = time.perf_counter()
    workspace(args.journey, folder, args.count, env)

    server = subprocess.Popen([args.journey, "ui", "--workspace", folder], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    url = ""
    while "?token=" not in url:
        url = server.stdout.readline().decode()
    port = int(url.split(":")[2].split("/")[0])
    token = url.strip().split("token=")[1]
    connection = http.client.HTTPConnection("127.0.0.1", port)
    auth = {"Authorization": "Bearer " + token}

    def call(method, path, body=None, headers=None):
        connection.request(method, path, body=body, headers=dict(auth, **(headers or {})))
        response = connection.getresponse()
        data = response.read()
        if response.status >= 300:
            raise SystemExit(f"{method} {path}: {response.status} {data[:200]!r}")
        return data

    csrf = json.loads(call("GET", "/api/session"))["csrf"]
    change = {"X-CSRF-Token": csrf, "Content-Type": "application/json"}
    # The secrets are sealed through the API (a CLI process per secret takes minutes).
    for index in range(args.count):
        body = {"name": f"service-{index:04d}-key", "description": f"API key of service {index}", "value": secrets.token_hex(16)}
        call("POST", "/api/secrets", json.dumps(body), change)
    print(f"workspace: {args.count} secrets, {args.count} journeys (made in {time.perf_counter() - started:.1f} s)")
    figures = {name: [] for name in TARGETS}
    call("GET", "/api/secrets")  # the first answer fills the index, as the first page view does
    for round_number in range(args.rounds):
        t = time.perf_counter()
        call("GET", "/secrets")
        call("GET", "/api/secrets")
        figures["secrets page"].append(time.perf_counter() - t)
        t = time.perf_counter()
        secrets_answer = call("GET", "/api/secrets")
        figures["GET /api/secrets"].append(time.perf_counter() - t)
        journey = f"journey-{(round_number * 37) % args.count:04d}"
        t = time.perf_counter()
        call("GET", f"/journeys/{journey}")
        call("GET", f"/api/journeys/{journey}")
        figures["open a journey"].append(time.perf_counter() - t)
        edit = {"edits": [{"path": "values.base_url", "source": "literal", "text": f"http://127.0.0.1:9/edited-{round_number}"}]}
        t = time.perf_counter()
        call("PUT", f"/api/journeys/{journey}", json.dumps(edit), change)
        figures["save a journey"].append(time.perf_counter() - t)
        t = time.perf_counter()
        call("GET", "/api/schema")
        figures["GET /api/schema"].append(time.perf_counter() - t)
        t = time.perf_counter()
        call("GET", "/api/schema")  # nothing changed since the last answer
        figures["  again, unchanged"].append(time.perf_counter() - t)
        t = time.perf_counter()
        call("GET", "/api/recipients")
        figures["GET /api/recipients"].append(time.perf_counter() - t)
        t = time.perf_counter()
        call("GET", "/api/recipients")
        figures["  again, unchanged "].append(time.perf_counter() - t)
        secret = f"service-{(round_number * 53) % args.count:04d}-key"
        t = time.perf_counter()
        call("PUT", f"/api/secrets/{secret}/value", json.dumps({"value": secrets.token_hex(16)}), change)
        figures["rotate a secret"].append(time.perf_counter() - t)
        t = time.perf_counter()
        call("PATCH", f"/api/secrets/{secret}", json.dumps({"description": f"API key of service, edited {round_number}"}), change)
        figures["edit a description"].append(time.perf_counter() - t)
    listed = len(json.loads(secrets_answer)["secrets"])
    server.terminate()
    server.wait()
    print(f"GET /api/secrets lists {listed} secrets")
    print(f"{'operation':<22}{'median':>10}{'target':>10}{'ratio':>8}   (median of {args.rounds}, release build, keep-alive HTTP)")
    for name, target in TARGETS.items():
        value = median_ms(figures[name])
        print(f"{name:<22}{value:>8.1f}ms{target:>8}ms{value / target:>8.2f}")

    if args.skip_startup:
        shutil.rmtree(scratch, ignore_errors=True)
        return

    # Start-up: the same commands with the binary from before the server and with this one,
    # interleaved so that machine noise hits both alike.
    small = os.path.join(scratch, "small")
    os.makedirs(small)
    subprocess.run([args.journey, "init", "--workspace", small], env=env, capture_output=True)
    if not os.path.exists(os.path.join(small, "workspace.yaml")):
        subprocess.run([args.journey, "init"], env=env, cwd=small, check=True, capture_output=True)
    print("\nCLI start-up, median of 60 interleaved runs (before = without the Admin page)")
    print(f"{'command':<28}{'before':>10}{'after':>10}{'after/before':>14}")
    for command in (["--version"], ["secret", "list", "--workspace", small], ["check", "--workspace", small]):
        timings = {args.baseline: [], args.journey: []}
        for run in range(60):
            order = (args.baseline, args.journey) if run % 2 == 0 else (args.journey, args.baseline)
            for binary in order:
                t = time.perf_counter()
                subprocess.run([binary, *command], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                timings[binary].append(time.perf_counter() - t)
        before, after = median_ms(timings[args.baseline]), median_ms(timings[args.journey])
        print(f"{'journey ' + command[0] + (' ' + command[1] if len(command) > 1 and not command[1].startswith('-') else ''):<28}{before:>8.2f}ms{after:>8.2f}ms{after / before:>14.3f}")
    print(f"binary size: before {os.path.getsize(args.baseline) / 1e6:.1f} MB, after {os.path.getsize(args.journey) / 1e6:.1f} MB")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
