// Overview: the chain verification with its signed checkpoint, counts by
// action for a period, three charts, and the export buttons.
"use strict";

(() => {
  const C = Console;
  const charts = {};

  async function verify() {
    const result = document.getElementById("verify-result");
    const details = document.getElementById("checkpoint");
    C.clear(result).append(C.el("div", {class: "status info"},
        "Verifying the hash chain and the signed checkpoint\u2026"));
    C.clear(details);
    try {
      const r = await (await C.post("verify")).json();
      const cp = r.checkpoint || {};
      C.clear(result).append(r.ok
          ? C.el("div", {class: "status ok", id: "verify-ok"},
                 "VERIFIED: the hash chain is intact from seq 1 through seq " +
                 r.verifiedThroughSeq + ", and the latest signed checkpoint's " +
                 "signature is valid and matches the chain.")
          : C.el("div", {class: "status bad", id: "verify-failed"},
                 "FAILED at seq " + r.firstBadSeq + ": " + r.problem +
                 " (verified good through seq " + r.verifiedThroughSeq + ")"));
      details.append(
          C.el("dt", {}, "Checkpoint seq"), C.el("dd", {id: "checkpoint-seq"}, String(cp.seq || "")),
          C.el("dt", {}, "Key id"), C.el("dd", {id: "checkpoint-key"}, cp.keyId || ""),
          C.el("dt", {}, "Signed at"), C.el("dd", {id: "checkpoint-time"}, C.time(cp.time)),
          C.el("dt", {}, "Origin"), C.el("dd", {}, cp.origin || ""),
          C.el("dt", {}, "Head hash"), C.el("dd", {class: "mono"}, C.b64ToHex(cp.headHash)));
    } catch (e) {
      C.showError(result, e);
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
