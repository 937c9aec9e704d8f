#include "services/ctl/audit_proof_commands.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "caregate/v1/audit_export.pb.h"
#include "caregate/v1/audit_service.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/absl_compat.h"
#include "services/common/file_contents.h"
#include "services/ctl/checkpoint_note.h"
#include "services/ctl/client_command.h"
#include "services/ctl/message_view.h"
#include "services/ctl/output.h"
#include "services/ctl/proof_verify.h"
#include "services/ctl/time_text.h"
#include "services/transparency/checkpoint.h"
#include "services/transparency/note_keys.h"
#include "services/transparency/signed_note.h"
#include "services/validation/request_fields.h"

namespace caregate::ctl {
namespace {

std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

// The log's note verifier key from --log-key, or from --pubkey PEM and the
// origin the proof's checkpoint names.
absl::StatusOr<std::string> LogKey(const std::string& log_key,
                                   const std::string& pubkey,
                                   const v1::AuditEventProof& proof) {
  if (!log_key.empty()) return log_key;
  auto verifier = LoadVerifier(pubkey);
  if (!verifier.ok()) return verifier.status();
  auto note = tlog::ParseSignedNote(proof.proof().checkpoint().note());
  if (!note.ok()) return note.status();
  return LogNoteKey(note->text.substr(0, note->text.find('\n')), **verifier);
}

}  // namespace

std::string_view AuditProveUsage() {
  static const auto* usage = new std::string(absl::StrCat(
      "usage: caregatectl audit prove SEQ [--tree-size N] [--out FILE] "
      "[--json]\n"
      "\n"
      "Fetches the RFC 6962 inclusion proof of audit event SEQ (e.g. a\n"
      "receipt's audit_seq, or a message's) and the signed checkpoint it\n"
      "leads to, with the witnesses' cosignatures, and writes them to FILE\n"
      "(an AuditEventProof as JSON) for `audit verify-proof`. A compliance\n"
      "officer's file also holds the event itself, so its content is checked\n"
      "too. Therapists and clinics may prove events; the proof holds hashes\n"
      "only.\n"
      "\n"
      "flags:\n"
      "  --tree-size N  prove it in the tree of N events (default: the\n"
      "                 latest checkpoint's)\n"
      "  --out FILE     where to write the proof (default: print it)\n",
      AsAbsl(kConnectionFlagsHelp),
      "\nexamples:\n"
      "  caregatectl audit prove 42 --out proof-42.json \\\n"
      "    --profile dev/pki/core-pelvic-pt-inbox\n"));
  return *usage;
}

int RunAuditProve(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl audit prove", io);
  std::string tree_size_text, out;
  cmd.flags().AddString("tree-size", &tree_size_text);
  cmd.flags().AddString("out", &out);
  auto positional = cmd.Parse(args, 1, 1, "SEQ");
  if (!positional) return cmd.exit_code();
  int64_t seq = 0, tree_size = 0;
  if (!absl::SimpleAtoi(positional->front(), &seq) || seq < 1) {
    return cmd.Usage("SEQ: must be an event's seq (1 or more)");
  }
  if (!tree_size_text.empty() &&
      (!absl::SimpleAtoi(tree_size_text, &tree_size) || tree_size < 1)) {
    return cmd.Usage("--tree-size: must be a number of events (1 or more)");
  }
  if (!cmd.Connect()) return cmd.exit_code();
  auto stub = v1::AuditService::NewStub(cmd.channel());
  v1::GetInclusionProofRequest request;
  request.set_seq(seq);
  request.set_tree_size(tree_size);
  v1::AuditEventProof file;
  grpc::Status status = stub->GetInclusionProof(cmd.Context().get(), request,
                                                file.mutable_proof());
  if (!status.ok()) return cmd.RpcFailed(status);
  file.set_seq(seq);
  file.set_event_hash(file.proof().event_hash());
  // The gateway includes the event for those who may read the log.
  if (file.proof().has_event()) {
    *file.mutable_event() = file.proof().event();
    file.mutable_proof()->clear_event();
  }
  const std::string json = ToJson(file);
  if (out.empty()) {
    cmd.out() << json;
    return kExitOk;
  }
  if (absl::Status s = WriteFileAtomically(out, json); !s.ok()) {
    return cmd.Fail(std::string(s.message()));
  }
  cmd.out() << "wrote the inclusion proof of event " << seq
            << " in the tree of " << file.proof().tree_size() << " events ("
            << file.proof().hashes_size() << " hashes) to " << out << "\n";
  return kExitOk;
}

std::string_view AuditVerifyProofUsage() {
  static const auto* usage = new std::string(
      "usage: caregatectl audit verify-proof FILE (--pubkey PEM | --log-key "
      "VKEY)\n"
      "         [--witness-key VKEY]... [--min-witnesses N] [--json]\n"
      "\n"
      "Checks a file of `audit prove` with no gateway: the checkpoint note's\n"
      "signature by the log's key, the witnesses' cosignatures, the event's\n"
      "hash (from its content, when the file has the event) and the RFC 6962\n"
      "inclusion proof of that hash in the checkpoint's tree\n"
      "(docs/transparency.md). Exit 0 when all hold, 1 otherwise.\n"
      "\n"
      "flags:\n"
      "  --pubkey PEM        the gateway's public key (the log's note key is\n"
      "                      derived from it and the checkpoint's origin)\n"
      "  --log-key VKEY      or the log's note verifier key itself\n"
      "  --witness-key VKEY  a witness you trust; repeat for several\n"
      "  --min-witnesses N   cosignatures required (default 0)\n"
      "  --json              print the report as JSON\n"
      "\nexamples:\n"
      "  caregatectl audit verify-proof proof-42.json \\\n"
      "    --pubkey dev/keys/audit-signing.pub.pem --witness-key \"$(cat "
      "witness.vkey)\" \\\n"
      "    --min-witnesses 1\n");
  return *usage;
}

int RunAuditVerifyProof(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl audit verify-proof", io);
  std::string pubkey, log_key, min_text;
  std::vector<std::string> witness_keys;
  cmd.flags().AddString("pubkey", &pubkey);
  cmd.flags().AddString("log-key", &log_key);
  cmd.flags().AddList("witness-key", &witness_keys);
  cmd.flags().AddString("min-witnesses", &min_text);
  auto files = cmd.Parse(args, 1, 1, "FILE");
  if (!files) return cmd.exit_code();
  if (pubkey.empty() == log_key.empty()) {
    return cmd.Usage("give exactly one of --pubkey PEM and --log-key VKEY");
  }
  int min_witnesses = 0;
  if (!min_text.empty() &&
      (!absl::SimpleAtoi(min_text, &min_witnesses) || min_witnesses < 0)) {
    return cmd.Usage("--min-witnesses: must be a number (0 or more)");
  }
  absl::StatusOr<std::string> text = ReadFileContents(files->front());
  if (!text.ok()) return cmd.Fail(absl::StrCat("cannot read ", files->front()));
  v1::AuditEventProof proof;
  if (!google::protobuf::util::JsonStringToMessage(*text, &proof).ok()) {
    return cmd.Fail(
        absl::StrCat(files->front(), ": not a proof of `audit prove` (JSON)"));
  }
  absl::StatusOr<std::string> key = LogKey(log_key, pubkey, proof);
  if (!key.ok()) return cmd.Fail(std::string(key.status().message()));
  const ProofReport r =
      VerifyEventProof(proof, *key, witness_keys, min_witnesses);
  if (cmd.json()) {
    cmd.out() << "{\"ok\":" << (r.ok ? "true" : "false") << ",\"seq\":" << r.seq
              << ",\"treeSize\":" << r.tree_size
              << ",\"witnesses\":" << r.witnesses.size() << "}\n";
  } else if (r.ok) {
    cmd.out() << "VERIFIED: event " << r.seq << " is in the log " << r.origin
              << " of " << r.tree_size << " events"
              << (r.event_checked ? " (its content matches its hash)" : "")
              << "\ncheckpoint signed by the log key at "
              << HumanTime(absl::FromUnixSeconds(r.log_signed_at)) << "\n";
    for (const std::string& w : r.witnesses) {
      cmd.out() << "cosigned by witness " << w << "\n";
    }
  } else {
    cmd.out() << "FAILED: " << r.problem << "\n";
  }
  if (!r.ok)
    return cmd.Fail(absl::StrCat("the proof does not verify: ", r.problem));
  return kExitOk;
}

}  // namespace caregate::ctl
