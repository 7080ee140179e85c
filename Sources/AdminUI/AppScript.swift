/// The pages' script (served as /assets/app.js). Plain JavaScript, no build step. It builds
/// every element with the DOM API and sets text with `textContent`, never `innerHTML`, so no
/// name or description from the workspace can become markup. A value typed into a form is
/// sent once and the field is cleared; nothing the server answers holds one.
enum AppScript {
    static let text = #"""
        "use strict";
        const csrf = document.querySelector('meta[name="csrf-token"]').content;
        const main = document.getElementById("main");

        function h(tag, attrs, ...children) {
          const el = document.createElement(tag);
          for (const [k, v] of Object.entries(attrs || {})) {
            if (v === null || v === undefined || v === false) continue;
            if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
            else if (k === "text") el.textContent = v;
            else el.setAttribute(k, v === true ? "" : v);
          }
          for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
          return el;
        }

        // The environment whose store the Secrets and Recipients pages show (?env=E); empty
        // in a workspace without environments.
        let currentEnv = new URLSearchParams(location.search).get("env") || "";
        let session = null;
        function envPath(path) {
          if (!currentEnv || !/^\/api\/(secrets|recipients)(\/|\?|$)/.test(path)) return path;
          return path + (path.includes("?") ? "&" : "?") + "env=" + encodeURIComponent(currentEnv);
        }
        function envQuery(prefix) { return currentEnv ? `${prefix}env=${encodeURIComponent(currentEnv)}` : ""; }

        async function api(method, path, body) {
          const init = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
          if (method !== "GET") init.headers["X-CSRF-Token"] = csrf;
          if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
          const response = await fetch(envPath(path), init);
          const text = await response.text();
          let data = {};
          try { data = text ? JSON.parse(text) : {}; } catch (e) { data = { error: text }; }
          if (!response.ok) { const err = new Error(data.error || response.statusText); err.status = response.status; err.data = data; throw err; }
          return data;
        }

        function toast(message) {
          const t = document.getElementById("toast");
          t.textContent = message; t.classList.add("show");
          clearTimeout(toast.timer); toast.timer = setTimeout(() => t.classList.remove("show"), 3200);
        }

        function pageHead(title, subtitle, ...actions) {
          return h("div", { class: "pagehead" }, h("div", {}, h("h1", { text: title }), h("p", { class: "subtitle", text: subtitle })), h("div", { class: "row" }, actions));
        }

        function message(err) { return err.data && err.data.fix ? `${err.message}. ${err.data.fix}` : err.message; }

        // A modal dialog; `build(close)` returns its content. Values typed into it are cleared on close.
        function dialog(id, build) {
          const d = h("dialog", { id });
          document.body.append(d);
          const close = () => { d.querySelectorAll("input, textarea").forEach(i => { i.value = ""; }); d.close(); d.remove(); };
          d.addEventListener("cancel", e => { e.preventDefault(); close(); });
          d.append(build(close));
          d.showModal();
          const first = d.querySelector("input, textarea, button.primary");
          if (first) first.focus();
          return d;
        }

        // ---------- Secrets ----------
        let secretsCache = null;
        async function loadSecrets() { secretsCache = (await api("GET", "/api/secrets")).secrets; return secretsCache; }

        function nameChecker(input, out, submit) {
          let timer = null;
          input.addEventListener("input", () => {
            clearTimeout(timer);
            timer = setTimeout(async () => {
              if (!input.value) { out.textContent = ""; submit.disabled = false; return; }
              const r = await api("GET", "/api/secrets/check-name?name=" + encodeURIComponent(input.value));
              out.textContent = r.problem; submit.disabled = !!r.problem;
            }, 120);
          });
        }

