#!/usr/bin/env python3
"""The console in a real browser: headless Chromium driven by Selenium
(Debian's chromium, chromium-driver and python3-selenium), against a real
gateway with real data. One browser session for the whole run.

It loads each page, applies a filter and pages through the results, opens an
event, prints the accounting to PDF and checks its text (pdftotext), uses
the export buttons, retries a failed push delivery, opens the console of a therapist's profile (the gateway
refuses its audit views and the page says so), asserts that the browser
logged no JavaScript errors, and saves a screenshot of every page (and the
PDF) in OUT_DIR.

usage: console_browser_test.py CAREGATECTL CAREGATED OUT_DIR
"""

import base64
import csv
import datetime
import glob
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

import console_fixture
from console_fixture import PATIENT, PRACTICE

CTL, GATED, OUT_DIR = sys.argv[1], sys.argv[2], sys.argv[3]
WAIT_S = 30


def chromium_options(profile_dir):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile_dir,
                "--window-size=1360,1500", "--lang=en-US"]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return options


class ConsoleBrowserTest(unittest.TestCase):
    """One test method: the steps share one browser session and run in
    order, each saving its screenshot."""

    @classmethod
    def setUpClass(cls):
        os.makedirs(OUT_DIR, exist_ok=True)
        for old in glob.glob(os.path.join(OUT_DIR, "*")):
            os.remove(old)
        # maple-primary-care takes pushes at an address where nothing
        # listens, and the gateway gives up after one attempt: its messages
        # are FAILED deliveries for the Deliveries page.
        cls.gw = console_fixture.Gateway(
            CTL, GATED, "console-browser",
            push={"maple-primary-care":
                  "127.0.0.1:%d" % console_fixture.free_port()},
            extra_config="delivery_policy { max_attempts: 1 }")
        cls.driver = None
        try:
            cls.gw.start()
            cls.facts = cls.gw.seed()
            cls.console = cls.gw.start_console("compliance-officer")
            cls.downloads = tempfile.mkdtemp(dir=cls.gw.root)
            cls.driver = webdriver.Chrome(
                service=Service("/usr/bin/chromedriver"),
                options=chromium_options(
                    tempfile.mkdtemp(prefix="chromium-", dir=cls.gw.root)))
            cls.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {
                "behavior": "allow", "downloadPath": cls.downloads})
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.driver is not None:
            cls.driver.quit()
        cls.gw.close()

    # --- helpers --------------------------------------------------------------
    def wait(self, condition, what):
        return WebDriverWait(self.driver, WAIT_S).until(condition, what)

    def wait_loaded(self, attribute="loaded"):
        def loaded(d):
            value = d.find_element(By.TAG_NAME, "body").get_attribute(
                "data-" + attribute)
            return value if value in ("1", "error") else False
        return self.wait(loaded, "page data loaded")

    def text(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css).text

    def shot(self, name):
        path = os.path.join(OUT_DIR, name + ".png")
        self.driver.save_screenshot(path)
        return path

    def severe_logs(self):
        return [e for e in self.driver.get_log("browser")
                if e["level"] == "SEVERE"]

    def open(self, path):
        self.driver.get(self.console.base + path)

    def rows(self, table="#events tbody tr"):
        return self.driver.find_elements(By.CSS_SELECTOR, table)

    def download(self, button_id, suffix):
        before = set(os.listdir(self.downloads))
        self.driver.find_element(By.ID, button_id).click()
        def finished(_):
            new = [f for f in set(os.listdir(self.downloads)) - before
                   if f.endswith(suffix)]
            return new[0] if new else False
        name = self.wait(finished, "download of " + suffix)
        with open(os.path.join(self.downloads, name), "rb") as f:
            return name, f.read()

    # --- the run --------------------------------------------------------------
    def test_console_pages(self):
        self.step_overview()
        self.step_exports()
        self.step_audit_log_filter_and_paging()
        self.step_event_detail()
        self.step_patient()
        self.step_accounting_pdf()
        self.step_deliveries()
        severe = self.severe_logs()
        self.assertEqual(severe, [], "JavaScript errors in the browser log")
        self.step_therapist_is_refused()

    def step_overview(self):
        # The printed URL: the token sets the cookie, and the page hides it.
        self.driver.get(self.console.url)
        self.wait(EC.presence_of_element_located((By.ID, "verify-ok")),
                  "chain verified")
        self.assertNotIn("token=", self.driver.current_url)
        self.assertIn("VERIFIED", self.text("#verify-ok"))
        self.assertRegex(self.text("#checkpoint-seq"), r"^\d+$")
        self.assertNotEqual(self.text("#checkpoint-key"), "")
        self.assertRegex(self.text("#checkpoint-time"), r"UTC$")
        self.wait_loaded("summary-loaded")
        counts = {e.get_attribute("data-action"):
                  e.find_element(By.CSS_SELECTOR, ".n").text
                  for e in self.driver.find_elements(By.CSS_SELECTOR,
                                                     "#action-counts .count")}
        self.assertEqual(counts["AUDIT_ACTION_DISCLOSURE_DENIED"], "3")
        self.assertEqual(counts["AUDIT_ACTION_DISCLOSURE_REDACTED"], "1")
        self.assertEqual(counts["AUDIT_ACTION_CONSENT_REVOKED"], "1")
        self.assertEqual(counts["AUDIT_ACTION_ACCESS_DENIED"], "3")
        self.assertEqual(counts["AUDIT_ACTION_MESSAGE_ACKNOWLEDGED"],
                         str(self.facts["acknowledged"]))
        chart = lambda cid: self.driver.execute_script(
            "const c = Chart.getChart(arguments[0]);"
            "return {labels: c.data.labels, sets: c.data.datasets.map("
            "d => [d.label, d.data.reduce((a, b) => a + b, 0)])};", cid)
        specialties = dict(chart("chart-disclosures")["sets"])
        self.assertEqual(specialties.get("Pelvic floor physical therapy"), 20)
        self.assertEqual(specialties.get("Obgyn"), 1)
        self.assertEqual(specialties.get("Primary care"), 2)
        self.assertEqual(specialties.get("Psychiatry"), 1)
        denials = chart("chart-denials")
        self.assertIn("No consent for recipient", denials["labels"])
        self.assertIn("Consent revoked", denials["labels"])
        access = chart("chart-access")
        self.assertEqual(sorted(access["labels"]),
                         ["core-pelvic-pt-inbox", "dr-rivera",
                          "lakeside-obgyn-inbox"])
        self.shot("overview")

    def step_exports(self):
        status = lambda: self.text("#export-status")
        name, body = self.download("export-json", ".json")
        self.assertTrue(name.startswith("caregate-audit-export-"), name)
        path = os.path.join(self.gw.work, "console-export.json")
        with open(path, "wb") as f:
            f.write(body)
        # The same file as `caregatectl audit export`: it verifies offline,
        # and its events are those of the CLI's export of the same log.
        r = self.gw.run_ok(["audit", "verify-offline", path, "--pubkey",
                            os.path.join(self.gw.dir, "keys",
                                         "audit-signing.pub.pem")], None,
                           profile=False)
        self.assertIn("VERIFIED offline", r.stdout)
        self.gw.run_ok(["audit", "export", "--out", "cli-export.json"])
        with open(os.path.join(self.gw.work, "cli-export.json")) as f:
            cli = json.load(f)
        console = json.loads(body)
        self.assertEqual(sorted(console.keys()), sorted(cli.keys()))
        n = min(len(console["events"]), len(cli["events"]))
        self.assertGreater(n, 40)
        self.assertEqual(console["events"][:n], cli["events"][:n])
        self.assertIn("Downloaded", status())
        name, body = self.download("export-csv", ".csv")
        rows = list(csv.reader(io.StringIO(body.decode())))
        self.assertEqual(rows[0][:3], ["seq", "time", "actor_principal_id"])
        self.assertGreater(len(rows), 40)
        name, body = self.download("export-fhir", ".ndjson")
        lines = body.decode().splitlines()
        self.assertGreater(len(lines), 40)
        self.assertEqual(json.loads(lines[0])["resourceType"], "AuditEvent")

    def step_audit_log_filter_and_paging(self):
        self.open("/audit")
        self.wait_loaded()
        d = self.driver
        Select(d.find_element(By.ID, "f-action")).select_by_value(
            "AUDIT_ACTION_DISCLOSURE_PERMITTED")
        Select(d.find_element(By.ID, "f-page-size")).select_by_value("10")
        d.find_element(By.ID, "apply").click()
        self.wait_loaded()
        page1 = [r.get_attribute("data-seq") for r in self.rows()]
        self.assertEqual(len(page1), 10)
        for row in self.rows():
            self.assertEqual(row.find_elements(By.TAG_NAME, "td")[3].text,
                             "DISCLOSURE_PERMITTED")
        self.assertIn("action=AUDIT_ACTION_DISCLOSURE_PERMITTED",
                      d.current_url)
        self.shot("audit-log")
        d.find_element(By.ID, "next").click()
        self.wait(lambda d: self.text("#page-label") == "Page 2", "page 2")
        self.wait_loaded()
        page2 = [r.get_attribute("data-seq") for r in self.rows()]
        self.assertEqual(len(page2), 10)
        self.assertLess(max(map(int, page1)), min(map(int, page2)))
        d.find_element(By.ID, "next").click()
        self.wait(lambda d: self.text("#page-label") == "Page 3", "page 3")
        self.wait_loaded()
        page3 = [r.get_attribute("data-seq") for r in self.rows()]
        self.assertEqual(len(page3), 3)  # 23 permitted in all
        self.assertFalse(d.find_element(By.ID, "next").is_enabled())
        self.shot("audit-log-page-3")
        d.find_element(By.ID, "prev").click()
        self.wait(lambda d: self.text("#page-label") == "Page 2", "back")
        self.wait_loaded()
        self.assertEqual([r.get_attribute("data-seq") for r in self.rows()],
                         page2)
        # A patient is the pair of practice and patient id.
        d.find_element(By.ID, "reset").click()
        self.wait_loaded()
        d.find_element(By.ID, "f-practice").send_keys(PRACTICE)
        d.find_element(By.ID, "f-patient").send_keys(PATIENT)
        d.find_element(By.ID, "apply").click()
        self.wait_loaded()
        self.assertGreater(len(self.rows()), 5)
        for row in self.rows():
            self.assertIn(PATIENT, row.find_elements(By.TAG_NAME, "td")[4].text)
        self.shot("audit-log-patient")

    def step_event_detail(self):
        # The patient's last event on the page: one with a predecessor.
        row = self.rows()[-1]
        seq = row.get_attribute("data-seq")
        self.assertGreater(int(seq), 1)
        row.find_element(By.TAG_NAME, "a").click()
        self.wait_loaded()
        self.assertEqual(self.text("#title"), "Audit event " + seq)
        self.assertIn("Checked", self.text("#link-ok"))
        hashes = self.text("#hashes")
        self.assertIn("link checked", hashes)
        self.assertIn("matches", hashes)
        self.assertIn(PATIENT, self.text("#fields"))
        self.shot("event")

    def step_patient(self):
        self.open("/patient?practice=%s&patient=%s" % (PRACTICE, PATIENT))
        self.wait_loaded()
        rows = self.rows("#consents tbody tr")
        self.assertEqual(len(rows), 2)
        validity = sorted(r.find_elements(By.TAG_NAME, "td")[-1].text
                          for r in rows)
        self.assertEqual(validity, ["revoked", "valid"])
        self.assertIn("lakeside-obgyn", self.text("#consents"))
        self.shot("patient")

    def step_accounting_pdf(self):
        today = datetime.datetime.now(datetime.timezone.utc).date()
        since = (today - datetime.timedelta(days=30)).isoformat()
        until = today.isoformat()
        self.open("/accounting?practice=%s&patient=%s&since=%s&until=%s" %
                  (PRACTICE, PATIENT, since, until))
        self.wait_loaded()
        self.assertEqual(len(self.rows("#entries tbody tr")), 3)
        self.shot("accounting")
        options = PrintOptions()
        options.background = False
        pdf = base64.b64decode(self.driver.print_page(options))
        pdf_path = os.path.join(OUT_DIR, "accounting.pdf")
        with open(pdf_path, "wb") as f:
            f.write(pdf)
        # In content order, whitespace collapsed: a table cell may wrap.
        text = " ".join(subprocess.run(
            ["pdftotext", "-raw", pdf_path, "-"], capture_output=True,
            text=True, check=True).stdout.split())
        for expected in ["Accounting of Disclosures", "45 CFR 164.528",
                         "Sunrise Therapy Collective",
                         "210 Sunrise Avenue", PATIENT,
                         "%s to %s" % (since, until),
                         "Core Pelvic Physical Therapy", "Lakeside OB/GYN",
                         "77 Orchard Lane", "3 disclosures in this period"]:
            self.assertIn(expected, text)
        # A clean document: no navigation, form or buttons.
        for absent in ["Audit log", "Overview", "Print", "Show", "token"]:
            self.assertNotIn(absent, text)
        # The denied disclosure to the urologist is no disclosure.
        self.assertNotIn("Riverside", text)

    def step_deliveries(self):
        # Novak's two notes to maple-primary-care failed their one push.
        self.open("/deliveries")
        def failed_rows(d):
            self.wait_loaded()
            rows = self.rows("#deliveries tbody tr")
            if len(rows) == 2:
                return rows
            d.find_element(By.ID, "apply").click()
            return False
        rows = self.wait(failed_rows, "two failed deliveries")
        for row in rows:
            cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
            self.assertEqual(cells[1:4], ["maple-primary-care", "grpc", "Failed"])
            self.assertEqual(cells[5], "1")
            self.assertIn("UNAVAILABLE", cells[7])
        self.shot("deliveries-failed")
        message = rows[0].get_attribute("data-message")
        rows[0].find_element(By.CSS_SELECTOR, "button.retry").click()
        done = self.wait(EC.presence_of_element_located(
            (By.CSS_SELECTOR, "#retry-status .status.ok")), "the retry")
        self.assertEqual(done.get_attribute("data-retried"), message)
        self.assertIn("Queued " + message, done.text)
        self.assertIn("maple-primary-care", done.text)
        r = self.gw.run_ok(["audit", "query", "--action", "delivery_retried",
                            "--json"])
        retried = [json.loads(line) for line in r.stdout.splitlines() if line]
        self.assertEqual(len(retried), 1)
        self.assertEqual(retried[0]["actorPrincipalId"], "compliance-officer")
        self.assertEqual(retried[0]["subjectId"], message)
        # Every state: the pulled messages too.
        Select(self.driver.find_element(By.ID, "f-state")).select_by_value("")
        self.driver.find_element(By.ID, "apply").click()
        self.wait_loaded()
        self.assertIn("state=all", self.driver.current_url)
        self.assertGreater(len(self.rows("#deliveries tbody tr")), 20)
        self.shot("deliveries-all")

    def step_therapist_is_refused(self):
        therapist = self.gw.start_console("dr-rivera")
        self.driver.get(therapist.url)
        refused = self.wait(EC.presence_of_element_located(
            (By.CSS_SELECTOR, "#verify-result .status.refused")),
            "the refusal shown")
        self.assertIn("The gateway refused this view", refused.text)
        self.assertIn("role ROLE_THERAPIST may not call", refused.text)
        self.wait_loaded("summary-loaded")
        self.assertIn("refused", self.text("#summary-error"))
        self.shot("therapist-overview")
        self.driver.get(therapist.base + "/audit")
        self.wait_loaded()
        self.assertIn("The gateway refused this view", self.text("#events-error"))
        self.assertEqual(self.rows(), [])
        self.shot("therapist-audit-log")
        self.driver.get(therapist.base + "/deliveries")
        self.wait_loaded()
        self.assertIn("The gateway refused this view",
                      self.text("#deliveries-error"))
        # The therapist's own view still works: its practice's consents.
        self.driver.get(therapist.base + "/patient?practice=%s&patient=%s" %
                        (PRACTICE, PATIENT))
        self.wait_loaded()
        self.assertEqual(len(self.rows("#consents tbody tr")), 2)
        # The only errors logged are the refused requests themselves (and
        # there are some: the browser log is really being read).
        severe = self.severe_logs()
        self.assertTrue(severe, "no browser log entries for the 403s")
        for entry in severe:
            self.assertIn("status of 403", entry["message"], entry)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
