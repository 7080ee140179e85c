#!/usr/bin/env python3
"""Browser tests of `journey ui` in real headless Chromium, driven by Selenium.

Run by `make test` (after `make deps` installed chromium, chromium-driver and selenium):
    python3 Tests/Browser/admin_ui_test.py [--journey PATH] [--screenshots DIR]

Each check prints one line; the first failure stops the run with exit code 1. Screenshots of
every page go to --screenshots DIR (`--screenshots docs/ui` refreshes the README's pictures). Every value typed into the page is random and
searched for afterwards in every page source, every API answer and the server's output.
"""
import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
checks = 0


def check(condition, what):
    global checks
    if not condition:
        print(f"FAIL: {what}", flush=True)
        raise SystemExit(1)
    checks += 1
    print(f"ok: {what}", flush=True)


class Journey:
    """The built `journey` binary, run on the scratch workspace with its own key folder."""

    def __init__(self, binary, workspace, env):
        self.binary, self.workspace, self.env = binary, workspace, env

    def __call__(self, *args, stdin=None, check_ok=True):
        result = subprocess.run([self.binary, *args, "--workspace", self.workspace] if args[0] not in ("exec",) else [self.binary, *args],
                                input=stdin, capture_output=True, env=self.env, cwd=self.workspace)
        if check_ok and result.returncode != 0:
            raise SystemExit(f"journey {' '.join(args)} failed: {result.stderr.decode()}")
        return result

    def opens(self, name, value):
        """Whether `journey exec` opens secret `name` to exactly `value` (compared in the child)."""
        variable = name.upper().replace("-", "_").replace(".", "_")
        env = dict(self.env, EXPECTED=value)
        result = subprocess.run([self.binary, "exec", "--workspace", self.workspace, "--secret", name, "--", "sh", "-c",
                                 f'test "${variable}" = "$EXPECTED" && echo same'], capture_output=True, env=env, cwd=self.workspace)
        return result.returncode == 0 and b"same" in result.stdout