        // Add secret; resolves with the new name (the editor's "new secret…" uses it).
        function addSecretDialog(options = {}) {
          return new Promise(resolve => {
            dialog("add-secret", close => {
              const name = h("input", { type: "text", id: "secret-name", autocomplete: "off", spellcheck: "false", placeholder: "payments-api-key" });
              if (options.name) name.value = options.name;
              const description = h("input", { type: "text", id: "secret-description", placeholder: "What it is for (stored in clear)" });
              const value = h("textarea", { id: "secret-value", autocomplete: "off", spellcheck: "false", placeholder: "Paste the value" });
              value.classList.add("masked");
              if (options.value) value.value = options.value;
              const nameError = h("div", { class: "error-text", id: "secret-name-error" });
              const error = h("div", { class: "error-text", id: "add-secret-error" });
              const submit = h("button", { class: "primary", type: "submit", id: "add-secret-submit", text: "Seal secret" });
              nameChecker(name, nameError, submit);
              const form = h("form", { method: "dialog", onsubmit: async e => {
                e.preventDefault(); submit.disabled = true; error.textContent = "";
                try {
                  const r = await api("POST", "/api/secrets", { name: name.value, description: description.value, value: value.value });
                  value.value = ""; close(); toast(`Sealed '${r.name}' version ${r.version}`); resolve(r.name);
                } catch (err) { error.textContent = message(err); submit.disabled = false; }
              } },
                h("h2", { text: "Add secret" }),
                h("p", { class: "muted", text: "The value is sealed at once for every recipient and never shown again." }),
                h("label", { for: "secret-name" }, "Name ", h("span", { class: "hint", text: "lowercase letters, digits, '.', '_' and '-'" })), name, nameError,
                h("label", { for: "secret-description" }, "Description ", h("span", { class: "hint", text: "optional" })), description,
                h("label", { for: "secret-value", text: "Value" }), value, error,
                h("div", { class: "buttons" }, h("button", { type: "button", onclick: () => { close(); resolve(null); }, text: "Cancel" }), submit));
              return form;
            });
          });
        }

        function updateValueDialog(secret, done) {
          dialog("update-secret", close => {
            const value = h("textarea", { id: "update-value", class: "masked", autocomplete: "off", spellcheck: "false", placeholder: "Paste the new value" });
            const error = h("div", { class: "error-text", id: "update-secret-error" });
            const submit = h("button", { class: "primary", type: "submit", id: "update-secret-submit", text: "Seal new version" });
            const users = secret.usedBy.length ? `Journeys that pick it up on their next run: ${secret.usedBy.join(", ")}.` : "No journey uses it yet.";
            return h("form", { onsubmit: async e => {
              e.preventDefault(); submit.disabled = true;
              try {
                const r = await api("PUT", `/api/secrets/${encodeURIComponent(secret.name)}/value`, { value: value.value });
                value.value = ""; close(); toast(`Rotated '${r.name}': version ${secret.version} → ${r.version}`); done();
              } catch (err) { error.textContent = message(err); submit.disabled = false; }
            } },
              h("h2", { text: `Update value of ${secret.name}` }),
              h("p", { class: "muted", text: `Version ${secret.version} → ${secret.version + 1}. ${users}` }),
              h("label", { for: "update-value", text: "New value" }), value, error,
              h("div", { class: "buttons" }, h("button", { type: "button", onclick: close, text: "Cancel" }), submit));
          });
        }

        function describeDialog(secret, done) {
          dialog("describe-secret", close => {
            const input = h("input", { type: "text", id: "describe-input" }); input.value = secret.description;
            const error = h("div", { class: "error-text" });
            return h("form", { onsubmit: async e => {
              e.preventDefault();
              try { await api("PATCH", `/api/secrets/${encodeURIComponent(secret.name)}`, { description: input.value }); close(); toast("Description saved"); done(); }
              catch (err) { error.textContent = message(err); }
            } },
              h("h2", { text: `Description of ${secret.name}` }), h("label", { for: "describe-input", text: "Description" }), input, error,
              h("div", { class: "buttons" }, h("button", { type: "button", onclick: close, text: "Cancel" }), h("button", { class: "primary", type: "submit", text: "Save" })));
          });
        }

