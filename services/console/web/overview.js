// Overview: the chain verification with its signed checkpoint, counts by
// action for a period, three charts, and the export buttons.
"use strict";

(() => {
  const C = Console;
  const charts = {};

  // How often the page asks how a verification in progress is doing.
  const VERIFY_POLL_MS = 500;

  function seconds(ms) { return (ms / 1000).toFixed(1) + " s"; }

  // The last completed run's report, or its refusal.
  function showLastRun(result, details, last) {
    if (last.error) {
      C.showError(result, new C.ApiError(last.error.status, last.error.code,
                                         last.error.error));
      return;
    }
    const r = last.result, cp = r.checkpoint || {};
    result.append(r.ok
        ? C.el("div", {class: "status ok", id: "verify-ok"},
               "VERIFIED: the hash chain is intact from seq 1 through seq " +
               r.verifiedThroughSeq + ", and every signed checkpoint's " +
               "signature is valid and matches the chain.")
        : C.el("div", {class: "status bad", id: "verify-failed"},
               "FAILED at seq " + r.firstBadSeq + ": " + r.problem +
               " (verified good through seq " + r.verifiedThroughSeq + ")"),
        C.el("p", {class: "muted", id: "verify-when"},
             "Verification " + last.run + " of this console session, " +
             "finished " + C.time(last.finishedAt) + " (took " +
             seconds(last.durationMs) + ")."));
    details.append(
        C.el("dt", {}, "Checkpoint seq"), C.el("dd", {id: "checkpoint-seq"}, String(cp.seq || "")),
        C.el("dt", {}, "Key id"), C.el("dd", {id: "checkpoint-key"}, cp.keyId || ""),
        C.el("dt", {}, "Signed at"), C.el("dd", {id: "checkpoint-time"}, C.time(cp.time)),
        C.el("dt", {}, "Origin"), C.el("dd", {}, cp.origin || ""),
        C.el("dt", {}, "Head hash"), C.el("dd", {class: "mono"}, C.b64ToHex(cp.headHash)));
  }

  // A verification state of /api/verify: the run in progress, if any, then
  // the last completed one.
  function showVerification(state) {
    const result = C.clear(document.getElementById("verify-result"));
    const details = C.clear(document.getElementById("checkpoint"));
    if (state.running) {
      const took = state.last && state.last.durationMs !== undefined
          ? " (the last one took " + seconds(state.last.durationMs) + ")" : "";
      result.append(C.el("div", {class: "status info", id: "verify-running",
                                 role: "status"},
          "Verifying the hash chain and the signed checkpoints: " +
          seconds(state.runningForMs) + " so far" + took + "." +
          (state.last ? " Until it completes, the last completed " +
                        "verification is shown below." : "")));
    }
    if (state.last) showLastRun(result, details, state.last);
  }

  // Starts a verification in the console's background (or joins the one
  // running) and follows it until it completes.
  async function verify() {
    const button = document.getElementById("verify-again");
    button.disabled = true;
    try {
      let state = await (await C.post("verify")).json();
      showVerification(state);
      while (state.running) {
        await new Promise(resolve => setTimeout(resolve, VERIFY_POLL_MS));
        state = await C.get("verify");
        showVerification(state);
      }
    } catch (e) {
      C.clear(document.getElementById("checkpoint"));
      C.showError(document.getElementById("verify-result"), e);
    } finally {
      button.disabled = false;
    }
  }

  function periodParams() {
    return {
      since: C.dayToIso(document.getElementById("since").value, false),
      until: C.dayToIso(document.getElementById("until").value, true),
    };
  }

  // The months from `since` (YYYY-MM-DD) to `until`, as "YYYY-MM".
  function monthsBetween(since, until) {
    const out = [];
    const d = new Date(since.slice(0, 7) + "-01T00:00:00Z");
    const end = new Date(until + "T00:00:00Z");
    while (d <= end && out.length < 240) {
      out.push(d.toISOString().slice(0, 7));
      d.setUTCMonth(d.getUTCMonth() + 1);
    }
    return out;
  }

  const PALETTE = ["#1f5fa8", "#d9822b", "#2e9e6b", "#b3261e", "#7b5ea7",
                   "#0f8b8d", "#c2a83e", "#5b6472"];

  function draw(id, config, empty) {
    if (charts[id]) charts[id].destroy();
    const canvas = document.getElementById(id);
    const box = canvas.parentElement;
    box.querySelectorAll(".chart-empty").forEach(n => n.remove());
    if (empty) box.append(C.el("p", {class: "chart-empty"}, "No events in this period."));
    config.options = Object.assign({
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {legend: {display: config.type === "bar" && config.data.datasets.length > 1}},
    }, config.options || {});
    charts[id] = new Chart(canvas, config);
  }

  function renderCounts(summary) {
    const counts = C.clear(document.getElementById("action-counts"));
    const rows = summary.actionCounts || [];
    if (rows.length === 0) counts.append(C.el("p", {class: "muted"}, "No events in this period."));
    for (const row of rows) {
      counts.append(C.el("div", {class: "count", "data-action": row.action},
          C.el("div", {class: "n"}, Number(row.count).toLocaleString("en-US")),
          C.el("div", {class: "label"}, C.words(row.action))));
    }
  }

  function renderCharts(summary, since, until) {
    const months = monthsBetween(since, until);
    const bySpecialty = new Map();
    for (const row of summary.disclosuresByMonth || []) {
      const name = C.isUnspecified(row.specialty) ? "Unlisted provider" : C.words(row.specialty);
      if (!bySpecialty.has(name)) bySpecialty.set(name, new Array(months.length).fill(0));
      const i = months.indexOf(row.monthStart.slice(0, 7));
      if (i >= 0) bySpecialty.get(name)[i] += Number(row.count);
    }
    draw("chart-disclosures", {
      type: "bar",
      data: {labels: months, datasets: [...bySpecialty].map(([label, data], i) => ({
        label, data, backgroundColor: PALETTE[i % PALETTE.length]}))},
      options: {scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, ticks: {precision: 0}}},
                plugins: {legend: {display: true, position: "bottom"}}},
    }, bySpecialty.size === 0);
    const denials = summary.denialsByReason || [];
    draw("chart-denials", {
      type: "bar",
      data: {labels: denials.map(r => C.words(r.reason)),
             datasets: [{label: "Denied disclosures", data: denials.map(r => Number(r.count)),
                         backgroundColor: "#b3261e"}]},
      options: {indexAxis: "y", scales: {x: {beginAtZero: true, ticks: {precision: 0}}}},
    }, denials.length === 0);
    const access = summary.accessDeniedByPrincipal || [];
    draw("chart-access", {
      type: "bar",
      data: {labels: access.map(r => r.principalId),
             datasets: [{label: "Access denied", data: access.map(r => Number(r.count)),
                         backgroundColor: "#d9822b"}]},
      options: {indexAxis: "y", scales: {x: {beginAtZero: true, ticks: {precision: 0}}}},
    }, access.length === 0);
  }

  async function summarize() {
    const error = C.clear(document.getElementById("summary-error"));
    const since = document.getElementById("since").value;
    const until = document.getElementById("until").value;
    try {
      const summary = await C.get("summary", periodParams());
      renderCounts(summary);
      renderCharts(summary, since, until);
      document.body.dataset.summaryLoaded = "1";
    } catch (e) {
      C.showError(error, e);
      document.body.dataset.summaryLoaded = "error";
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const p = C.pageParams();
    document.getElementById("since").value = p.get("since") || C.monthsAgoUtc(11);
    document.getElementById("until").value = p.get("until") || C.todayUtc();
    document.getElementById("period").addEventListener("submit", e => {
      e.preventDefault();
      summarize();
    });
    document.getElementById("verify-again").addEventListener("click", verify);
    const status = document.getElementById("export-status");
    document.getElementById("export-json").addEventListener("click",
        () => C.download("export/audit.json", {}, status));
    document.getElementById("export-csv").addEventListener("click",
        () => C.download("export/audit.csv", {}, status));
    document.getElementById("export-fhir").addEventListener("click",
        () => C.download("export/audit.ndjson", {}, status));
    verify();
    summarize();
  });
})();
