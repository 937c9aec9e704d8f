// One audit event: its fields, and its place in the hash chain checked in
// the console (the hash recomputed from the event's canonical bytes, the
// link to its predecessor's hash), and whether a signed checkpoint covers it.
"use strict";

(() => {
  const C = Console;

  function field(dl, name, value, cls) {
    if (value === undefined || value === null || value === "") return;
    dl.append(C.el("dt", {}, name), C.el("dd", {class: cls}, value));
  }

  function check(ok, text) {
    return C.el("span", {class: "check " + (ok ? "ok" : "bad")}, text);
  }

  function renderChain(r) {
    const e = r.event, link = r.link;
    const result = C.clear(document.getElementById("link-result"));
    const ok = link.hashOk && link.linkOk;
    result.append(C.el("div", {class: "status " + (ok ? "ok" : "bad"), id: ok ? "link-ok" : "link-bad"},
        ok ? "Checked: this event's hash matches its content, and its prev_hash is the hash of " +
             (e.seq === "1" || e.seq === 1 ? "nothing before it (32 zero bytes)." : "seq " + link.predecessorSeq + ".")
           : "Not intact: " + link.problem));
    const dl = C.clear(document.getElementById("hashes"));
    const prevHex = C.b64ToHex(e.prevHash), hashHex = C.b64ToHex(e.hash);
    field(dl, "prev_hash", prevHex, "mono");
    if (Number(e.seq) > 1) {
      dl.append(C.el("dt", {}, "hash of seq " + (Number(e.seq) - 1)),
                C.el("dd", {}, C.el("span", {class: "mono"}, link.predecessorHash || "(missing)"), " ",
                     check(link.linkOk, link.linkOk ? "link checked" : "link broken")));
    } else {
      dl.append(C.el("dt", {}, "first event"),
                C.el("dd", {}, check(link.linkOk, link.linkOk ? "prev_hash is 32 zero bytes" : "prev_hash is not zero")));
    }
    field(dl, "hash (stored)", hashHex, "mono");
    dl.append(C.el("dt", {}, "hash (recomputed)"),
              C.el("dd", {}, C.el("span", {class: "mono"}, link.recomputedHash), " ",
                   check(link.hashOk, link.hashOk ? "matches" : "differs")));
    const cp = r.checkpoint;
    dl.append(C.el("dt", {}, "signed checkpoint"),
              C.el("dd", {}, cp
                  ? (r.coveredByCheckpoint
                      ? check(true, "covered by the checkpoint at seq " + cp.seq + " (key " + cp.keyId + ", signed " + C.time(cp.time) + ")")
                      : C.el("span", {class: "badge warn"}, "newer than the latest checkpoint (seq " + cp.seq + ")"))
                  : C.el("span", {class: "badge warn"}, "no checkpoint yet")));
  }

  function renderFields(e) {
    const dl = C.clear(document.getElementById("fields"));
    field(dl, "Seq", String(e.seq));
    field(dl, "Time", C.time(e.time));
    field(dl, "Actor", e.actorPrincipalId + " (" + C.short(e.actorRole) + (e.actorOrgId ? ", " + e.actorOrgId : "") + ")");
    field(dl, "Action", C.short(e.action));
    if (e.patientId && e.practiceOrgId) {
      dl.append(C.el("dt", {}, "Patient"), C.el("dd", {},
          C.el("a", {href: "/patient" + C.query({practice: e.practiceOrgId, patient: e.patientId})},
               C.patient(e))));
    } else {
      field(dl, "Patient", C.patient(e));
    }
    field(dl, "Recipient", e.recipientOrgId);
    if (!C.isUnspecified(e.purpose)) field(dl, "Purpose", C.short(e.purpose));
    field(dl, "Categories", (e.categories || []).map(C.short).join(", "));
    field(dl, "Consents", (e.consentIds || []).join(", "), "mono");
    if (!C.isUnspecified(e.outcome)) field(dl, "Outcome", C.short(e.outcome));
    field(dl, "Reasons", (e.reasons || []).map(C.short).join(", "));
    field(dl, "Content SHA-256", e.contentSha256, "mono");
    field(dl, "Subject", e.subjectId, "mono");
    field(dl, "Request id", e.requestId, "mono");
    field(dl, "Detail", e.detail);
  }

  document.addEventListener("DOMContentLoaded", async () => {
    const seq = Number(C.pageParams().get("seq"));
    document.getElementById("title").textContent = "Audit event " + (seq || "");
    try {
      const r = await C.get("event", {seq});
      renderChain(r);
      renderFields(r.event);
      const nav = C.clear(document.getElementById("neighbours"));
      if (seq > 1) nav.append(C.el("a", {href: "/event?seq=" + (seq - 1)}, "\u2190 seq " + (seq - 1)));
      nav.append(C.el("a", {href: "/event?seq=" + (seq + 1)}, "seq " + (seq + 1) + " \u2192"));
      nav.append(C.el("a", {href: "/audit"}, "Back to the audit log"));
      document.body.dataset.loaded = "1";
    } catch (e) {
      C.showError(document.getElementById("event-error"), e);
      document.body.dataset.loaded = "error";
    }
  });
})();