        function removeDialog(secret, done) {
          dialog("remove-secret", close => {
            const error = h("div", { id: "remove-secret-error" });
            const submit = h("button", { class: "primary", type: "button", id: "remove-secret-submit", text: "Remove", onclick: async () => {
              try { await api("DELETE", `/api/secrets/${encodeURIComponent(secret.name)}`); close(); toast(`Removed '${secret.name}'`); done(); }
              catch (err) { error.replaceChildren(h("div", { class: "notice bad", text: message(err) })); submit.disabled = true; }
            } });
            return h("div", { class: "body" }, h("h2", { text: `Remove ${secret.name}?` }),
              h("p", { class: "muted", text: "The sealed file is deleted from the workspace (git keeps its history). Removal is refused while a journey uses it." }),
              error, h("div", { class: "buttons" }, h("button", { type: "button", onclick: close, text: "Cancel" }), submit));
          });
        }

        async function secretsPage() {
          const list = await loadSecrets();
          const search = h("input", { type: "search", id: "secret-search", placeholder: "Filter by name or description" });
          const tbody = h("tbody", {});
          const render = () => {
            const q = search.value.toLowerCase();
            tbody.replaceChildren(...list.filter(s => s.name.includes(q) || s.description.toLowerCase().includes(q)).map(s =>
              h("tr", { "data-secret": s.name },
                h("td", { class: "name", text: s.name }),
                h("td", {}, s.problem ? h("span", { class: "pill bad", text: s.problem }) : s.description || h("span", { class: "muted", text: "—" })),
                h("td", {}, h("span", { class: "pill accent", "data-version": s.version, text: `v${s.version}` })),
                h("td", { class: "muted", text: s.updated.replace("T", " ").replace("Z", " UTC") }),
                h("td", {}, s.recipients.map(r => h("span", { class: "pill", text: r }))),
                h("td", {}, s.usedBy.length ? s.usedBy.map(j => h("span", { class: "pill ok", text: j })) : h("span", { class: "muted", text: "unused" })),
                h("td", { class: "actions" },
                  h("button", { class: "small", "data-action": "update", onclick: () => updateValueDialog(s, reload), text: "Update value" }), " ",
                  h("button", { class: "small", "data-action": "describe", onclick: () => describeDialog(s, reload), text: "Edit description" }), " ",
                  h("button", { class: "small danger", "data-action": "remove", onclick: () => removeDialog(s, reload), text: "Remove" })))));
            if (!tbody.children.length) tbody.append(h("tr", {}, h("td", { colspan: 7, class: "muted", text: list.length ? "No secret matches." : "No secrets yet: add the first one." })));
          };
          const reload = () => route();
          search.addEventListener("input", render);
          render();
          main.replaceChildren(
            pageHead("Secrets management", `${list.length} sealed secret${list.length === 1 ? "" : "s"}${currentEnv ? ` in ${currentEnv}` : ""}. Names, descriptions and versions only: a value is never shown.`,
              h("button", { class: "primary", id: "add-secret", onclick: async () => { if (await addSecretDialog()) reload(); }, text: "Add secret" })),
            h("div", { class: "toolbar" }, search),
            h("div", { class: "card tablecard" }, h("table", { id: "secrets-table" },
              h("thead", {}, h("tr", {}, ["Name", "Description", "Version", "Updated", "Recipients", "Used by", ""].map(t => h("th", { text: t })))), tbody)));
        }

