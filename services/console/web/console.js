// Shared by every console page: calling the console's JSON API, showing its
// errors (a gateway refusal as such), building DOM safely (textContent
// only), formatting enums, hashes and times, and paging with page tokens.
// No frameworks.
"use strict";

const Console = (() => {
  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) {
      if (Array.isArray(v)) v.filter(x => x).forEach(x => q.append(k, x));
      else if (v !== undefined && v !== null && v !== "") q.append(k, v);
    }
    const s = q.toString();
    return s ? "?" + s : "";
  }

  async function parse(response) {
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
    if (!response.ok) {
      const message = body && body.error ? body.error : response.statusText;
      throw new ApiError(response.status, body ? body.code : "", message);
    }
    return body;
  }

  // GET /api/PATH?params -> JSON.
  async function get(path, params) {
    return parse(await fetch("/api/" + path + query(params),
                             {credentials: "same-origin"}));
  }

  // POST /api/PATH?params -> Response (the console's own header marks it).
  async function post(path, params) {
    const response = await fetch("/api/" + path + query(params), {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-Caregate-Console": "1"},
    });
    if (!response.ok) await parse(response);
    return response;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  // Puts a status box for `error` into `container`.
  function showError(container, error) {
    clear(container);
    let cls = "bad", text = String(error.message || error);
    if (error instanceof ApiError && error.status === 403) {
      cls = "refused";
      text = "The gateway refused this view for your profile: " + error.message;
    } else if (error instanceof ApiError && error.status === 401) {
      text = "This console session is not valid: open the URL that " +
             "`caregatectl console` printed.";
    } else if (error instanceof ApiError && error.status === 501) {
      cls = "info";
    } else if (error instanceof ApiError && error.status === 502) {
      text = "Cannot reach the gateway: " + error.message;
    }
    container.append(el("div", {class: "status " + cls, role: "alert",
                                "data-status": error.status || ""}, text));
  }

  const PREFIXES = ["AUDIT_ACTION_", "DECISION_OUTCOME_", "DENIAL_REASON_",
                    "CATEGORY_", "PURPOSE_", "ROLE_", "SPECIALTY_",
                    "CONSENT_STATUS_", "SIGNER_RELATIONSHIP_"];
  // "AUDIT_ACTION_DISCLOSURE_DENIED" -> "DISCLOSURE_DENIED".
  function short(name) {
    if (!name) return "";
    for (const p of PREFIXES) if (name.startsWith(p)) return name.slice(p.length);
    return name;
  }
  function isUnspecified(name) { return !name || name.endsWith("_UNSPECIFIED"); }
  // "SEXUAL_HISTORY" -> "Sexual history".
  function words(name) {
    const s = short(name).toLowerCase().replace(/_/g, " ");
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  // "sunrise-therapy / p-1001"; the id alone when the event names no
  // practice.
  function patient(e) {
    if (!e.patientId) return "";
    return e.practiceOrgId ? e.practiceOrgId + " / " + e.patientId : e.patientId;
  }

  function b64ToHex(b64) {
    if (!b64) return "";
    const bin = atob(b64);
    let hex = "";
    for (let i = 0; i < bin.length; i++) hex += bin.charCodeAt(i).toString(16).padStart(2, "0");
    return hex;
  }

  // RFC 3339 -> "2026-11-27 14:03:12 UTC".
  function time(iso) {
    if (!iso || iso.startsWith("1970-01-01T00:00:00")) return "";
    const d = new Date(iso);
    if (isNaN(d)) return iso;
    return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC").replace(/Z$/, " UTC");
  }
  function day(iso) { return iso ? new Date(iso).toISOString().slice(0, 10) : ""; }

  // An <input type=date> value as an RFC 3339 instant: the start of that day
  // (UTC), or with `endExclusive` the start of the next day.
  function dayToIso(value, endExclusive) {
    if (!value) return "";
    const d = new Date(value + "T00:00:00Z");
    if (endExclusive) d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().replace(".000Z", "Z");
  }
  function todayUtc() { return new Date().toISOString().slice(0, 10); }
  function monthsAgoUtc(n) {
    const d = new Date();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() - n);
    return d.toISOString().slice(0, 10);
  }

  function pageParams() { return new URLSearchParams(location.search); }

  // Drops ?token=... from the address bar (the cookie carries the session).
  function hideToken() {
    const p = pageParams();
    if (!p.has("token")) return;
    p.delete("token");
    const q = p.toString();
    history.replaceState(null, "", location.pathname + (q ? "?" + q : ""));
  }

  // The site header, the same on every page: the page's <body data-page>
  // marks its link as current.
  function siteHeader() {
    const current = document.body.dataset.page;
    const link = (href, page, label) => el("a", {
      href, class: page === current ? "current" : null,
      "aria-current": page === current ? "page" : null}, label);
    document.body.prepend(el("header", {class: "site"},
        el("span", {class: "brand"}, "caregate \u00b7 compliance console"),
        el("nav", {},
           link("/", "overview", "Overview"),
           link("/audit", "audit", "Audit log"),
           link("/patient", "patient", "Patient"),
           link("/deliveries", "deliveries", "Deliveries")),
        el("span", {class: "session", id: "session"})));
  }

  async function showSession() {
    const node = document.getElementById("session");
    if (!node) return;
    try {
      const s = await get("session");
      node.textContent = "as " + s.principal + " \u00b7 gateway " + s.gateway;
    } catch (e) {
      node.textContent = "";
    }
  }

  // Downloads the body of POST /api/PATH as a file.
  async function download(path, params, statusNode) {
    if (statusNode) clear(statusNode).append(el("span", {class: "muted"}, "Preparing\u2026"));
    try {
      const response = await post(path, params);
      const blob = await response.blob();
      const disposition = response.headers.get("Content-Disposition") || "";
      const match = /filename="([^"]+)"/.exec(disposition);
      const a = el("a", {href: URL.createObjectURL(blob),
                         download: match ? match[1] : "export"});
      document.body.append(a);
      a.click();
      a.remove();
      if (statusNode) clear(statusNode).append(el("span", {class: "badge ok"},
          "Downloaded " + (match ? match[1] : "the export") + " (" + blob.size + " bytes)"));
    } catch (e) {
      if (statusNode) showError(statusNode, e);
    }
  }

  // Server-side paging with the gateway's page tokens: the token of every
  // page seen (a stack, for Previous) and the page's #prev, #next and
  // #page-label. `load()` shows the page at `token()`; it calls shown()
  // with the answer's next page token, or failed().
  class TokenPager {
    constructor(load) {
      this.load = load;
      this.reset();
      document.getElementById("next").addEventListener("click", () => {
        ++this.page;
        this.load();
      });
      document.getElementById("prev").addEventListener("click", () => {
        this.page = Math.max(0, this.page - 1);
        this.load();
      });
    }
    reset() {
      this.tokens = [""];  // tokens[i] is the page token of page i + 1
      this.page = 0;
    }
    token() { return this.tokens[this.page]; }
    shown(nextPageToken) {
      if (nextPageToken) this.tokens[this.page + 1] = nextPageToken;
      else this.tokens.length = this.page + 1;
      document.getElementById("prev").disabled = this.page === 0;
      document.getElementById("next").disabled = !nextPageToken;
      const label = document.getElementById("page-label");
      label.textContent = "Page " + (this.page + 1);
      label.dataset.page = this.page + 1;
    }
    failed() {
      document.getElementById("prev").disabled = true;
      document.getElementById("next").disabled = true;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    hideToken();
    siteHeader();
    showSession();
  });

  return {ApiError, get, post, el, clear, showError, short, words, patient,
          isUnspecified, b64ToHex, time, day, dayToIso, todayUtc,
          monthsAgoUtc, pageParams, download, query, TokenPager};
})();
