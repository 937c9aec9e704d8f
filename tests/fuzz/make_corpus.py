#!/usr/bin/env python3
"""Regenerates the seed corpora of tests/fuzz/corpus/ (committed; run this only
after changing an input format). Needs protoc (protobuf-compiler).

  python3 tests/fuzz/make_corpus.py

config/: the dev and production configs of config/, a minimal valid config and
a few broken ones. request/: one wire-format request per RPC, prefixed with
the selector byte of request_fuzzer.cc. audit_verifier/: inputs in the byte
format of audit_fuzz_support.cc / audit_adversarial.cc / audit_tamper.cc.
"""
import pathlib
import shutil
import struct
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


# ---------------------------------------------------------------- config
MINIMAL = """listen_address: "127.0.0.1:7443"
tls { ca_cert_file: "pki/ca.crt" server_cert_file: "pki/server.crt"
      server_key_file: "pki/server.key" }
trust_domain: "caregate.local"
principals { principal_id: "dr-rivera" role: ROLE_THERAPIST org_id: "sunrise-therapy" }
principals { principal_id: "compliance-officer" role: ROLE_COMPLIANCE }
directory {
  organizations {
    org_id: "sunrise-therapy" display_name: "Sunrise Therapy"
    kind: ORGANIZATION_KIND_THERAPY_PRACTICE
    providers { provider_id: "dr-rivera" npi: "1234567893" name: "Dr. R"
                specialty: SPECIALTY_SEX_THERAPY }
  }
}
storage { sqlite { path: "data/caregate.db" } }
keys { audit_signing_key_file: "keys/audit-signing.key.pem"
       audit_signing_public_key_file: "keys/audit-signing.pub.pem"
       data_key_file: "keys/data.key" data_key_id: "dev-1" }
limits { max_section_body_bytes: 65536 max_sections: 8 max_id_length: 64 }
redisclosure_notice: "Redisclosure is prohibited."
checkpoint_origin: "caregate.local/audit"
shutdown_grace { seconds: 5 }
checkpoint_interval { nanos: 500000000 }
"""


def config_seeds():
    shutil.copy(ROOT / "config" / "caregate.dev.textproto",
                CORPUS / "config" / "dev.textproto")
    shutil.copy(ROOT / "config" / "caregate.production.textproto",
                CORPUS / "config" / "production.textproto")
    write("config", "minimal.textproto", MINIMAL)
    write("config", "postgres.textproto", MINIMAL.replace(
        'sqlite { path: "data/caregate.db" }',
        'postgres { conninfo: "host=db dbname=caregate" }'))
    write("config", "bad_npi.textproto", MINIMAL.replace("1234567893",
                                                         "1234567890"))
    write("config", "duplicate_principal.textproto", MINIMAL.replace(
        '"compliance-officer"', '"dr-rivera"'))
    write("config", "unknown_org.textproto", MINIMAL.replace(
        'org_id: "sunrise-therapy" }', 'org_id: "nowhere" }'))
    write("config", "syntax_error.textproto", MINIMAL[:200] + "principals {")


