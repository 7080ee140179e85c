/// The style sheet of every page (served as /assets/app.css).
enum AppStyle {
    static let text = #"""
        :root {
          --bg: #f6f7f9; --panel: #ffffff; --line: #e3e6eb; --text: #1d2330; --muted: #667085;
          --accent: #3b5bdb; --accent-soft: #edf2ff; --danger: #c92a2a; --danger-soft: #fff5f5;
          --ok: #2b8a3e; --ok-soft: #ebfbee; --warn: #e67700; --warn-soft: #fff9db; --mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
        }
        * { box-sizing: border-box; }
        html, body { margin: 0; height: 100%; }
        body { display: flex; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--text); background: var(--bg); }
        .sidebar { width: 224px; flex: none; background: #151a26; color: #c9d1e0; display: flex; flex-direction: column; padding: 18px 12px; }
        .brand { display: flex; gap: 10px; align-items: center; padding: 0 8px 18px; }
        .brand .logo { width: 30px; height: 30px; border-radius: 8px; background: var(--accent); color: #fff; display: grid; place-items: center; font-weight: 700; }
        .brand strong { display: block; color: #fff; font-size: 15px; }
        .brand small { color: #8d98ad; font-size: 12px; }
        .sidebar nav { display: flex; flex-direction: column; gap: 2px; }
        .sidebar nav a { color: #c9d1e0; text-decoration: none; padding: 8px 10px; border-radius: 6px; }
        .sidebar nav a:hover { background: #222a3b; color: #fff; }
        .sidebar nav a.current { background: #2a3550; color: #fff; font-weight: 600; }
        .sidebar .workspace { margin-top: auto; padding: 10px; font-size: 12px; color: #8d98ad; border-top: 1px solid #252d3d; }
        main { flex: 1; padding: 28px 36px; overflow: auto; max-width: 1280px; }
        h1 { font-size: 22px; margin: 0 0 4px; }
        h2 { font-size: 16px; margin: 0 0 12px; }
        .subtitle { color: var(--muted); margin: 0 0 20px; }
        .muted { color: var(--muted); }
        .pagehead { display: flex; align-items: flex-start; justify-content: space-between; gap: 16px; margin-bottom: 18px; }
        .card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin-bottom: 18px; }
        .toolbar { display: flex; gap: 10px; align-items: center; margin-bottom: 12px; }
        table { width: 100%; border-collapse: collapse; background: var(--panel); }
        .tablecard { padding: 0; overflow: hidden; }
        th, td { text-align: left; padding: 10px 14px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); background: #fafbfc; font-weight: 600; }
        tr:last-child td { border-bottom: none; }
        td.name { font-family: var(--mono); font-weight: 600; white-space: nowrap; }
        textarea.masked, input.masked { -webkit-text-security: disc; }
        td.actions { white-space: nowrap; text-align: right; }
        code, .mono { font-family: var(--mono); font-size: 13px; }
        button, .button { font: inherit; border: 1px solid var(--line); background: #fff; color: var(--text); border-radius: 6px; padding: 6px 12px; cursor: pointer; text-decoration: none; display: inline-block; }
        button:hover, .button:hover { border-color: #c3c9d4; background: #f8f9fb; }
        button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        button.primary:hover { background: #364fc7; }
        button.danger { color: var(--danger); }
        button.small { padding: 3px 9px; font-size: 13px; }
        button:disabled { opacity: .5; cursor: default; }
        input[type=text], input[type=password], input[type=search], textarea, select { font: inherit; border: 1px solid #cfd4dc; border-radius: 6px; padding: 7px 10px; width: 100%; background: #fff; color: var(--text); }
        textarea { font-family: var(--mono); font-size: 13px; min-height: 72px; resize: vertical; }
        input:focus, textarea:focus, select:focus { outline: 2px solid var(--accent-soft); border-color: var(--accent); }
        label { display: block; font-weight: 600; margin: 12px 0 4px; }
        .hint { font-weight: 400; color: var(--muted); font-size: 12px; }
        .error-text { color: var(--danger); font-size: 13px; min-height: 18px; margin-top: 4px; }
        .pill { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 12px; background: #f1f3f5; color: #495057; margin: 1px 4px 1px 0; white-space: nowrap; }
        .pill.accent { background: var(--accent-soft); color: var(--accent); }
        .pill.ok { background: var(--ok-soft); color: var(--ok); }
        .pill.bad { background: var(--danger-soft); color: var(--danger); }
        .pill.warn { background: var(--warn-soft); color: var(--warn); }
        dialog { border: none; border-radius: 12px; padding: 0; width: min(520px, 92vw); box-shadow: 0 20px 60px rgba(16, 24, 40, .25); }
        dialog::backdrop { background: rgba(16, 24, 40, .45); }
        dialog form, dialog .body { padding: 22px 24px 18px; }
        dialog h2 { margin-bottom: 4px; }
        dialog .buttons { display: flex; justify-content: flex-end; gap: 8px; margin-top: 18px; }
        .notice { border-radius: 8px; padding: 10px 12px; margin: 10px 0; font-size: 13px; }
        .notice.bad { background: var(--danger-soft); color: #8a1c1c; border: 1px solid #ffc9c9; }
        .notice.info { background: var(--accent-soft); color: #263d8f; border: 1px solid #d0dbff; }
        .notice.ok { background: var(--ok-soft); color: #1f6b30; border: 1px solid #b2f2bb; }
        #toast { position: fixed; right: 24px; bottom: 24px; background: #1d2330; color: #fff; padding: 10px 16px; border-radius: 8px; opacity: 0; transition: opacity .2s; pointer-events: none; max-width: 420px; }
        #toast.show { opacity: 1; }
        .field { display: grid; grid-template-columns: 170px 340px 1fr; gap: 12px; align-items: start; padding: 10px 0; border-bottom: 1px dashed var(--line); }
        .field:last-child { border-bottom: none; }
        .field .label { font-family: var(--mono); font-weight: 600; padding-top: 7px; overflow-wrap: anywhere; }
        .field .label .pill { font-family: system-ui, sans-serif; font-weight: 400; }
        .field.changed { background: linear-gradient(90deg, var(--accent-soft), transparent 60%); }
        .segmented { display: inline-flex; border: 1px solid #cfd4dc; border-radius: 6px; overflow: hidden; }
        .segmented button { white-space: nowrap; border: none; border-radius: 0; padding: 6px 9px; font-size: 12.5px; border-right: 1px solid #cfd4dc; }
        .segmented button:last-child { border-right: none; }
        .segmented button[aria-pressed=true] { background: var(--accent); color: #fff; }
        .picker { position: relative; }
        .picker .chosen { width: 100%; text-align: left; font-family: var(--mono); display: flex; justify-content: space-between; }
        .picker .menu { position: absolute; z-index: 5; top: 100%; left: 0; right: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; box-shadow: 0 12px 30px rgba(16, 24, 40, .15); margin-top: 4px; padding: 6px; }
        .picker .menu ul { list-style: none; margin: 6px 0 0; padding: 0; max-height: 260px; overflow: auto; }
        .picker .menu li { padding: 7px 9px; border-radius: 6px; cursor: pointer; }
        .picker .menu li:hover, .picker .menu li.active { background: var(--accent-soft); }
        .picker .menu li .n { font-family: var(--mono); font-weight: 600; }
        .picker .menu li .d { color: var(--muted); font-size: 12px; }
        .picker .menu li.new { color: var(--accent); font-weight: 600; border-top: 1px solid var(--line); margin-top: 4px; }
        .step { border-left: 3px solid var(--accent); }
        .step h2 .pill { vertical-align: middle; }
        .notes { color: var(--muted); font-size: 13px; margin-top: 8px; }
        pre.output { background: #0f1320; color: #d8dee9; padding: 14px 16px; border-radius: 8px; font: 12.5px/1.5 var(--mono); min-height: 140px; max-height: 460px; overflow: auto; white-space: pre-wrap; margin: 0; }
        pre.source { background: #fafbfc; border: 1px solid var(--line); padding: 12px 14px; border-radius: 8px; font: 12.5px/1.5 var(--mono); overflow: auto; margin: 8px 0 0; }
        .grid2 { display: grid; grid-template-columns: 300px 1fr; gap: 18px; }
        .runlist { list-style: none; margin: 0; padding: 0; }
        .runlist li { padding: 9px 10px; border-radius: 6px; cursor: pointer; display: flex; justify-content: space-between; gap: 8px; }
        .runlist li:hover, .runlist li.current { background: var(--accent-soft); }
        .row { display: flex; gap: 10px; align-items: end; flex-wrap: wrap; }
        .row > * { flex: none; }
        .row .grow { flex: 1; }
        .savebar { position: sticky; top: 0; z-index: 4; display: flex; gap: 10px; align-items: center; justify-content: space-between; background: var(--bg); padding: 6px 0 12px; }
        .problems li { margin: 4px 0; }
        a { color: var(--accent); }
        """#
}
