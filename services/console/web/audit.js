// Audit log: filters kept in the URL, server-side paging with the gateway's
// page tokens (a stack of them for Previous), and a CSV of the filters.
"use strict";

(() => {
  const C = Console;
  const FIELDS = ["practice", "patient", "actor", "recipient", "action",
                  "outcome", "since", "until", "page_size"];

  function input(name) { return document.getElementById("f-" + name.replace("_", "-")); }

  function filters() {
    const f = {};
    for (const name of FIELDS) f[name] = input(name).value.trim();
    return f;
  }

  function apiParams(f) {
    return {practice: f.practice, patient: f.patient, actor: f.actor,
            recipient: f.recipient, action: f.action, outcome: f.outcome,
            since: C.dayToIso(f.since, false), until: C.dayToIso(f.until, true)};
  }

  function eventRow(e) {
    const subject = e.subjectId || e.detail || "";
    return C.el("tr", {"data-seq": e.seq},
        C.el("td", {class: "num"}, C.el("a", {href: "/event?seq=" + e.seq}, e.seq)),
        C.el("td", {}, C.time(e.time)),
        C.el("td", {}, e.actorPrincipalId, C.el("span", {class: "muted"}, " (" + C.short(e.actorRole) + ")")),
        C.el("td", {}, C.short(e.action)),
        C.el("td", {}, C.patient(e)),
        C.el("td", {}, e.recipientOrgId),
        C.el("td", {}, C.isUnspecified(e.outcome) ? "" : C.short(e.outcome)),
        C.el("td", {class: "mono"}, subject));
  }

  let pager = null;

  async function load() {
    const f = filters();
    const error = C.clear(document.getElementById("events-error"));
    const body = C.clear(document.querySelector("#events tbody"));
    document.body.dataset.loaded = "";
    try {
      const params = apiParams(f);
      params.page_token = pager.token();
      params.page_size = f.page_size;
      const r = await C.get("events", params);
      const events = r.events || [];
      events.forEach(e => body.append(eventRow(e)));
      pager.shown(r.nextPageToken);
      document.getElementById("result-info").textContent = events.length === 0
          ? "No matching events."
          : "Events " + events[0].seq + " to " + events[events.length - 1].seq +
            " (in sequence order)" + (r.nextPageToken ? "; more follow." : ".");
      document.body.dataset.loaded = "1";
    } catch (e) {
      C.showError(error, e);
      pager.failed();
      document.body.dataset.loaded = "error";
    }
  }

  function apply() {
    const f = filters();
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v && !(k === "page_size" && v === "50")) q.set(k, v);
    history.replaceState(null, "", "/audit" + (q.toString() ? "?" + q : ""));
    pager.reset();
    load();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const p = C.pageParams();
    for (const name of FIELDS) if (p.get(name)) input(name).value = p.get(name);
    document.getElementById("filters").addEventListener("submit", e => {
      e.preventDefault();
      apply();
    });
    document.getElementById("reset").addEventListener("click", () => {
      for (const name of FIELDS) input(name).value = name === "page_size" ? "50" : "";
      apply();
    });
    document.getElementById("export-csv").addEventListener("click", () =>
        C.download("export/audit.csv", apiParams(filters()),
                   document.getElementById("export-status")));
    pager = new C.TokenPager(load);
    load();
  });
})();