# ---------------------------------------------------------------- request
CONSENT = """patient_id: "p-1001"
grantee { org_id: "lakeside-obgyn" provider_id: "dr-okafor" }
purposes: PURPOSE_TREATMENT_COORDINATION
categories: CATEGORY_TREATMENT_SUMMARY categories: CATEGORY_HOMEWORK_PLAN
withheld_categories: CATEGORY_TRAUMA_HISTORY
valid_from { seconds: 1772236800 } expires_at { seconds: 1803772800 }
evidence {
  information_description: "Treatment summary and homework plan"
  document_sha256: "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"
  signed_at { seconds: 1772206200 }
  signer_name: "Jordan Example" signer_relationship: SIGNER_RELATIONSHIP_SELF
  states_right_to_revoke: true states_treatment_not_conditioned: true
  states_redisclosure_risk: true capture_method: CAPTURE_METHOD_PAPER_SCANNED
}"""
DISCLOSURE = """patient_id: "p-1001" recipient_org_id: "lakeside-obgyn"
recipient_provider_id: "dr-okafor" purpose: PURPOSE_REFERRAL
sections { category: CATEGORY_TREATMENT_SUMMARY title: "Summary"
           body: "Twelve sessions; goals met." }
sections { category: CATEGORY_HOMEWORK_PLAN title: "Plan" body: "Daily." }
redact_uncovered: true"""
REQUESTS = [  # (file, selector, message, text)
    ("record_consent", 0, "RecordConsentRequest",
     f'consent {{ {CONSENT} }} request_id: "req-1"'),
    ("revoke_consent", 1, "RevokeConsentRequest",
     'consent_id: "cns-01" reason: "patient revoked in writing"'),
    ("get_consent", 2, "GetConsentRequest", 'consent_id: "cns-01"'),
    ("list_consents", 3, "ListConsentsRequest",
     'patient_id: "p-1001" include_inactive: true page_size: 20 '
     'page_token: "v1:AAAAAAAAAAo" practice_org_id: "sunrise-therapy"'),
    ("check_disclosure", 4, "CheckDisclosureRequest",
     f"disclosure {{ {DISCLOSURE} }}"),
    ("send_disclosure", 5, "SendDisclosureRequest",
     f'disclosure {{ {DISCLOSURE} }} request_id: "req-7f3a1000"'),
    ("send_disclosure_tight", 0x15, "SendDisclosureRequest",
     f'disclosure {{ {DISCLOSURE} }} request_id: "req-7f3a1000"'),
    ("get_disclosure", 6, "GetDisclosureRequest", 'disclosure_id: "dsc-01"'),
    ("list_messages", 7, "ListMessagesRequest",
     'include_acknowledged: true page_size: 600 page_token: "v1:AAAAAAAAAAo"'),
    ("acknowledge_message", 8, "AcknowledgeMessageRequest",
     'message_id: "msg-01"'),
    ("query_audit_events", 9, "QueryAuditEventsRequest",
     'patient_id: "p-1001" actor_principal_id: "dr-rivera" '
     'recipient_org_id: "lakeside-obgyn" actions: AUDIT_ACTION_DISCLOSURE_DENIED '
     'since { seconds: 1772236800 } until { seconds: 1803772800 } '
     'outcome: DECISION_OUTCOME_DENIED page_size: 10'),
    ("verify_audit_log", 10, "VerifyAuditLogRequest",
     "from_seq: 3 to_seq: 10"),
    ("accounting", 11, "GetAccountingOfDisclosuresRequest",
     'patient_id: "p-1001" practice_org_id: "sunrise-therapy" '
     "since { seconds: 1772236800 }"),
]


def encode(message, text):
    proto_dir = ROOT / "proto"
    files = [str(p.relative_to(proto_dir))
             for p in (proto_dir / "caregate" / "v1").glob("*.proto")]
    return subprocess.run(
        ["protoc", f"-I{proto_dir}", f"--encode=caregate.v1.{message}",
         *files], input=text.encode(), capture_output=True,
        check=True).stdout


def request_seeds():
    for name, selector, message, text in REQUESTS:
        write("request", name, bytes([selector]) + encode(message, text))
    write("request", "page_tokens",
          bytes([12]) + struct.pack(">q", 10) + b"v1:AAAAAAAAAAo")


# ---------------------------------------------------------- audit_verifier
def s(text, max_len=48):
    data = text.encode()[:max_len]
    return bytes([len(data)]) + data


def event(i, micros=1717405200_000000):
    """DecodeEventContent's format for a plausible event i."""
    out = bytes([3]) + struct.pack(">qH", micros + 37_000_000 * i, 0)
    out += s("dr-rivera") + bytes([1]) + s("sunrise-therapy")  # actor, role
    out += bytes([3 if i % 3 else 4])  # action
    out += s("sunrise-therapy") + s(f"p-{1001 + i % 13}")
    out += s("lakeside-obgyn" if i % 2 else "core-pelvic-pt")
    out += bytes([2])  # purpose
    out += bytes([2, 3, 5])  # categories
    out += bytes([1]) + s(f"cns-9d2k{10 + i}")  # consent_ids
    out += bytes([1 if i % 3 else 2])  # outcome
    out += bytes([0]) if i % 3 else bytes([1, 2])  # reasons
    out += s("ab" * 32, 64) + s(f"req-7f3a{1000 + i}") + s(f"dsc-{100 + i}")
    out += bytes([0]) + s("SendDisclosure")  # detail: selector, then text
    return out


