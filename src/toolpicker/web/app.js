// toolpicker — the advisers' questionnaire and report (plain JavaScript, no dependency).
// After each answer the page asks /api/recommend and puts the next question an
// adviser would ask (`ask_next[0]`: the diagnostic order, most decisive first) on
// screen; the report beside it is the server's own report (/api/report?format=fragment),
// summary first. Answers are kept in the browser (localStorage) and can be shared as
// a link (#p=…) or loaded from a saved profile. Every text comes from the server's
// locale files (the JSON block #messages) or from /api/questions.
"use strict";

(function () {
  const M = JSON.parse(document.getElementById("messages").textContent);
  const LANG = document.documentElement.lang || "fr";
  const FAMILIES = ["tool_categories", "licensing_models", "accompaniments", "funding_routes", "solutions"];
  const STORE = "toolpicker.profile.v1";

  const state = {
    fields: {},          // name -> question (label, question, help, kind, values…)
    answers: {},         // name -> value
    skipped: new Set(),  // names the adviser chose to skip
    history: [],         // [{field, before}] to go back
    current: null,       // field on screen
    rec: null,           // last recommendation
    nearMisses: null,    // last near misses (null: not computed yet)
    serial: 0,           // guards against late answers from older requests
    started: false,      // focus moves only after the adviser's first action
  };

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }

  function api(path, extra) {
    const params = new URLSearchParams(Object.assign({ lang: LANG }, extra || {}));
    return "api/" + path + "?" + params.toString();
  }

  async function post(path, body, extra) {
    const response = await fetch(api(path, extra), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      let error = { message: M.error_generic, problems: [] };
      try { error = (await response.json()).error || error; } catch (e) { /* not JSON */ }
      const failure = new Error(error.message);
      failure.payload = error;
      throw failure;
    }
    return response;
  }

  function profile(extra) {
    const data = Object.assign({}, state.answers, extra || {});
    const name = $("structure-name").value.trim();
    if (name) data.name = name;
    return data;
  }

  // ------------------------------------------------------------------ values and labels

  function withLabels(message) {
    // « employees » → « Salarié·es »: people read labels, not field names
    return String(message).replace(/« ([a-z_]+) »/g, (whole, name) =>
      state.fields[name] ? "« " + state.fields[name].label + " »" : whole);
  }

  function valueLabel(name, value) {
    const field = state.fields[name];
    const labels = {};
    for (const v of (field && field.values) || []) labels[v.value] = v.label;
    if (Array.isArray(value)) return value.length ? value.map((v) => labels[v] || v).join(", ") : M.none_selected;
    if (typeof value === "boolean") return labels[String(value)] || (value ? M.yes : M.no);
    return labels[value] || String(value);
  }

  function readAnswer(form, field) {
    if (field.kind === "enum" || field.kind === "bool") {
      const checked = form.querySelector("input[name=answer]:checked");
      if (!checked) return undefined;
      return field.kind === "bool" ? checked.value === "true" : checked.value;
    }
    if (field.kind === "list_enum") {
      return Array.from(form.querySelectorAll("input[name=answer]:checked")).map((i) => i.value);
    }
    const text = form.querySelector("[name=answer]").value.trim();
    if (text === "") return undefined;
    if (field.kind === "int") return /^-?\d+$/.test(text) ? Number(text) : text;
    if (field.kind === "list_str") return text.split(/[;,|]/).map((s) => s.trim()).filter(Boolean);
    return text;
  }

  // ------------------------------------------------------------------ the question form

  function showQuestion(name) {
    const form = $("question");
    const field = state.fields[name];
    state.current = name;
    form.replaceChildren();
    form.dataset.field = name;
    form.dataset.kind = field.kind;
    form.hidden = false;
    $("done").hidden = true;
    const current = state.answers[name];
    const helpId = "question-help";
    const fieldset = el("fieldset", { "aria-describedby": field.help ? helpId : null });
    const legend = el("legend", { id: "question-title" }, el("span", { class: "field-label", text: field.label }),
      el("span", { class: "field-question", text: field.question }));
    fieldset.append(legend);
    if (field.help) fieldset.append(el("p", { id: helpId, class: "help", text: field.help }));

    if (field.kind === "enum" || field.kind === "bool" || field.kind === "list_enum") {
      const type = field.kind === "list_enum" ? "checkbox" : "radio";
      const list = el("div", { class: "choices" });
      field.values.forEach((v, i) => {
        const id = "answer-" + i;
        const value = field.kind === "bool" ? String(v.value) : v.value;
        const checked = Array.isArray(current) ? current.includes(v.value)
          : current !== undefined && String(current) === value;
        list.append(el("div", { class: "choice" },
          el("input", { type, id, name: "answer", value, checked }),
          el("label", { for: id, text: v.label })));
      });
      fieldset.append(list);
      if (type === "checkbox") fieldset.append(el("p", { class: "hint", text: M.hint_several }));
    } else if (field.kind === "int") {
      fieldset.append(el("p", {},
        el("label", { for: "answer-input", class: "visually-hidden", text: field.label }),
        el("input", { id: "answer-input", name: "answer", type: "number", inputmode: "numeric", step: 1,
                      min: field.minimum, max: field.maximum, value: current !== undefined ? current : null })));
    } else {
      fieldset.append(el("p", {},
        el("label", { for: "answer-input", text: M.hint_free_list }),
        el("input", { id: "answer-input", name: "answer", type: "text",
                      value: Array.isArray(current) ? current.join(", ") : (current || null) })));
    }
    fieldset.append(el("p", { id: "question-error", class: "field-error", role: "alert" }));
    form.append(fieldset);
    form.append(el("div", { class: "buttons" },
      el("button", { type: "submit", id: "answer-submit", class: "primary", text: M.submit }),
      el("button", { type: "button", id: "answer-skip", text: M.skip, onclick: skip }),
      el("button", { type: "button", id: "answer-back", text: M.back, onclick: back,
                     disabled: state.history.length === 0 })));
    if (state.started) (form.querySelector("input") || form).focus();
  }

  function showDone() {
    const form = $("question");
    state.current = null;
    form.hidden = true;
    form.replaceChildren();
    delete form.dataset.field;
    const done = $("done");
    done.replaceChildren(M.done);
    if (state.history.length) {
      done.append(" ", el("button", { type: "button", id: "done-back", text: M.back, onclick: back }));
    }
    done.hidden = false;
    if (state.started) done.focus();
  }

  function nextQuestion() {
    const asked = state.rec ? (state.rec.ask_next && state.rec.ask_next.length ? state.rec.ask_next
      : state.rec.missing) : [];
    const remaining = asked.filter((m) => !(m.field in state.answers) && !state.skipped.has(m.field));
    const skipped = state.rec ? state.rec.missing.filter((m) => state.skipped.has(m.field)).length : 0;
    $("progress").textContent = fmt(M.progress, {
      answered: Object.keys(state.answers).length, remaining: remaining.length, skipped });
    if (remaining.length) showQuestion(remaining[0].field); else showDone();
  }

  function remember(name) {
    state.history.push({
      field: name,
      before: name in state.answers ? { answer: state.answers[name] } : { skipped: state.skipped.has(name) },
    });
  }

  async function submit(event) {
    event.preventDefault();
    const form = $("question");
    const name = state.current;
    if (!name) return;
    const field = state.fields[name];
    const value = readAnswer(form, field);
    const errorBox = $("question-error");
    if (value === undefined) {
      errorBox.textContent = M.choose_or_skip;
      return;
    }
    const trial = Object.assign({}, state.answers, { [name]: value });
    try {
      await refresh(trial);
    } catch (failure) {
      const problems = (failure.payload && failure.payload.problems) || [];
      errorBox.textContent = problems.length
        ? problems.map((p) => withLabels(p.message) + (p.suggestion ? " " + withLabels(p.suggestion) : "")).join(" ")
        : failure.message;
      return;
    }
    remember(name);
    state.answers[name] = value;
    state.skipped.delete(name);
    persist();
    renderAnswers();
    nextQuestion();
  }

  function skip() {
    const name = state.current;
    if (!name) return;
    remember(name);
    delete state.answers[name];
    state.skipped.add(name);
    persist();
    renderAnswers();
    nextQuestion();
  }

  async function back() {
    const last = state.history.pop();
    if (!last) return;
    delete state.answers[last.field];
    state.skipped.delete(last.field);
    if (last.before.answer !== undefined) state.answers[last.field] = last.before.answer;
    if (last.before.skipped) state.skipped.add(last.field);
    persist();
    renderAnswers();
    await refresh(state.answers).catch(showFailure);
    showQuestion(last.field);
  }

  function change(name) {
    showQuestion(name);
    $("question").scrollIntoView({ block: "start" });
  }

  // ------------------------------------------------------------------ answers list

  function renderAnswers() {
    const list = $("answer-list");
    list.replaceChildren();
    const names = Object.keys(state.fields).filter((n) => n in state.answers || state.skipped.has(n));
    $("no-answers").hidden = names.length > 0;
    for (const name of names) {
      const field = state.fields[name];
      const answered = name in state.answers;
      list.append(el("li", { "data-field": name },
        el("span", { class: "answer-label", text: field.label + " : " }),
        el("span", { class: answered ? "answer-value" : "answer-skipped",
                     text: answered ? valueLabel(name, state.answers[name]) : M.skipped }),
        " ",
        el("button", { type: "button", class: "link", "aria-label": fmt(M.change_aria, { field: field.label }),
                       text: answered ? M.change : M.answer_now, onclick: () => change(name) })));
    }
  }

  // ------------------------------------------------------------------ the report

  async function renderReport(serial, data) {
    // The server's report (the same as the printed one: summary first, in words); HTML it escaped itself.
    const detail = $("detail").checked ? { detail: "true" } : {};
    const html = await (await post("report", data, Object.assign({ format: "fragment" }, detail))).text();
    if (serial !== state.serial) return;
    $("report-body").innerHTML = html;
    const rec = state.rec;
    const count = FAMILIES.reduce((n, f) => n + rec[f].length, 0);
    $("report-status").textContent = fmt(M.updated, { count });
  }

  function renderNearMisses() {
    const body = $("near-body");
    if (state.nearMisses === null) {
      body.replaceChildren(el("p", { class: "empty loading", text: M.near_misses_loading }));
    } else if (!state.nearMisses.length) {
      body.replaceChildren(el("p", { class: "empty none", text: M.near_misses_none }));
    } else {
      body.replaceChildren(el("ul", {}, state.nearMisses.map((n) => el("li", { "data-id": n.id },
        el("strong", { text: n.label }), " — ", n.counterfactual ? n.counterfactual.sentence : n.summary))));
    }
  }

  async function refresh(data) {
    const serial = ++state.serial;
    $("report").setAttribute("aria-busy", "true");
    try {
      const rec = await (await post("recommend", profile(data))).json();
      if (serial !== state.serial) return;
      state.rec = rec;
      state.nearMisses = null;
      renderNearMisses();
      await renderReport(serial, profile(data));
      loadNearMisses(serial, profile(data));
    } finally {
      if (serial === state.serial) $("report").setAttribute("aria-busy", "false");
    }
  }

  async function loadNearMisses(serial, data) {
    await new Promise((resolve) => setTimeout(resolve, 400));
    if (serial !== state.serial) return;
    try {
      const found = await (await post("near-misses", data)).json();
      if (serial !== state.serial) return;
      state.nearMisses = found.near_misses;
    } catch (failure) {
      if (serial !== state.serial) return;
      state.nearMisses = [];
    }
    renderNearMisses();
  }

  function showFailure(failure) {
    $("report-status").textContent = failure.message || M.error_generic;
  }

  // ------------------------------------------------------------------ keeping the adviser's work

  function persist() {
    try {
      localStorage.setItem(STORE, JSON.stringify({ answers: state.answers, skipped: Array.from(state.skipped),
                                                   name: $("structure-name").value }));
    } catch (e) { /* storage full or disabled: the page still works */ }
  }

  function adopt(saved) {
    state.answers = {};
    for (const [key, value] of Object.entries(saved.answers || {})) {
      if (key in state.fields) state.answers[key] = value;
    }
    state.skipped = new Set((saved.skipped || []).filter((k) => k in state.fields));
    $("structure-name").value = saved.name || "";
  }

  function fromLink() {
    const match = /(?:^|&)p=([^&]+)/.exec(location.hash.slice(1));
    if (!match) return null;
    try {
      const text = decodeURIComponent(escape(atob(match[1].replace(/-/g, "+").replace(/_/g, "/"))));
      const data = JSON.parse(text);
      const name = data.name;
      delete data.name;
      return { answers: data, skipped: [], name: name || "" };
    } catch (e) {
      return null;
    }
  }

  function shareLink() {
    const json = JSON.stringify(profile());
    const code = btoa(unescape(encodeURIComponent(json))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const url = location.href.split("#")[0] + "#p=" + code;
    history.replaceState(null, "", url);
    if (navigator.clipboard) navigator.clipboard.writeText(url).catch(() => {});
    $("report-status").textContent = fmt(M.link_ready, { url });
  }

  async function loadFile(event) {
    const file = event.target.files && event.target.files[0];
    if (!file) return;
    try {
      const text = await file.text();
      const response = await fetch(api("profile/parse"), { method: "POST", headers: { "Content-Type": "text/plain" },
                                                           body: text });
      const payload = await response.json();
      if (!response.ok) {
        const error = payload.error || { message: M.error_generic, problems: [] };
        $("report-status").textContent = withLabels([error.message].concat(
          (error.problems || []).map((p) => p.message)).join(" "));
        return;
      }
      const name = payload.profile.name;
      delete payload.profile.name;
      adopt({ answers: payload.profile, skipped: [], name });
      state.history = [];
      persist();
      renderAnswers();
      await refresh(state.answers);
      nextQuestion();
      $("report-status").textContent = fmt(M.profile_loaded, { file: file.name });
    } catch (failure) {
      showFailure(failure);
    } finally {
      event.target.value = "";
    }
  }

  async function restart() {
    state.answers = {};
    state.skipped = new Set();
    state.history = [];
    $("structure-name").value = "";
    try { localStorage.removeItem(STORE); } catch (e) { /* ignore */ }
    history.replaceState(null, "", location.href.split("#")[0]);
    renderAnswers();
    await refresh(state.answers).catch(showFailure);
    nextQuestion();
  }

  // ------------------------------------------------------------------ downloads

  function save(blob, filename) {
    const url = URL.createObjectURL(blob);
    const link = el("a", { href: url, download: filename, class: "visually-hidden" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async function download(kind) {
    try {
      if (kind === "json") {
        save(new Blob([JSON.stringify(state.rec, null, 2) + "\n"], { type: "application/json" }), M.file_json);
      } else if (kind === "yaml") {
        save(await (await post("profile.yaml", profile())).blob(), M.file_yaml);
      } else {
        save(await (await post("report", profile(), { format: kind })).blob(),
          kind === "html" ? M.file_html : M.file_markdown);
      }
    } catch (failure) {
      showFailure(failure);
    }
  }

  // ------------------------------------------------------------------ start

  async function start() {
    $("question").addEventListener("submit", submit);
    $("print").addEventListener("click", () => window.print());
    $("download-json").addEventListener("click", () => download("json"));
    $("download-markdown").addEventListener("click", () => download("markdown"));
    $("download-html").addEventListener("click", () => download("html"));
    $("download-yaml").addEventListener("click", () => download("yaml"));
    $("structure-name").addEventListener("change", () => { persist(); refresh(state.answers).catch(showFailure); });
    $("share").addEventListener("click", shareLink);
    $("load-profile").addEventListener("change", loadFile);
    $("detail").addEventListener("change", () => refresh(state.answers).catch(showFailure));
    $("restart").addEventListener("click", restart);
    try {
      const response = await fetch(api("questions"));
      const data = await response.json();
      for (const field of data.fields) state.fields[field.field] = field;
      let saved = fromLink();
      if (!saved) {
        try { saved = JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { saved = null; }
      }
      if (saved) adopt(saved);
      await refresh(state.answers);
      renderAnswers();
      nextQuestion();
      state.started = true;
    } catch (failure) {
      $("question").replaceChildren(el("p", { class: "alert", role: "alert", text: M.error_start }));
    }
  }

  // For dossiers.js: the profile on screen, and a saved profile loaded into the questionnaire.
  window.toolpickerPage = {
    profile: () => profile(),
    load: async (saved) => {
      const answers = {};
      for (const [key, value] of Object.entries(saved || {})) if (value !== null && key !== "name") answers[key] = value;
      adopt({ answers, skipped: [], name: (saved && saved.name) || "" });
      state.history = [];
      persist();
      renderAnswers();
      await refresh(state.answers);
      nextQuestion();
    },
  };

  start();
})();