        // ---------- Recipients ----------
        async function recipientsPage() {
          const { recipients } = await api("GET", "/api/recipients");
          const result = h("div", {});
          const name = h("input", { type: "text", id: "recipient-name", placeholder: "runner-prod" });
          const key = h("input", { type: "text", id: "recipient-key", placeholder: "journey-pk1-…", spellcheck: "false" });
          const error = h("div", { class: "error-text" });
          main.replaceChildren(
            pageHead("Recipients", "Public keys that can open sealed values. Anyone can seal; only holders of these keys can read."),
            result,
            h("div", { class: "card tablecard" }, h("table", { id: "recipients-table" },
              h("thead", {}, h("tr", {}, ["Name", "Key id", "Added", "Secrets wrapped", ""].map(t => h("th", { text: t })))),
              h("tbody", {}, recipients.length ? recipients.map(r => h("tr", {},
                h("td", { class: "name", text: r.name }), h("td", {}, h("code", { text: r.id })), h("td", { class: "muted", text: r.added }),
                h("td", { text: String(r.secrets) }),
                h("td", { class: "actions" }, h("button", { class: "small danger", onclick: async () => {
                  if (!confirm(`Remove recipient ${r.name}?`)) return;
                  try {
                    const a = await api("DELETE", `/api/recipients/${encodeURIComponent(r.name)}`);
                    await recipientsPage();
                    result.replaceChildren(h("div", { class: "notice info" }, `Removed ${a.removed}. ${a.next}`,
                      a.rotate.length ? h("div", {}, "Rotate: ", a.rotate.map(n => h("span", { class: "pill", text: n }))) : null));
                  } catch (err) { result.replaceChildren(h("div", { class: "notice bad", text: message(err) })); }
                }, text: "Remove" })))) : h("tr", {}, h("td", { colspan: 5, class: "muted", text: "No recipients: add a public key." }))))),
            h("div", { class: "card" }, h("h2", { text: "Add a public key" }),
              h("form", { onsubmit: async e => {
                e.preventDefault();
                try { const a = await api("POST", "/api/recipients", { name: name.value, key: key.value }); await recipientsPage(); toast(`Added ${a.name}. ${a.next}`); }
                catch (err) { error.textContent = message(err); }
              } }, h("div", { class: "row" },
                h("div", {}, h("label", { for: "recipient-name", text: "Name" }), name),
                h("div", { class: "grow" }, h("label", { for: "recipient-key", text: "Public key" }), key),
                h("button", { class: "primary", type: "submit", text: "Add recipient" })), error)));
        }

        // ---------- Journeys ----------
        async function journeysPage() {
          const { journeys } = await api("GET", "/api/journeys");
          const problems = journeys.reduce((n, j) => n + j.problems.length, 0);
          main.replaceChildren(
            pageHead("Journeys", `${journeys.length} journey${journeys.length === 1 ? "" : "s"} in journeys/ · ${problems ? problems + " problem" + (problems === 1 ? "" : "s") : "no problems"}`),
            h("div", { class: "card tablecard" }, h("table", { id: "journeys-table" },
              h("thead", {}, h("tr", {}, ["Journey", "Description", "Steps", "Secrets", "Check"].map(t => h("th", { text: t })))),
              h("tbody", {}, journeys.map(j => h("tr", { "data-journey": j.id },
                h("td", {}, h("a", { href: `/journeys/${encodeURIComponent(j.id)}`, class: "mono", text: j.name }), h("div", { class: "muted", text: j.file })),
                h("td", { text: j.description }), h("td", { text: String(j.steps) }),
                h("td", {}, j.secrets.map(s => h("span", { class: "pill", text: s }))),
                h("td", {}, j.problems.length ? h("ul", { class: "problems" }, j.problems.map(p => h("li", {}, h("span", { class: "pill bad", text: `line ${p.line || "?"}` }), p.message)))
                  : h("span", { class: "pill ok", text: "ok" }))))))));
        }

        const sourceLabels = { literal: "Literal", secret: "Secret reference", env: "Environment variable" };

