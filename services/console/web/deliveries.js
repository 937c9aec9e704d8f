// Deliveries: the push outbox by state (failed by default), server-side
// paging with the gateway's page tokens, and Retry for a failed delivery
// (POST /api/deliveries/retry; the gateway audits it as DELIVERY_RETRIED).
"use strict";

(() => {
  const C = Console;
  let pager = null;

  function filters() {
    return {state: document.getElementById("f-state").value,
            recipient: document.getElementById("f-recipient").value.trim()};
  }

  function stateName(state) { return C.words((state || "").replace("DELIVERY_STATE_", "")); }

  function retryButton(d) {
    if (d.state !== "DELIVERY_STATE_FAILED") return null;
    return C.el("button", {type: "button", class: "retry", "data-message": d.messageId,
                           onclick: () => retry(d.messageId)}, "Retry");
  }

  function deliveryRow(d) {
    return C.el("tr", {"data-message": d.messageId},
        C.el("td", {class: "mono"}, d.messageId),
        C.el("td", {}, d.recipientOrgId),
        C.el("td", {}, d.transport),
        C.el("td", {"data-state": d.state}, stateName(d.state)),
        C.el("td", {}, C.time(d.createdAt)),
        C.el("td", {class: "num"}, d.deliveryAttempts || 0),
        C.el("td", {}, C.time(d.nextAttemptAt)),
        C.el("td", {class: "mono"}, d.lastDeliveryError || ""),
        C.el("td", {}, retryButton(d)));
  }

  async function load() {
    const error = C.clear(document.getElementById("deliveries-error"));
    const body = C.clear(document.querySelector("#deliveries tbody"));
    document.body.dataset.loaded = "";
    try {
      const f = filters();
      const r = await C.get("deliveries", {state: f.state, recipient: f.recipient,
                                           page_token: pager.token()});
      const rows = r.deliveries || [];
      rows.forEach(d => body.append(deliveryRow(d)));
      pager.shown(r.nextPageToken);
      document.getElementById("result-info").textContent = rows.length === 0
          ? "No deliveries in that state."
          : rows.length + " deliveries on this page" + (r.nextPageToken ? "; more follow." : ".");
      document.body.dataset.loaded = "1";
    } catch (e) {
      C.showError(error, e);
      pager.failed();
      document.body.dataset.loaded = "error";
    }
  }

  async function retry(messageId) {
    const status = C.clear(document.getElementById("retry-status"));
    try {
      const response = await C.post("deliveries/retry", {message_id: messageId});
      const r = await response.json();
      status.append(C.el("div", {class: "status ok", role: "status", "data-retried": messageId},
          "Queued " + messageId + " for another push to " + r.delivery.recipientOrgId +
          " (audit seq " + r.auditSeq + ")."));
      await load();
    } catch (e) {
      C.showError(status, e);
    }
  }

  function apply() {
    const f = filters();
    const q = new URLSearchParams();
    if (f.state !== "DELIVERY_STATE_FAILED") q.set("state", f.state || "all");
    if (f.recipient) q.set("recipient", f.recipient);
    history.replaceState(null, "", "/deliveries" + (q.toString() ? "?" + q : ""));
    pager.reset();
    load();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const p = C.pageParams();
    if (p.has("state")) document.getElementById("f-state").value = p.get("state") === "all" ? "" : p.get("state");
    if (p.get("recipient")) document.getElementById("f-recipient").value = p.get("recipient");
    document.getElementById("filters").addEventListener("submit", e => {
      e.preventDefault();
      apply();
    });
    pager = new C.TokenPager(load);
    load();
  });
})();