def u16(v):
    return struct.pack(">H", v)


def tampered(n, checkpoint_seq, ops):
    out = bytes([0, n]) + b"".join(event(i) for i in range(n))
    return out + u16(checkpoint_seq) + bytes([len(ops)]) + b"".join(ops)


def adversarial(n, anchored, tail):
    out = bytes([1, 1 if anchored else 0])
    if anchored:
        out += struct.pack(">IB", 41, 0) + bytes(range(32))
    out += bytes([n])
    for i in range(n):
        out += event(i) + bytes([0])  # seq, prev_hash, hash all derived
    return out + tail


def audit_seeds():
    write("audit_verifier", "tamper_untouched", tampered(5, 5, []))
    # op: position (u16), kind (u8 % 10), then the kind's own bytes
    write("audit_verifier", "tamper_edit_field",
          tampered(5, 5, [u16(1) + bytes([0]) + u16(7) + s("p-9999")]))
    write("audit_verifier", "tamper_delete_event",
          tampered(6, 4, [u16(2) + bytes([1])]))
    write("audit_verifier", "tamper_swap_events",
          tampered(4, 4, [u16(1) + bytes([2]) + u16(2)]))
    write("audit_verifier", "tamper_forged_insert",
          tampered(4, 2, [u16(2) + bytes([3]) + event(9) + bytes([0])]))
    write("audit_verifier", "tamper_rewrite_tail",
          tampered(6, 3, [u16(2) + bytes([0]) + u16(17) + bytes([0]) +
                          s("Changed"), u16(2) + bytes([8, 1])]))
    write("audit_verifier", "tamper_truncate_after_checkpoint",
          tampered(6, 5, [u16(3) + bytes([4])]))
    write("audit_verifier", "tamper_checkpoint_signature",
          tampered(3, 3, [u16(0) + bytes([9, 1, 5]) + u16(7) + bytes([0x40])]))
    write("audit_verifier", "tamper_checkpoint_rollback",
          tampered(5, 5, [u16(3) + bytes([4]), u16(0) + bytes([9, 0]) +
                          u16(2)]))
    # checkpoint: present, default origin, how = 1|4 (signed, recorded seq)
    signed = bytes([1, 1, 5]) + u16(3)
    write("audit_verifier", "adversarial_valid_log", adversarial(6, False,
                                                                 signed))
    write("audit_verifier", "adversarial_anchored", adversarial(3, True,
                                                                signed))
    raw = bytes([1, 0]) + s("caregate.local/audit", 24) + bytes([8]) + \
        struct.pack(">q", 2) + bytes(32) + s("x" * 64, 80) + s("", 20)
    write("audit_verifier", "adversarial_forged_checkpoint",
          adversarial(2, False, raw))


# ------------------------------------------------------------ audit_export
def export_seeds():
    # byte 0: 0 raw file, 1 valid binary export, else its JSON; byte 1: the
    # number of events - 1; then (u16 offset, byte) edits; one byte left cuts
    write("audit_export", "valid_binary_1", bytes([1]))
    write("audit_export", "valid_binary_8", bytes([1, 7]))
    write("audit_export", "valid_json_4", bytes([2, 3]))
    write("audit_export", "binary_edited", bytes([1, 4]) + u16(16) + b"\x00")
    write("audit_export", "binary_cut", bytes([1, 4, 0x80]))
    write("audit_export", "json_edited", bytes([2, 2]) + u16(5) + b"}")
    write("audit_export", "raw_json", b"\x00" + b'{"events": [{"seq": "1"}]}')
    write("audit_export", "raw_binary", bytes([0, 0x0a, 2, 8, 1, 0x12, 0]))


if __name__ == "__main__":
    for target in ("config", "request", "audit_verifier", "audit_export"):
        shutil.rmtree(CORPUS / target, ignore_errors=True)
        (CORPUS / target).mkdir(parents=True)
    config_seeds()
    request_seeds()
    audit_seeds()
    export_seeds()
    for d in sorted(CORPUS.iterdir()):
        print(d.name, len(list(d.iterdir())), "files")