        // A searchable picker of secret names; `onpick(name)` gets the choice.
        function secretPicker(field, state, onchange) {
          const wrap = h("div", { class: "picker" });
          const chosen = h("button", { type: "button", class: "chosen", "data-picker": field.path },
            h("span", { text: state.text || "Choose a secret…" }), h("span", { class: "muted", text: "▾" }));
          const open = () => {
            const search = h("input", { type: "search", placeholder: "Search secrets", "data-picker-search": field.path });
            const ul = h("ul", {});
            const fill = () => {
              const q = search.value.toLowerCase();
              ul.replaceChildren(...(secretsCache || []).filter(s => s.name.includes(q) || s.description.toLowerCase().includes(q)).map(s =>
                h("li", { "data-name": s.name, onclick: () => { state.text = s.name; menu.remove(); onchange(); } },
                  h("div", { class: "n", text: s.name }), h("div", { class: "d", text: `${s.description || "no description"} · v${s.version}` }))),
                h("li", { class: "new", "data-new-secret": "1", onclick: async () => {
                  menu.remove();
                  const name = await addSecretDialog({ name: search.value });
                  if (name) { await loadSecrets(); state.text = name; onchange(); }
                }, text: "New secret…" }));
            };
            const menu = h("div", { class: "menu" }, search, ul);
            search.addEventListener("input", fill);
            document.addEventListener("mousedown", function away(e) { if (!wrap.contains(e.target)) { menu.remove(); document.removeEventListener("mousedown", away); } });
            fill(); wrap.append(menu); search.focus();
          };
          chosen.addEventListener("click", () => { const m = wrap.querySelector(".menu"); if (m) m.remove(); else open(); });
          wrap.append(chosen);
          return wrap;
        }

        function fieldRow(field, edits) {
          const state = { source: field.source, text: field.text };
          edits.set(field.path, { field, state });
          const row = h("div", { class: "field", "data-field": field.path });
          const render = () => {
            const changed = state.source !== field.source || state.text !== field.text;
            row.classList.toggle("changed", changed);
            const seg = h("div", { class: "segmented", role: "group" }, (field.editable === false ? [] : field.sources).map(s =>
              h("button", { type: "button", "data-source": s, "aria-pressed": String(state.source === s), onclick: () => {
                if (state.source === s) return;
                state.source = s; state.text = s === field.source ? field.text : ""; render();
              }, text: sourceLabels[s] })));
            let input;
            if (field.editable === false) input = h("div", { class: "mono muted", text: `${field.text} (default; set it in the file)` });
            else if (state.source === "secret") input = secretPicker(field, state, render);
            else {
              const multi = state.text.includes("\n");
              input = h(multi ? "textarea" : "input", { type: "text", "data-input": field.path, spellcheck: "false",
                placeholder: state.source === "env" ? "VARIABLE_NAME" : "" });
              input.value = state.text;
              input.addEventListener("input", () => { state.text = input.value; row.classList.toggle("changed", state.source !== field.source || state.text !== field.text); });
            }
            row.replaceChildren(
              h("div", { class: "label" }, field.label, field.credential ? h("div", {}, h("span", { class: "pill warn", text: "credential" })) : null),
              h("div", {}, field.editable === false ? null : seg), h("div", {}, input));
          };
          render();
          return row;
        }

