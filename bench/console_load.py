#!/usr/bin/env python3
"""Times the compliance console's pages and endpoints against a running
console (bench/console_load.sh starts it on a seeded gateway). Each request
runs once cold and then --repeat times; prints a Markdown table of the
median and the slowest of the repeats, against the target (500 ms for a
page or endpoint, 1 s for the accounting of the patient with many
disclosures). The whole-chain verification runs in the console's
background: POST /api/verify answers within its wait, and two more rows time
complete verifications against the same 500 ms (from the POST until the
polling page sees the result, and the gateway call alone). Bounded: a
fixed number of requests, each with a timeout.

usage: console_load.py --url URL [--repeat 5] [--events N] [--hot K]
"""

import argparse
import base64
import datetime
import http.client
import json
import re
import statistics
import struct
import sys
import time
import urllib.parse


def page_token(after_seq):
    raw = struct.pack(">Q", after_seq)
    return "v1:" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


class Client:
    def __init__(self, url):
        m = re.match(r"^http://([\d.]+):(\d+)/\?token=([0-9a-f]+)$", url)
        if not m:
            raise SystemExit("console_load: bad console URL %r" % url)
        self.host, self.port, token = m.group(1), int(m.group(2)), m.group(3)
        self.headers = {
            "Cookie": "caregate_console_%d=%s" % (self.port, token),
            "Origin": "http://%s:%d" % (self.host, self.port),
            "X-Caregate-Console": "1",
        }

    def request(self, method, path):
        """(seconds, status, body bytes) of one request."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        start = time.perf_counter()
        conn.request(method, path, headers=self.headers)
        r = conn.getresponse()
        body = r.read()
        elapsed = time.perf_counter() - start
        conn.close()
        return elapsed, r.status, body


def q(path, **params):
    return path + "?" + urllib.parse.urlencode(params) if params else path


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def verify_note(state):
    if state.get("running"):
        return "running for %s ms" % state.get("runningForMs")
    last = state.get("last") or {}
    r = last.get("result")
    if r is None:
        return "no result"
    return "ok=%s through seq %s" % (r["ok"], r["verifiedThroughSeq"])


def wait_idle(c):
    """The verification state once no run is in progress (bounded)."""
    deadline = time.monotonic() + 300
    while True:
        _, status, body = c.request("GET", "/api/verify")
        state = json.loads(body)
        if status != 200 or not state["running"]:
            return status, state
        if time.monotonic() > deadline:
            raise SystemExit("console_load: a verification never completed")
        time.sleep(0.02)


def full_verifications(c, repeat):
    """Rows for complete whole-chain verifications, each started once no
    other runs: the time from the POST until the page sees it completed
    (polling GET every 20 ms), and the run's own duration as the console
    measured it around the gateway call."""
    walls, runs, note = [], [], ""
    for _ in range(1 + repeat):
        wait_idle(c)
        start = time.perf_counter()
        _, status, body = c.request("POST", "/api/verify")
        state = json.loads(body)
        if status == 200 and state["running"]:
            status, state = wait_idle(c)
        walls.append(time.perf_counter() - start)
        if status != 200:
            print("console_load: verification: HTTP %d %s" % (status, state),
                  file=sys.stderr)
            return []
        runs.append(state["last"]["durationMs"] / 1000.0)
        note = verify_note(state)
    rows = []
    for name, times in [
            ("whole-chain verification, POST until the page sees it done",
             walls),
            ("whole-chain verification, the run (VerifyAuditLog call)", runs)]:
        rows.append((name, times[0], statistics.median(times[1:] or times),
                     max(times[1:] or times), 0.5, 0,
                     note + "; in the background: no page waits for it"))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--events", type=int, default=0)
    ap.add_argument("--hot", type=int, default=0)
    args = ap.parse_args()
    c = Client(args.url)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    year_ago = now - datetime.timedelta(days=365)
    month_ago = now - datetime.timedelta(days=30)
    practice, hot = "sunrise-therapy", "bench-hot-patient"
    mid = max(1, args.events // 2)
    cases = [
        # (name, method, path, target seconds)
        ("page / (overview HTML)", "GET", "/", 0.5),
        ("page /audit (HTML)", "GET", "/audit", 0.5),
        ("page /event (HTML)", "GET", "/event", 0.5),
        ("page /patient (HTML)", "GET", "/patient", 0.5),
        ("page /accounting (HTML)", "GET", "/accounting", 0.5),
        ("/static/chart.min.js", "GET", "/static/chart.min.js", 0.5),
        ("/api/session", "GET", "/api/session", 0.5),
        ("/api/summary, last 12 months (overview)", "GET",
         q("/api/summary", since=iso(year_ago), until=iso(now)), 0.5),
        ("/api/summary, all time", "GET", "/api/summary", 0.5),
        ("/api/summary, last 30 days", "GET",
         q("/api/summary", since=iso(month_ago), until=iso(now)), 0.5),
        ("/api/events, first page of 50", "GET",
         q("/api/events", page_size=50), 0.5),
        ("/api/events, page after seq %d" % (args.events * 9 // 10), "GET",
         q("/api/events", page_size=50,
           page_token=page_token(args.events * 9 // 10)), 0.5),
        ("/api/events, action DISCLOSURE_DENIED", "GET",
         q("/api/events", page_size=50,
           action="AUDIT_ACTION_DISCLOSURE_DENIED"), 0.5),
        ("/api/events, action ACCESS_DENIED (1%)", "GET",
         q("/api/events", page_size=50, action="AUDIT_ACTION_ACCESS_DENIED"),
         0.5),
        ("/api/events, patient (hot, practice+id)", "GET",
         q("/api/events", page_size=50, practice=practice, patient=hot), 0.5),
        ("/api/events, actor compliance-officer", "GET",
         q("/api/events", page_size=50, actor="compliance-officer"), 0.5),
        ("/api/events, recipient + outcome DENIED", "GET",
         q("/api/events", page_size=50, recipient="riverside-urology",
           outcome="DECISION_OUTCOME_DENIED"), 0.5),
        ("/api/events, one day a month ago", "GET",
         q("/api/events", page_size=50, since=iso(month_ago),
           until=iso(month_ago + datetime.timedelta(days=1))), 0.5),
        ("/api/event?seq=%d (with chain link)" % mid, "GET",
         q("/api/event", seq=mid), 0.5),
        ("/api/consents (patient)", "GET",
         q("/api/consents", practice=practice, patient=hot), 0.5),
        ("/api/accounting, patient with %d disclosures" % args.hot, "GET",
         q("/api/accounting", practice=practice, patient=hot), 1.0),
        ("/api/accounting, a typical patient", "GET",
         q("/api/accounting", practice=practice, patient="bench-p-0000042"),
         0.5),
        ("POST /api/verify (starts the whole-chain verification)", "POST",
         "/api/verify", 0.5),
        ("GET /api/verify (its state, polled by the overview)", "GET",
         "/api/verify", 0.5),
    ]
    rows = []
    failed = False
    for name, method, path, target in cases:
        cold, status, body = c.request(method, path)
        if status != 200:
            print("console_load: %s: HTTP %d %s" % (name, status, body[:200]),
                  file=sys.stderr)
            failed = True
            continue
        times = [c.request(method, path)[0] for _ in range(args.repeat)]
        note = ""
        if path.startswith("/api/accounting"):
            note = "%d entries" % len(json.loads(body).get("entries", []))
        elif path.startswith("/api/events"):
            note = "%d events" % len(json.loads(body).get("events", []))
        elif path == "/api/verify":
            note = verify_note(json.loads(body))
        worst = max(times)
        rows.append((name, cold, statistics.median(times), worst, target,
                     len(body), note))
    rows.extend(full_verifications(c, args.repeat))
    print("| page or endpoint | cold ms | median ms | max ms | target | "
          "bytes | |")
    print("|---|---:|---:|---:|---|---:|---|")
    for name, cold, median, worst, target, size, note in rows:
        verdict = "ok" if worst < target else "OVER"
        print("| %s | %.0f | %.0f | %.0f | < %d ms %s | %d | %s |" %
              (name, cold * 1000, median * 1000, worst * 1000, target * 1000,
               verdict, size, note))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
