"""Shared by the console tests: a real caregated from a fresh dev setup on a
free loopback port, realistic data put in with caregatectl, and
`caregatectl console --no-browser` processes.

Every process is started here and stopped by close(); waits are bounded
polls of a condition (health, the console's URL line), never fixed sleeps.
"""

import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time

URL_LINE = re.compile(
    r"^caregate console: (http://127\.0\.0\.1:(\d+))/\?token=([0-9a-f]{64})$")

PRACTICE = "sunrise-therapy"
PATIENT = "p-1001"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Console:
    """A running `caregatectl console`: its URL, token and process."""

    def __init__(self, process, url_line):
        self.process = process
        self.url_line = url_line
        match = URL_LINE.match(url_line)
        if not match:
            raise AssertionError("unexpected console line: %r" % url_line)
        self.base = match.group(1)
        self.port = int(match.group(2))
        self.token = match.group(3)
        self.url = "%s/?token=%s" % (self.base, self.token)

    def stop(self):
        """SIGTERM; returns (exit code, the rest of stdout, stderr)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        out, err = self.process.communicate(timeout=20)
        return self.process.returncode, out, err


class Gateway:
    """caregated on a fresh dev setup, and caregatectl as its principals."""

    def __init__(self, ctl, gated, name, push=None, extra_config=""):
        """push: {clinic org id: "host:port"}, clinics that take pushes (as
        dev-init --push); extra_config: text appended to the config."""
        self.ctl = ctl
        self.gated = gated
        self.push = push or {}
        self.extra_config = extra_config
        self.root = tempfile.mkdtemp(prefix="caregate-%s-" % name)
        self.dir = os.path.join(self.root, "dev")  # the dev-init setup
        self.work = os.path.join(self.root, "work")
        os.makedirs(self.work)
        self.process = None
        self.consoles = []
        self.log = open(os.path.join(self.root, "caregated.log"), "ab")

    # --- the gateway ------------------------------------------------------
    def start(self):
        for attempt in range(3):
            port = free_port()
            if attempt == 0:
                args = ["dev-init", self.dir, "--listen", "127.0.0.1:%d" % port]
                for org, address in sorted(self.push.items()):
                    args += ["--push", "%s=%s" % (org, address)]
                self.run_ok(args, profile=None)
                if self.extra_config:
                    with open(os.path.join(self.dir, "caregate.textproto"),
                              "a") as f:
                        f.write("\n" + self.extra_config + "\n")
            else:
                self._move_to(port)
            self.process = subprocess.Popen(
                [self.gated, "--config",
                 os.path.join(self.dir, "caregate.textproto")],
                stdout=self.log, stderr=self.log)
            if self._await_health():
                return
            self.process.kill()
            self.process.wait()
        raise AssertionError("caregated did not start; see %s" % self.log.name)

    def _move_to(self, port):
        path = os.path.join(self.dir, "caregate.textproto")
        with open(path) as f:
            text = f.read()
        text = re.sub(r'listen_address: "[^"]*"',
                      'listen_address: "127.0.0.1:%d"' % port, text)
        with open(path, "w") as f:
            f.write(text)

    def _await_health(self):
        for _ in range(60):  # at most ~60 s: each try waits up to 1 s
            if self.process.poll() is not None:
                return False
            r = self.run(["health", "--wait", "1s"], "gateway-admin")
            if r.returncode == 0:
                return True
        return False

    def profile(self, principal):
        return os.path.join(self.dir, "pki", principal)

    def close(self):
        for console in self.consoles:
            if console.process.poll() is None:
                console.stop()
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        if os.environ.get("CAREGATE_KEEP_TEST_DIR") != "1":
            shutil.rmtree(self.root, ignore_errors=True)

    # --- caregatectl --------------------------------------------------------
    def run(self, args, principal="compliance-officer"):
        env = {k: v for k, v in os.environ.items()
               if k not in ("CAREGATE_PROFILE", "CAREGATE_GATEWAY")}
        cmd = [self.ctl] + list(args)
        if principal is not None:
            cmd += ["--profile", self.profile(principal)]
        return subprocess.run(cmd, cwd=self.work, env=env, capture_output=True,
                              text=True, timeout=60)

    def run_ok(self, args, principal="compliance-officer", profile=True,
               expect=0):
        r = self.run(args, principal if profile else None)
        if r.returncode != expect:
            raise AssertionError("caregatectl %s: exit %d, expected %d\n%s%s" %
                                 (" ".join(args), r.returncode, expect,
                                  r.stdout, r.stderr))
        return r

    def start_console(self, principal, extra=()):
        """Starts the console; returns it once it printed its URL line."""
        env = {k: v for k, v in os.environ.items()
               if k not in ("CAREGATE_PROFILE", "CAREGATE_GATEWAY")}
        process = subprocess.Popen(
            [self.ctl, "console", "--no-browser", "--profile",
             self.profile(principal)] + list(extra),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env)
        ready, _, _ = select.select([process.stdout], [], [], 30)
        if not ready:
            process.kill()
            raise AssertionError("the console printed nothing in 30 s")
        line = process.stdout.readline().rstrip("\n")
        console = Console(process, line)
        self.consoles.append(console)
        return console

    # --- data ---------------------------------------------------------------
    def write(self, name, text):
        with open(os.path.join(self.work, name), "w") as f:
            f.write(text)
        return name

    def consent(self, therapist, patient, org, specialty, categories):
        r = self.run_ok(
            ["consent", "record", "--patient", patient, "--to-org", org,
             "--to-specialty", specialty, "--category", categories,
             "--description", "Signed release to %s" % org,
             "--document", "signed-form.pdf", "--signer-name", "Test Patient",
             "--signer-relationship", "self", "--capture-method",
             "paper_scanned", "--states-right-to-revoke",
             "--states-treatment-not-conditioned",
             "--states-redisclosure-risk", "--purpose",
             "treatment_coordination", "--expires", "365d", "--json"],
            therapist)
        return json.loads(r.stdout)["consentId"]

    def send(self, therapist, patient, org, provider, sections, redact=False,
             expect=0):
        args = ["send", "--patient", patient, "--to-org", org,
                "--to-provider", provider, "--purpose",
                "treatment_coordination", "--json"]
        for section in sections:
            args += ["--section", section]
        if redact:
            args.append("--redact-uncovered")
        r = self.run_ok(args, therapist, expect=expect)
        return json.loads(r.stdout)

    def seed(self):
        """A realistic small log: consents of two practices, permitted,
        redacted and denied sends, acknowledgements, a revocation, and
        calls the gateway refuses. Returns facts the tests check."""
        self.write("signed-form.pdf", "Signed consent form (scan)\n")
        for name, text in [("adherence.txt", "Exercises 5 of 7 days."),
                           ("trauma.txt", "Prefers each step explained."),
                           ("summary.txt", "Eight sessions so far."),
                           ("sexual.txt", "Relevant history."),
                           ("attendance.txt", "Attended every session.")]:
            self.write(name, text + "\n")
        rivera, novak = "dr-rivera", "dr-novak"
        self.consent(rivera, PATIENT, "core-pelvic-pt",
                     "pelvic_floor_physical_therapy",
                     "homework_adherence,trauma_history")
        obgyn = self.consent(rivera, PATIENT, "lakeside-obgyn", "obgyn",
                             "treatment_summary")
        self.send(rivera, PATIENT, "core-pelvic-pt", "pt-lindqvist",
                  ["homework_adherence=adherence.txt:Homework",
                   "trauma_history=trauma.txt"])
        self.send(rivera, PATIENT, "riverside-urology", "dr-haddad",
                  ["sexual_history=sexual.txt"], expect=1)
        self.send(rivera, PATIENT, "core-pelvic-pt", "pt-lindqvist",
                  ["homework_adherence=adherence.txt",
                   "sexual_history=sexual.txt"], redact=True)
        self.send(rivera, PATIENT, "lakeside-obgyn", "dr-okafor",
                  ["treatment_summary=summary.txt"])
        # Volume for paging: more patients and another practice.
        for i in range(2, 8):
            patient = "p-10%02d" % i
            self.consent(rivera, patient, "core-pelvic-pt",
                         "pelvic_floor_physical_therapy", "session_attendance")
            for _ in range(3):
                self.send(rivera, patient, "core-pelvic-pt", "pt-moreau",
                          ["session_attendance=attendance.txt"])
        self.consent(novak, "h-2001", "maple-primary-care", "primary_care",
                     "treatment_summary")
        self.consent(novak, "h-2001", "northside-psychiatry", "psychiatry",
                     "treatment_summary")
        for _ in range(2):
            self.send(novak, "h-2001", "maple-primary-care", "dr-mbeki",
                      ["treatment_summary=summary.txt"])
        self.send(novak, "h-2001", "northside-psychiatry", "dr-chen",
                  ["treatment_summary=summary.txt"])
        self.send(novak, "h-2001", "northside-psychiatry", "dr-chen",
                  ["mental_health_history=summary.txt"], expect=1)
        # The PT clinic acknowledges what it received.
        inbox = self.run_ok(["inbox", "list", "--json"],
                            "core-pelvic-pt-inbox")
        messages = [json.loads(line)["messageId"]
                    for line in inbox.stdout.splitlines() if line.strip()]
        for message in messages[:4]:
            self.run_ok(["inbox", "ack", message], "core-pelvic-pt-inbox")
        # The patient revokes the OB/GYN consent; a later send is denied.
        self.run_ok(["consent", "revoke", obgyn, "--reason",
                     "patient revoked in writing"], rivera)
        self.send(rivera, PATIENT, "lakeside-obgyn", "dr-okafor",
                  ["treatment_summary=summary.txt"], expect=1)
        # Calls the gateway refuses (ACCESS_DENIED events).
        self.run_ok(["audit", "query"], rivera, expect=1)
        self.run_ok(["audit", "verify"], "lakeside-obgyn-inbox", expect=1)
        self.run_ok(["send", "--patient", PATIENT, "--to-org",
                     "core-pelvic-pt", "--to-provider", "pt-lindqvist",
                     "--purpose", "referral", "--section",
                     "trauma_history=trauma.txt"], "core-pelvic-pt-inbox",
                    expect=1)
        return {"acknowledged": min(4, len(messages))}