        async function editorPage(id) {
          const [doc] = await Promise.all([api("GET", `/api/journeys/${encodeURIComponent(id)}`), loadSecrets()]);
          const edits = new Map();
          const status = h("div", { id: "save-status" });
          const save = h("button", { class: "primary", id: "save-journey", text: "Save" });
          const runLocal = h("button", { id: "run-local", text: "Run locally", onclick: () => startRun(id, "local") });
          const runSealed = h("button", { id: "run-sealed", text: "Run sealed", onclick: () => startRun(id, "sealed") });
          edits.revision = doc.revision;
          save.addEventListener("click", () => saveJourney(id, edits, status));
          const body = [];
          if (doc.problems.length) body.push(h("div", { class: "notice bad" }, h("strong", { text: "This journey has problems; fix them in a text editor:" }),
            h("ul", {}, doc.problems.map(p => h("li", { text: `${p.file}:${p.line || "?"}: ${p.message}` })))));
          body.push(h("div", { class: "card", id: "values-panel" }, h("h2", { text: "Values panel" }),
            doc.values.length ? doc.values.map(f => fieldRow(f, edits)) : h("p", { class: "muted", text: "This journey has no values." })));
          for (const step of doc.steps) {
            body.push(h("div", { class: "card step", "data-step": step.index },
              h("h2", {}, `${step.index + 1}. ${step.name} `, h("span", { class: "pill accent", text: step.kind })),
              step.fields.map(f => fieldRow(f, edits)),
              step.notes.length ? h("div", { class: "notes", text: step.notes.join(" · ") }) : null));
          }
          body.push(h("details", { class: "card" }, h("summary", { text: `Source: ${doc.file}` }), h("pre", { class: "source", id: "journey-source", text: doc.text })));
          main.replaceChildren(
            pageHead(doc.name, `${doc.file} · ${doc.description}`, runLocal, runSealed),
            h("div", { class: "savebar" }, status, save), ...body);
        }

        async function saveJourney(id, edits, status, retried) {
          const list = [];
          for (const [path, { field, state }] of edits) if (state.source !== field.source || state.text !== field.text) list.push({ path, source: state.source, text: state.text });
          if (!list.length) { status.replaceChildren(h("span", { class: "muted", text: "Nothing changed." })); return; }
          try {
            await api("PUT", `/api/journeys/${encodeURIComponent(id)}`, { revision: edits.revision, edits: list });
            await editorPage(id);
            document.getElementById("save-status").replaceChildren(h("span", { class: "notice ok", text: `Saved ${list.length} field${list.length === 1 ? "" : "s"}; only their text changed in the file.` }));
          } catch (err) {
            if (err.status === 422 && err.data.findings && !retried) return offerSecret(id, edits, status, err.data);
            status.replaceChildren(h("div", { class: "notice bad", id: "save-error", text: message(err) }));
          }
        }

        // The leak check refused a literal: offer to seal it and put a reference in its place.
        function offerSecret(id, edits, status, refusal) {
          const finding = refusal.findings[0];
          const entry = finding.path && edits.get(finding.path);
          if (!entry) { status.replaceChildren(h("div", { class: "notice bad", text: `${refusal.error} ${finding.title}: ${finding.message}` })); return; }
          const { field, state } = entry;
          const bearer = /^Bearer\s+/.exec(state.text);
          const suggestion = field.label.replace(/^(env|header) /, "").toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");
          dialog("offer-secret", close => {
            const name = h("input", { type: "text", id: "offer-name" }); name.value = suggestion;
            const description = h("input", { type: "text", id: "offer-description", placeholder: "What it is for" });
            const nameError = h("div", { class: "error-text" });
            const error = h("div", { class: "error-text" });
            const submit = h("button", { class: "primary", type: "submit", id: "offer-submit", text: "Seal and use a reference" });
            nameChecker(name, nameError, submit);
            return h("form", { onsubmit: async e => {
              e.preventDefault(); submit.disabled = true;
              const value = bearer ? state.text.slice(bearer[0].length) : state.text;
              try {
                await api("POST", "/api/secrets", { name: name.value, description: description.value, value });
                if (bearer) { state.source = "literal"; state.text = `${bearer[0]}\${{ secrets.${name.value} }}`; }
                else if (field.sources.includes("secret")) { state.source = "secret"; state.text = name.value; }
                close();
                await saveJourney(id, edits, status, true);
              } catch (err) { error.textContent = message(err); submit.disabled = false; }
            } },
              h("h2", { text: "This looks like a credential" }),
              h("div", { class: "notice bad", text: `${finding.title} in '${field.label}'. ${finding.message}` }),
              h("p", { class: "muted", text: "Seal it as a new secret; the journey will hold a reference to its name, never the value." }),
              h("label", { for: "offer-name", text: "Secret name" }), name, nameError,
              h("label", { for: "offer-description", text: "Description" }), description, error,
              h("div", { class: "buttons" }, h("button", { type: "button", onclick: () => { close(); status.replaceChildren(h("div", { class: "notice bad", text: refusal.error })); }, text: "Cancel" }), submit));
          });
        }