def make_workspace(journey_binary, scratch):
    workspace = os.path.join(scratch, "ws")
    os.makedirs(workspace)
    env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(scratch, "config"), NO_COLOR="1",
               GIT_AUTHOR_NAME="Ada", GIT_AUTHOR_EMAIL="ada@example.com", GIT_COMMITTER_NAME="Ada", GIT_COMMITTER_EMAIL="ada@example.com")
    for key in ("JOURNEY_KEY", "JOURNEY_KEY_FILE"):
        env.pop(key, None)
    journey = Journey(journey_binary, workspace, env)
    subprocess.run([journey_binary, "init", "--workspace", workspace], env=env, cwd=workspace, capture_output=True)
    if not os.path.exists(os.path.join(workspace, "workspace.yaml")):
        subprocess.run([journey_binary, "init"], env=env, cwd=workspace, check=True, capture_output=True)
    journey("keys", "generate", "ada")
    journey("keys", "generate", "ci-runner")
    for name in ("checkout.yaml", "notify.yaml"):
        shutil.copy(os.path.join(ROOT, "example-workspace", "journeys", name), os.path.join(workspace, "journeys", name))
    journey("secret", "add", "payments-api-key", "--description", "Payments sandbox API key", stdin=b"pay-" + secrets.token_hex(8).encode())
    journey("secret", "add", "slack-token", "--description", "Slack bot token for run notifications", stdin=b"xoxb-" + secrets.token_hex(8).encode())
    journey("secret", "add", "db-password", "--description", "Reporting database password", stdin=secrets.token_hex(8).encode())
    subprocess.run(["git", "init", "-q"], cwd=workspace, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=workspace, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "workspace"], cwd=workspace, check=True, env=env)
    return journey


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--journey", default=os.path.join(ROOT, ".build", "debug", "journey"))
    # `--screenshots docs/ui` refreshes the README's pictures; by default they go to a scratch
    # folder so that `make test` leaves the checkout as it was.
    parser.add_argument("--screenshots", default=None)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="journey-ui-browser-")
    if args.screenshots is None:
        args.screenshots = os.path.join(scratch, "screenshots")
    journey = make_workspace(args.journey, scratch)
    server_log = open(os.path.join(scratch, "server.log"), "w+b")
    server = subprocess.Popen([args.journey, "ui", "--workspace", journey.workspace], stdout=subprocess.PIPE, stderr=server_log, env=journey.env)
    url = None
    printed = b""
    while url is None:
        line = server.stdout.readline()
        if not line:
            raise SystemExit("journey ui printed no URL")
        printed += line
        if b"?token=" in line:
            url = line.decode().strip()
    base = url.split("/?")[0]
    token = url.split("token=")[1]

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1440,1000", "--disable-dev-shm-usage", "--force-device-scale-factor=1"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    wait = WebDriverWait(driver, 20)
    sources = []
    typed = []

    def settle():
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
        sources.append(driver.page_source)

    def shot(name):
        os.makedirs(args.screenshots, exist_ok=True)
        time.sleep(0.3)
        driver.save_screenshot(os.path.join(args.screenshots, name + ".png"))

    def fill(element_id, text):
        element = wait.until(EC.element_to_be_clickable((By.ID, element_id)))
        element.clear()
        element.send_keys(text)

    try:
        # The URL's token becomes a cookie; the browser lands on Secrets management.
        driver.get(url)
        settle()
        check(driver.current_url.endswith("/secrets") and "token=" not in driver.current_url, "the token URL lands on /secrets without the token")
        check(len(driver.find_elements(By.CSS_SELECTOR, "tr[data-secret]")) == 3, "the three secrets are listed")

        # Add secret through the page; the name is checked as it is typed.
        value1 = "v1-" + secrets.token_hex(12)
        typed.append(value1)
        driver.find_element(By.ID, "add-secret").click()
        fill("secret-name", "Bad Name")
        wait.until(lambda d: "lowercase" in d.find_element(By.ID, "secret-name-error").text)
        check(True, "a bad name is refused as it is typed, with the CLI's message")
        fill("secret-name", "browser-api-key")
        wait.until(lambda d: d.find_element(By.ID, "secret-name-error").text == "")
        fill("secret-description", "Partner API key added from the browser")
        fill("secret-value", value1)
        shot("add-secret")
        driver.find_element(By.ID, "add-secret-submit").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, 'tr[data-secret="browser-api-key"]')))
        settle()
        check(os.path.exists(os.path.join(journey.workspace, "secrets", "browser-api-key.sealed")), "the secret is sealed on disk")
        sealed_text = open(os.path.join(journey.workspace, "secrets", "browser-api-key.sealed")).read()
        check(value1 not in sealed_text, "the sealed file does not hold the value in clear")
        check(journey.opens("browser-api-key", value1), "journey exec opens it to the value typed into the page")

        # Update value: version + 1, the CLI opens the new value.
        value2 = "v2-" + secrets.token_hex(12)
        typed.append(value2)
        driver.find_element(By.CSS_SELECTOR, 'tr[data-secret="browser-api-key"] button[data-action="update"]').click()
        fill("update-value", value2)
        driver.find_element(By.ID, "update-secret-submit").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, 'tr[data-secret="browser-api-key"] [data-version="2"]')))
        settle()
        check(True, "Update value shows version 2")
        check(journey.opens("browser-api-key", value2), "journey exec opens the rotated value")

        # Remove is refused while a journey uses the secret, naming it.
        driver.find_element(By.CSS_SELECTOR, 'tr[data-secret="payments-api-key"] button[data-action="remove"]').click()
        driver.find_element(By.ID, "remove-secret-submit").click()
        wait.until(lambda d: "checkout" in d.find_element(By.ID, "remove-secret-error").text)
        check(os.path.exists(os.path.join(journey.workspace, "secrets", "payments-api-key.sealed")), "removing a used secret is refused, naming the journey")
        driver.get(base + "/secrets")
        settle()
        shot("secrets")

        # Values panel: choose Secret reference, pick from the searchable list, save.
        checkout = os.path.join(journey.workspace, "journeys", "checkout.yaml")
        before = open(checkout, "rb").read()
        driver.get(base + "/journeys/checkout")
        settle()
        row = driver.find_element(By.CSS_SELECTOR, '[data-field="values.base_url"]')
        row.find_element(By.CSS_SELECTOR, 'button[data-source="secret"]').click()
        driver.find_element(By.CSS_SELECTOR, '[data-picker="values.base_url"]').click()
        search = driver.find_element(By.CSS_SELECTOR, '[data-picker-search="values.base_url"]')
        search.send_keys("partner")
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".picker .menu li[data-name]")) == 1)
        check(True, "the picker searches names and descriptions")
        shot("editor-picker")
        driver.find_element(By.CSS_SELECTOR, '.picker .menu li[data-name="browser-api-key"]').click()
        driver.find_element(By.ID, "save-journey").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#save-status .notice.ok")))
        settle()
        after = open(checkout, "rb").read()
        expected = before.replace(b"base_url: { env: DEMO_BASE_URL }", b"base_url: { secret: browser-api-key }")
        check(after == expected and after != before, "the YAML holds { secret: browser-api-key }, every other byte unchanged")
        driver.execute_script("window.scrollTo(0, 0)")
        shot("editor")

        # A literal typed into a credential field is caught and offered as a new sealed secret.
        value3 = "xoxb-" + secrets.token_hex(16)
        typed.append(value3)
        driver.get(base + "/journeys/notify")
        settle()
        row = driver.find_element(By.CSS_SELECTOR, '[data-field="steps.0.env.SLACK_TOKEN"]')
        row.find_element(By.CSS_SELECTOR, 'button[data-source="literal"]').click()
        field = driver.find_element(By.CSS_SELECTOR, '[data-input="steps.0.env.SLACK_TOKEN"]')
        field.send_keys(value3)
        driver.find_element(By.ID, "save-journey").click()
        wait.until(EC.visibility_of_element_located((By.ID, "offer-name")))
        notify = os.path.join(journey.workspace, "journeys", "notify.yaml")
        check(value3.encode() not in open(notify, "rb").read(), "the literal credential is caught before saving")
        fill("offer-name", "notify-slack-token")
        fill("offer-description", "Slack token for the notify journey")
        shot("leak-caught")
        driver.find_element(By.ID, "offer-submit").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#save-status .notice.ok")))
        settle()
        check(b"SLACK_TOKEN: { secret: notify-slack-token }" in open(notify, "rb").read(), "it is sealed as a new secret and the field holds the reference")
        check(journey.opens("notify-slack-token", value3), "the new secret opens to the typed value")

        # Run a journey sealed from the page: output streams, masked; the report follows.
        driver.find_element(By.ID, "run-sealed").click()
        wait.until(lambda d: "/runs" in d.current_url)
        WebDriverWait(driver, 60).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-run-done"))
        settle()
        output = driver.find_element(By.ID, "run-output").text
        report = driver.find_element(By.ID, "run-report").text
        check("the token itself never shows: ***" in output, "the run's output is shown masked")
        check(value3 not in output and value3 not in report and "notify-slack-token" in report, "the JSON report names the secret, not its value")
        shot("runs")

        # Journeys list, Recipients, Changes (commit runs the leak check).
        driver.get(base + "/journeys")
        settle()
        shot("journeys")
        driver.get(base + "/recipients")
        settle()
        shot("recipients")
        driver.get(base + "/changes")
        settle()
        check(len(driver.find_elements(By.CSS_SELECTOR, "#changes-table td.mono")) >= 3, "Changes lists the files the page changed")
        shot("changes")
        fill("commit-message", "Reference the partner key; seal the notify token")
        driver.find_element(By.ID, "commit").click()
        wait.until(lambda d: "Nothing to commit" in d.find_element(By.ID, "changes-table").text)
        settle()
        log = subprocess.run(["git", "log", "--oneline", "-1"], cwd=journey.workspace, capture_output=True).stdout.decode()
        check("Reference the partner key" in log, "Commit committed after the leak check passed")

        # Afterwards no value is in any page source, API answer or server output.
        answers = []
        for path in ("/api/secrets", "/api/journeys", "/api/journeys/checkout", "/api/journeys/notify", "/api/recipients", "/api/runs",
                     "/api/changes", "/api/schema", "/secrets", "/journeys/notify"):
            request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
            answers.append(urllib.request.urlopen(request).read().decode())
        runs = json.loads(answers[5])["runs"]
        for run in runs:
            request = urllib.request.Request(f"{base}/api/runs/{run['id']}/output", headers={"Authorization": "Bearer " + token})
            answers.append(urllib.request.urlopen(request).read().decode())
        leaked = [v for v in typed for text in sources + answers if v in text]
        check(not leaked, f"no value in {len(sources)} page sources and {len(answers)} API answers")

        # A workspace with environments (the example's staging and production): the sidebar
        # chooser switches the store the pages show, and every link keeps it.
        envs_workspace = os.path.join(scratch, "envs")
        shutil.copytree(os.path.join(ROOT, "example-workspace"), envs_workspace)
        envs_server = subprocess.Popen([args.journey, "ui", "--workspace", envs_workspace], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=journey.env)
        try:
            envs_url = None
            while envs_url is None:
                line = envs_server.stdout.readline()
                if not line:
                    raise SystemExit("journey ui printed no URL for the workspace with environments")
                if b"?token=" in line:
                    envs_url = line.decode().strip()
            driver.get(envs_url)
            settle()
            chooser = Select(wait.until(EC.presence_of_element_located((By.ID, "env-select"))))
            check([o.text for o in chooser.options] == ["production", "staging"], "a workspace with environments shows the Environment chooser")
            chooser.select_by_value("staging")
            wait.until(lambda d: "env=staging" in d.current_url)
            settle()
            page = driver.find_element(By.ID, "main").text
            check("in staging" in page and "(staging)" in page, "choosing staging lists staging's secrets")
            check(all("env=staging" in a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "nav a")), "every page link keeps the environment")
            shot("environments")
        finally:
            envs_server.terminate()
            envs_server.wait()
    finally:
        driver.quit()
        server.terminate()
        server.wait()
    server_log.seek(0)
    server_output = printed + server.stdout.read() + server_log.read()
    check(not any(v.encode() in server_output for v in typed), "no value in the server's output")
    check(token.encode() not in server_output.replace(printed, b""), "the token is printed once, in the URL")
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"browser tests: {checks} checks passed")


if __name__ == "__main__":
    main()
