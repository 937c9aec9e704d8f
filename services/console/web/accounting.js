// The accounting of disclosures (45 CFR 164.528) of one patient over a
// period, as a document the browser prints cleanly (print CSS in
// console.css): the practice's name and address, the patient, the period,
// and each disclosure's date, recipient, address, purpose and information.
"use strict";

(() => {
  const C = Console;
  // An accounting covers up to six years before the request.
  const DEFAULT_YEARS = 6;

  function sixYearsAgo() {
    const d = new Date();
    d.setUTCFullYear(d.getUTCFullYear() - DEFAULT_YEARS);
    return d.toISOString().slice(0, 10);
  }

  function entryRow(e) {
    return C.el("tr", {"data-disclosure": e.disclosureId},
        C.el("td", {class: "date"}, C.day(e.time)),
        C.el("td", {}, e.recipientName || e.recipientOrgId,
             C.el("div", {class: "muted"}, e.recipientOrgId + " / " + e.recipientProviderId)),
        C.el("td", {}, e.recipientAddress || ""),
        C.el("td", {}, C.words(e.purpose)),
        C.el("td", {}, (e.categories || []).map(C.words).join(", ")),
        C.el("td", {class: "mono"}, e.disclosureId));
  }

  async function show(f) {
    const doc = document.getElementById("document");
    const error = C.clear(document.getElementById("accounting-error"));
    document.body.dataset.loaded = "";
    try {
      const r = await C.get("accounting", {
        practice: f.practice, patient: f.patient,
        since: C.dayToIso(f.since, false), until: C.dayToIso(f.until, true)});
      const entries = r.entries || [];
      document.getElementById("d-practice").textContent =
          (r.practiceName || f.practice) + (r.practiceName ? " (" + f.practice + ")" : "");
      document.getElementById("d-address").textContent = r.practiceAddress || "";
      document.getElementById("d-patient").textContent = f.patient;
      document.getElementById("d-period").textContent = f.since + " to " + f.until;
      const session = await C.get("session").catch(() => null);
      document.getElementById("d-prepared").textContent =
          C.time(new Date().toISOString()) + (session ? " by " + session.principal : "");
      const body = C.clear(document.querySelector("#entries tbody"));
      entries.forEach(e => body.append(entryRow(e)));
      document.getElementById("d-count").textContent = entries.length === 0
          ? "No disclosures in this period."
          : entries.length + " disclosure" + (entries.length === 1 ? "" : "s") + " in this period.";
      document.title = "Accounting of disclosures, " + f.patient + ", " + f.since + " to " + f.until;
      doc.hidden = false;
      document.body.dataset.loaded = "1";
    } catch (e) {
      doc.hidden = true;
      C.showError(error, e);
      document.body.dataset.loaded = "error";
    }
  }

  function form() {
    const v = id => document.getElementById(id).value.trim();
    return {practice: v("a-practice"), patient: v("a-patient"),
            since: v("a-since"), until: v("a-until")};
  }

  document.addEventListener("DOMContentLoaded", () => {
    const p = C.pageParams();
    document.getElementById("a-practice").value = p.get("practice") || "";
    document.getElementById("a-patient").value = p.get("patient") || "";
    document.getElementById("a-since").value = p.get("since") || sixYearsAgo();
    document.getElementById("a-until").value = p.get("until") || C.todayUtc();
    document.getElementById("accounting-form").addEventListener("submit", e => {
      e.preventDefault();
      const f = form();
      history.replaceState(null, "", "/accounting" + C.query(f));
      show(f);
    });
    document.getElementById("print").addEventListener("click", () => window.print());
    const f = form();
    if (f.practice && f.patient) show(f);
  });
})();
