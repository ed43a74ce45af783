// toolpicker — dossiers on the advisers' page (plain JavaScript, no dependency).
// Save the questionnaire on screen as a diagnosis (a new dossier or an existing one), open a dossier, see its
// history, compare two diagnoses and print the follow-up report. Everything goes through /api/dossiers; the
// sentences come from the server (report?format=fragment), the other texts from the page's messages (#messages).
// Beyond loopback the server asks for a token: the adviser types it once, it stays in this tab (sessionStorage).
"use strict";

(function () {
  const M = JSON.parse(document.getElementById("messages").textContent);
  const LANG = document.documentElement.lang || "fr";
  const TOKEN = "toolpicker.dossier-token";
  const $ = (id) => document.getElementById(id);
  const state = { open: null, dossiers: [] };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }

  function say(text) {
    $("dossier-status").textContent = text;
  }

  function token() {
    try { return sessionStorage.getItem(TOKEN) || ""; } catch (e) { return ""; }
  }

  async function call(method, path, body, extra) {
    const params = new URLSearchParams(Object.assign({ lang: LANG }, extra || {}));
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token()) headers.Authorization = "Bearer " + token();
    const response = await fetch("api/dossiers" + path + "?" + params.toString(),
      { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 401) {
      $("dossier-auth").hidden = false;
      throw new Error(M.dossier_token_needed);
    }
    if (!response.ok) {
      let message = M.error_generic;
      try {
        const error = (await response.json()).error;
        message = [error.message].concat((error.problems || []).filter((p) => p.message !== error.message)
          .map((p) => p.message + (p.suggestion ? " " + p.suggestion : ""))).join(" ");
      } catch (e) { /* not JSON */ }
      throw new Error(message);
    }
    return response;
  }

  function label(dossier) {
    return (dossier.name || M.dossier_unnamed) + " (" + dossier.id + ")";
  }

  // ------------------------------------------------------------------ the list, and where to save

  async function refreshList(keep) {
    state.dossiers = await (await call("GET", "")).json();
    const target = $("dossier-target");
    const chosen = keep !== undefined ? keep : target.value;
    target.replaceChildren(el("option", { value: "", text: M.dossier_new }),
      ...state.dossiers.map((d) => el("option", { value: d.id, text: label(d) })));
    target.value = state.dossiers.some((d) => d.id === chosen) ? chosen : "";
    const list = $("dossier-list");
    list.replaceChildren(...state.dossiers.map((d) => el("li", { "data-id": d.id },
      el("span", { class: "dossier-name", text: label(d) }), " — ",
      fmt(M.dossier_count, { count: d.diagnoses, date: d.updated.slice(0, 10) }), " ",
      el("button", { type: "button", class: "link", text: M.dossier_open, onclick: () => openDossier(d.id) }))));
    $("dossier-none").hidden = state.dossiers.length > 0;
  }

  async function save() {
    const page = window.toolpickerPage;
    const target = $("dossier-target").value;
    const note = $("dossier-note").value.trim();
    try {
      const added = await (await call("POST", target ? "/" + encodeURIComponent(target) + "/diagnoses" : "",
        { profile: page.profile(), note: note || null })).json();
      $("dossier-note").value = "";
      await refreshList(added.dossier);
      if (state.open === added.dossier || !state.open) await openDossier(added.dossier);
      say(fmt(M.dossier_saved, { n: added.diagnosis, id: added.dossier }));
    } catch (failure) {
      say(failure.message);
    }
  }

  // ------------------------------------------------------------------ one dossier: history, comparison

  async function openDossier(id) {
    try {
      const dossier = await (await call("GET", "/" + encodeURIComponent(id))).json();
      state.open = dossier.id;
      state.last = dossier.diagnoses[dossier.diagnoses.length - 1];
      $("dossier-title").textContent = label(dossier);
      $("dossier-history").replaceChildren(...dossier.diagnoses.map((d) => el("li", { "data-n": d.n },
        fmt(M.dossier_diagnosis, { n: d.n, date: d.date }), d.note ? " — " + d.note : "")));
      for (const [select, pick] of [["compare-from", -2], ["compare-to", -1]]) {
        const options = dossier.diagnoses.map((d) => el("option", { value: d.n, text: "n°" + d.n + " — " + d.date }));
        $(select).replaceChildren(...options);
        $(select).value = String(dossier.diagnoses[Math.max(0, dossier.diagnoses.length + pick)].n);
      }
      $("dossier-view").hidden = false;
      $("dossier-diff").replaceChildren();
      $("dossier-target").value = dossier.id;
      say(fmt(M.dossier_opened, { name: label(dossier), count: dossier.diagnoses.length }));
      if (dossier.diagnoses.length >= 2) await compare();
    } catch (failure) {
      say(failure.message);
    }
  }

  async function followUp(extra) {
    const response = await call("GET", "/" + encodeURIComponent(state.open) + "/report",
      undefined, Object.assign({ format: "fragment" }, extra || {}));
    return response.text();
  }

  async function compare() {
    try {
      const html = await followUp({ from: $("compare-from").value, to: $("compare-to").value });
      $("dossier-diff").innerHTML = html;  // HTML the server escaped itself
    } catch (failure) {
      say(failure.message);
    }
  }

  async function printFollowUp() {
    try {
      $("followup").innerHTML = await followUp();
      document.body.classList.add("printing-followup");
      window.print();
    } catch (failure) {
      say(failure.message);
    }
  }

  async function resume() {
    if (!state.last) return;
    await window.toolpickerPage.load(state.last.profile);
    say(fmt(M.dossier_resumed, { n: state.last.n }));
  }

  function keepToken(event) {
    event.preventDefault();
    try { sessionStorage.setItem(TOKEN, $("dossier-token").value.trim()); } catch (e) { /* private mode */ }
    $("dossier-token").value = "";
    $("dossier-auth").hidden = true;
    refreshList().then(() => say(M.dossier_token_ok)).catch((failure) => say(failure.message));
  }

  function start() {
    $("dossier-save").addEventListener("click", save);
    $("dossier-refresh").addEventListener("click", () => refreshList().catch((failure) => say(failure.message)));
    $("dossier-compare").addEventListener("click", compare);
    $("dossier-print").addEventListener("click", printFollowUp);
    $("dossier-resume").addEventListener("click", resume);
    $("dossier-auth").addEventListener("submit", keepToken);
    // The report's own print button prints the report again (capture: before the page's handler prints).
    document.addEventListener("click", (event) => {
      if (event.target instanceof Element && event.target.closest("#print")) {
        document.body.classList.remove("printing-followup");
      }
    }, true);
    refreshList().catch((failure) => say(failure.message));
  }

  start();
})();