        // ---------- Runs ----------
        async function startRun(id, mode) {
          try { const run = await api("POST", `/api/journeys/${encodeURIComponent(id)}/runs`, { mode, env: currentEnv }); location.href = `/runs?run=${run.id}${envQuery("&")}`; }
          catch (err) { toast(message(err)); }
        }

        async function runsPage() {
          const [{ runs }, { journeys }] = await Promise.all([api("GET", "/api/runs"), api("GET", "/api/journeys")]);
          const selected = new URLSearchParams(location.search).get("run") || (runs[0] && runs[0].id);
          const pick = h("select", { id: "run-journey" }, journeys.map(j => h("option", { value: j.id, text: j.name })));
          const mode = h("select", { id: "run-mode" }, h("option", { value: "local", text: "Local (environment, .journey/local-secrets.yaml)" }), h("option", { value: "sealed", text: "Sealed (secrets/, with a private key)" }));
          const output = h("pre", { class: "output", id: "run-output" });
          const report = h("pre", { class: "source", id: "run-report" });
          const head = h("div", {});
          main.replaceChildren(
            pageHead("Runs", "Journeys run by this server: output streams live, masked; the JSON report follows."),
            h("div", { class: "card" }, h("div", { class: "row" }, h("div", { class: "grow" }, h("label", { for: "run-journey", text: "Journey" }), pick),
              h("div", {}, h("label", { for: "run-mode", text: "Values from" }), mode),
              h("button", { class: "primary", id: "start-run", onclick: () => startRun(pick.value, mode.value), text: "Run" }))),
            h("div", { class: "grid2" },
              h("div", { class: "card" }, h("h2", { text: "Recent runs" }), runs.length ? h("ul", { class: "runlist" }, runs.map(r =>
                h("li", { class: r.id === selected ? "current" : "", onclick: () => { location.href = `/runs?run=${r.id}${envQuery("&")}`; } },
                  h("span", { class: "mono", text: r.journey }), h("span", { class: `pill ${r.status === "passed" ? "ok" : r.status === "running" ? "accent" : "bad"}`, id: `run-pill-${r.id}`, text: r.status })))) : h("p", { class: "muted", text: "No runs yet." })),
              h("div", {}, h("div", { class: "card" }, head, output), h("div", { class: "card" }, h("h2", { text: "Report" }), report))));
          if (!selected) { output.textContent = "Start a run to see its output here."; report.textContent = "—"; return; }
          const info = await api("GET", `/api/runs/${selected}`);
          head.replaceChildren(h("h2", {}, `${info.journey} `, h("span", { class: "pill", text: info.mode }), " ", h("span", { class: "pill", id: "run-status", text: info.status })));
          const response = await fetch(`/api/runs/${selected}/output`, { credentials: "same-origin" });
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            output.textContent += decoder.decode(value, { stream: true });
            output.scrollTop = output.scrollHeight;
          }
          const final = await api("GET", `/api/runs/${selected}`);
          document.getElementById("run-status").textContent = final.status;
          document.getElementById("run-status").className = `pill ${final.status === "passed" ? "ok" : "bad"}`;
          const pill = document.getElementById(`run-pill-${selected}`);
          if (pill) { pill.textContent = final.status; pill.className = document.getElementById("run-status").className; }
          report.textContent = final.report ? JSON.stringify(JSON.parse(final.report), null, 2) : "No report (the run stopped before it started).";
          document.body.setAttribute("data-run-done", final.status);
        }

        // ---------- Changes ----------
        async function changesPage() {
          let files = [];
          let failure = null;
          try { files = (await api("GET", "/api/changes")).files; } catch (err) { failure = message(err); }
          const msg = h("input", { type: "text", id: "commit-message", placeholder: "What changed and why" });
          const result = h("div", { id: "commit-result" });
          const commit = h("button", { class: "primary", id: "commit", text: "Commit", disabled: !files.length, onclick: async () => {
            commit.disabled = true;
            try { const r = await api("POST", "/api/changes/commit", { message: msg.value }); await changesPage(); toast(`Committed ${r.commit.slice(0, 10)}`); }
            catch (err) {
              commit.disabled = false;
              result.replaceChildren(h("div", { class: "notice bad", text: message(err) }),
                (err.data && err.data.findings || []).length ? h("table", {}, h("thead", {}, h("tr", {}, ["File", "Line", "Rule", "Excerpt", "Fix"].map(t => h("th", { text: t })))),
                  h("tbody", {}, err.data.findings.map(f => h("tr", {}, h("td", { class: "mono", text: f.path }), h("td", { text: f.line }), h("td", { text: f.title || f.rule }), h("td", { class: "mono", text: f.excerpt || "" }), h("td", { text: f.fix }))))) : null);
            }
          } });
          main.replaceChildren(
            pageHead("Changes", "Workspace files changed since the last commit. Committing runs the same leak check as the pre-commit hook."),
            ...(failure ? [h("div", { class: "notice bad", text: failure })] : []),
            h("div", { class: "card tablecard" }, h("table", { id: "changes-table" }, h("thead", {}, h("tr", {}, h("th", { text: "File" }), h("th", { text: "Change" }))),
              h("tbody", {}, files.length ? files.map(f => h("tr", {}, h("td", { class: "mono", text: f.path }), h("td", {}, h("span", { class: "pill", text: f.status }))))
                : h("tr", {}, h("td", { colspan: 2, class: "muted", text: "Nothing to commit: the workspace matches HEAD." }))))),
            h("div", { class: "card" }, h("div", { class: "row" }, h("div", { class: "grow" }, h("label", { for: "commit-message", text: "Commit message" }), msg), commit), result));
        }

        // A workspace with environments: a chooser in the sidebar, kept in every link.
        function setupEnvironments() {
          const environments = session.environments || [];
          if (!environments.length) { currentEnv = ""; return; }
          if (!environments.includes(currentEnv)) currentEnv = environments[0];
          const select = h("select", { id: "env-select" }, environments.map(e => h("option", { value: e, text: e, selected: e === currentEnv })));
          select.addEventListener("change", () => { const p = new URLSearchParams(location.search); p.set("env", select.value); location.search = p.toString(); });
          const place = document.querySelector(".workspace");
          if (place) place.append(h("div", { class: "env" }, h("label", { for: "env-select", text: "Environment" }), select));
          document.querySelectorAll("nav a").forEach(a => { a.href = a.getAttribute("href").split("?")[0] + envQuery("?"); });
        }

        async function route() {
          const parts = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
          try {
            if (!session) { session = await api("GET", "/api/session"); setupEnvironments(); }
            if (parts[0] === "secrets") await secretsPage();
            else if (parts[0] === "recipients") await recipientsPage();
            else if (parts[0] === "journeys" && parts[1]) await editorPage(parts[1]);
            else if (parts[0] === "journeys") await journeysPage();
            else if (parts[0] === "runs") await runsPage();
            else if (parts[0] === "changes") await changesPage();
            document.body.setAttribute("data-ready", "1");
          } catch (err) {
            main.replaceChildren(h("div", { class: "notice bad", text: message(err) }));
            document.body.setAttribute("data-ready", "1");
          }
        }
        route();
        """#
}
