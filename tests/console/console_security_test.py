#!/usr/bin/env python3
"""Security of `caregatectl console`, over plain HTTP (no browser): the
token on every request, the cookie it sets, POSTs only from the console's
own page, no listening beyond loopback, and the gateway's refusal of a
therapist's profile passed through as such.

usage: console_security_test.py CAREGATECTL CAREGATED
"""

import http.client
import json
import os
import subprocess
import sys
import time
import unittest

import console_fixture

CTL, GATED = sys.argv[1], sys.argv[2]


def request(console, method, path, headers=None, host=None):
    """(status, headers, body) of one request to the console."""
    conn = http.client.HTTPConnection("127.0.0.1", console.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True,
                        skip_accept_encoding=True)
        conn.putheader("Host", host or "127.0.0.1:%d" % console.port)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.putheader("Content-Length", "0")
        conn.endheaders()
        r = conn.getresponse()
        return r.status, r.getheaders(), r.read()
    finally:
        conn.close()


def listening_addresses(pid):
    """The local addresses of the TCP sockets `pid` listens on."""
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        with open("/proc/%d/net/%s" % (pid, table)) as f:
            next(f)
            for line in f:
                cols = line.split()
                local, state, inode = cols[1], cols[3], cols[9]
                if state == "0A" and inode in inodes:  # LISTEN
                    found.append((table, local))
    return found


class ConsoleSecurityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.gw = console_fixture.Gateway(CTL, GATED, "console-security")
        try:
            cls.gw.start()
            cls.gw.seed()
            cls.console = cls.gw.start_console("compliance-officer")
            cls.therapist = cls.gw.start_console("dr-rivera")
        except BaseException:
            cls.gw.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.gw.close()

    def cookie(self, console=None):
        console = console or self.console
        return {"Cookie": "caregate_console_%d=%s" % (console.port,
                                                      console.token)}

    def page_post(self, console=None):
        headers = self.cookie(console)
        headers["Origin"] = (console or self.console).base
        headers["X-Caregate-Console"] = "1"
        headers["Sec-Fetch-Site"] = "same-origin"
        return headers

    def test_prints_exactly_one_url_line(self):
        self.assertRegex(self.console.url_line, console_fixture.URL_LINE)
        c = self.gw.start_console("compliance-officer")
        code, rest, err = c.stop()
        self.assertEqual(code, 0, err)
        self.assertEqual(rest, "", "the console printed more than one line")

    def test_no_token_is_401(self):
        for path in ["/", "/audit", "/static/console.js", "/api/session",
                     "/api/events"]:
            status, _, body = request(self.console, "GET", path)
            self.assertEqual(status, 401, path)
        self.assertIn(b"no console token", body)
        status, _, _ = request(self.console, "POST", "/api/verify",
                               {"X-Caregate-Console": "1"})
        self.assertEqual(status, 401)

    def test_wrong_token_is_401(self):
        wrong = "0" * 64
        status, _, body = request(self.console, "GET", "/?token=" + wrong)
        self.assertEqual(status, 401)
        self.assertIn(b"wrong console token", body)
        status, _, _ = request(self.console, "GET", "/api/events", {
            "Cookie": "caregate_console_%d=%s" % (self.console.port, wrong)})
        self.assertEqual(status, 401)
        # Another console's token does not open this one.
        status, _, _ = request(self.console, "GET",
                               "/api/session?token=" + self.therapist.token)
        self.assertEqual(status, 401)

    def test_url_token_sets_a_strict_httponly_cookie(self):
        status, headers, body = request(self.console, "GET",
                                        "/?token=" + self.console.token)
        self.assertEqual(status, 200)
        self.assertIn(b"caregate", body)
        headers = dict((k.lower(), v) for k, v in headers)
        cookie = headers["set-cookie"]
        self.assertTrue(cookie.startswith("caregate_console_%d=%s;" % (
            self.console.port, self.console.token)), cookie)
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        self.assertIn("default-src 'none'", headers["content-security-policy"])
        self.assertEqual(headers["referrer-policy"], "no-referrer")
        status, _, body = request(self.console, "GET", "/api/session",
                                  self.cookie())
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["principal"], "compliance-officer")

    def test_post_from_another_site_is_refused(self):
        for headers in [
                dict(self.page_post(), Origin="https://attacker.example"),
                dict(self.page_post(), Origin="null"),
                dict(self.page_post(), **{"Sec-Fetch-Site": "cross-site"}),
                {k: v for k, v in self.page_post().items()
                 if k != "X-Caregate-Console"},
        ]:
            status, _, body = request(self.console, "POST", "/api/verify",
                                      headers)
            self.assertEqual(status, 403, headers)
            self.assertIn(b"refused" if "X-Caregate-Console" in headers
                          else b"console's own page", body)
        status, _, body = request(self.console, "POST", "/api/verify",
                                  self.page_post())
        self.assertEqual(status, 200, body)
        state = json.loads(body)
        # The run is in the console's background: follow it (GET starts
        # nothing) until it completes, as the overview page does.
        deadline = time.monotonic() + 60
        while state["running"] and time.monotonic() < deadline:
            time.sleep(0.1)
            status, _, body = request(self.console, "GET", "/api/verify",
                                      self.cookie())
            self.assertEqual(status, 200, body)
            state = json.loads(body)
        self.assertFalse(state["running"], "verification did not complete")
        self.assertTrue(state["last"]["result"]["ok"], state)

    def test_foreign_host_is_refused(self):
        status, _, _ = request(self.console, "GET", "/api/session",
                               self.cookie(), host="attacker.example")
        self.assertEqual(status, 403)

    def test_fhir_export_needs_the_token(self):
        status, _, _ = request(self.console, "POST",
                               "/api/export/audit.ndjson", {})
        self.assertEqual(status, 401)
        status, _, body = request(self.console, "POST",
                                  "/api/export/audit.ndjson", self.page_post())
        self.assertEqual(status, 200)
        first = json.loads(body.splitlines()[0])
        self.assertEqual(first["resourceType"], "AuditEvent")

    def test_listens_on_loopback_only(self):
        found = listening_addresses(self.console.process.pid)
        self.assertTrue(found, "the console listens on no TCP socket")
        for table, local in found:
            address, port = local.split(":")
            self.assertEqual(int(port, 16), self.console.port)
            self.assertEqual((table, address), ("tcp", "0100007F"),
                             "listening beyond 127.0.0.1: %s" % local)

    def test_non_loopback_listen_is_refused(self):
        for listen in ["0.0.0.0:0", "[::]:0", "192.168.1.10:0", "localhost:0"]:
            r = self.gw.run(["console", "--no-browser", "--listen", listen],
                            "compliance-officer")
            self.assertEqual(r.returncode, 2, listen)
            self.assertEqual(r.stdout, "", listen)
            self.assertIn("the console serves on loopback only", r.stderr)

    def test_help(self):
        r = self.gw.run(["console", "--help"], None)
        self.assertEqual(r.returncode, 0)
        self.assertIn("usage: caregatectl console", r.stdout)
        self.assertIn("--no-browser", r.stdout)
        r = self.gw.run(["--help"], None)
        self.assertIn("console", r.stdout)

    def test_therapist_is_refused_the_audit_views(self):
        t = self.therapist
        for method, path in [("GET", "/api/events"), ("GET", "/api/summary"),
                             ("GET", "/api/event?seq=1"),
                             ("GET", "/api/accounting?practice=sunrise-therapy"
                                     "&patient=p-1001"),
                             ("POST", "/api/verify"),
                             ("POST", "/api/export/audit.json")]:
            status, _, body = request(t, method, path, self.page_post(t))
            self.assertEqual(status, 403, path)
            error = json.loads(body)
            self.assertEqual(error["code"], "PERMISSION_DENIED", path)
            self.assertIn("role ROLE_THERAPIST may not call", error["error"])
        # The therapist's own view: consents of its practice.
        status, _, body = request(t, "GET", "/api/consents?practice="
                                  "sunrise-therapy&patient=p-1001",
                                  self.cookie(t))
        self.assertEqual(status, 200, body)
        self.assertGreaterEqual(len(json.loads(body)["consents"]), 2)

    def test_reads_are_audited_as_the_profile(self):
        status, _, _ = request(self.console, "GET", "/api/summary",
                               self.cookie())
        self.assertEqual(status, 200)
        r = self.gw.run_ok(["audit", "query", "--action", "audit_accessed",
                            "--actor", "compliance-officer", "--json"])
        details = [json.loads(l).get("detail", "")
                   for l in r.stdout.splitlines()]
        self.assertIn("/caregate.v1.AuditService/SummarizeAuditEvents",
                      details)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
