// Patient: a patient (practice + patient id) and their consents with status
// and validity now, with links to the accounting and to their audit events.
"use strict";

(() => {
  const C = Console;

  function grantee(g) {
    if (!g) return "";
    let text = g.orgId;
    if (g.providerId) text += " / " + g.providerId;
    if (!C.isUnspecified(g.specialty)) text += " (" + C.words(g.specialty) + ")";
    return text;
  }

  function validityBadge(validity) {
    const cls = validity === "valid" ? "ok" : validity === "not yet valid" ? "warn" : "bad";
    return C.el("span", {class: "badge " + cls}, validity);
  }

  function consentRow(item) {
    const c = item.consent;
    return C.el("tr", {"data-consent": c.consentId},
        C.el("td", {class: "mono"}, c.consentId),
        C.el("td", {}, grantee(c.grantee)),
        C.el("td", {}, (c.purposes || []).map(C.words).join(", ")),
        C.el("td", {}, (c.categories || []).map(C.words).join(", ")),
        C.el("td", {}, (c.withheldCategories || []).map(C.words).join(", ")),
        C.el("td", {class: "date"}, C.day(c.validFrom)),
        C.el("td", {class: "date"}, C.day(c.expiresAt)),
        C.el("td", {}, C.short(c.status),
             c.revokedAt && !c.revokedAt.startsWith("1970") ? C.el("div", {class: "muted"}, "revoked " + C.day(c.revokedAt)) : null),
        C.el("td", {}, validityBadge(item.validity)));
  }

  async function show(practice, patient) {
    const view = document.getElementById("patient-view");
    view.hidden = false;
    document.getElementById("patient-title").textContent = "Patient " + patient + " of " + practice;
    document.getElementById("accounting-link").href = "/accounting" + C.query({practice, patient});
    document.getElementById("audit-link").href = "/audit" + C.query({practice, patient});
    const body = C.clear(document.querySelector("#consents tbody"));
    const error = C.clear(document.getElementById("consents-error"));
    const info = C.clear(document.getElementById("consents-info"));
    try {
      const r = await C.get("consents", {practice, patient});
      r.consents.forEach(item => body.append(consentRow(item)));
      info.textContent = r.consents.length + " consent" + (r.consents.length === 1 ? "" : "s") +
          " (active, revoked and expired); validity as of " + C.time(r.now) +
          (r.truncated ? "; only the first ones are shown." : ".");
      document.body.dataset.loaded = "1";
    } catch (e) {
      C.showError(error, e);
      document.body.dataset.loaded = "error";
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const p = C.pageParams();
    const practice = document.getElementById("p-practice");
    const patient = document.getElementById("p-patient");
    practice.value = p.get("practice") || "";
    patient.value = p.get("patient") || "";
    document.getElementById("patient-form").addEventListener("submit", e => {
      e.preventDefault();
      const q = C.query({practice: practice.value.trim(), patient: patient.value.trim()});
      history.replaceState(null, "", "/patient" + q);
      show(practice.value.trim(), patient.value.trim());
    });
    if (practice.value && patient.value) show(practice.value, patient.value);
  });
})();
