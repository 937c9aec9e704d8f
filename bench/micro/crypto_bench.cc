// audit_verify/<events>, aes_gcm_seal_open/4096 and sign_message/4096: the
// per-event and per-message crypto of the gateway.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/common/bench_fixtures.h"
#include "bench/micro/micro_benchmarks.h"
#include "services/audit/audit_chain.h"
#include "services/audit/test_events.h"
#include "services/crypto/data_cipher.h"
#include "services/crypto/ed25519.h"
#include "services/crypto/random.h"
#include "services/delivery/message_signature.h"
#include "tests/testing/test_keys.h"

namespace caregate::bench {
namespace {

constexpr int kChainEvents = 100'000;
constexpr size_t kBodyBytes = 4096;

const std::vector<AuditEvent>& Chain() {
  static const auto* chain =
      new std::vector<AuditEvent>(testing::BuildTestChain(kChainEvents));
  return *chain;
}

void BM_AuditVerify(benchmark::State& state) {
  const std::vector<AuditEvent>& events = Chain();
  for (auto _ : state) {
    ChainVerifier verifier;
    for (const AuditEvent& event : events) verifier.Add(event);
    if (!verifier.result().ok) {
      state.SkipWithError("the test chain does not verify");
      return;
    }
    benchmark::DoNotOptimize(verifier.head_hash());
  }
  state.SetItemsProcessed(state.iterations() * kChainEvents);
}

void BM_SealOpen(benchmark::State& state) {
  auto cipher = DataCipher::Create(RandomBytes(DataCipher::kKeySize), "bench");
  if (!cipher.ok()) {
    state.SkipWithError("cannot create the cipher");
    return;
  }
  const std::string body(kBodyBytes, 'x');
  const std::string aad = "msg-01j9bench0000000000000000";
  for (auto _ : state) {
    std::string sealed = (*cipher)->Seal(body, aad);
    absl::StatusOr<std::string> opened = (*cipher)->Open(sealed, aad);
    if (!opened.ok() || opened->size() != kBodyBytes) {
      state.SkipWithError("open failed");
      return;
    }
    benchmark::DoNotOptimize(opened);
  }
  state.SetBytesProcessed(state.iterations() * kBodyBytes);
}

// The message the send path signs: a bench disclosure's two 2 KiB sections.
v1::Message BenchMessage() {
  v1::Message m;
  m.set_message_id("msg-01j9bench0000000000000000");
  m.set_disclosure_id("dsc-01j9bench0000000000000000");
  m.set_sender_principal_id(kBenchTherapist);
  m.set_sender_org_id(kBenchPractice);
  m.set_patient_id(BenchPatientId(1));
  m.set_recipient_org_id(kBenchRecipientOrg);
  m.set_recipient_provider_id(kBenchRecipientProvider);
  m.set_purpose(v1::PURPOSE_TREATMENT_COORDINATION);
  *m.mutable_sections() = BenchDisclosure(BenchPatientId(1)).sections();
  m.set_redisclosure_notice("Federal law prohibits unauthorized redisclosure.");
  return m;
}

void BM_SignMessage(benchmark::State& state) {
  auto signer =
      Ed25519Signer::FromPem(testing::NewEd25519KeyPair().private_pem);
  if (!signer.ok()) {
    state.SkipWithError("cannot create the signer");
    return;
  }
  v1::Message message = BenchMessage();
  for (auto _ : state) {
    SignMessage(**signer, &message);
    benchmark::DoNotOptimize(message.signature());
  }
  state.SetBytesProcessed(state.iterations() * kBodyBytes);
}

}  // namespace

void RegisterAuditBenchmarks() {
  benchmark::RegisterBenchmark(
      absl::StrCat("audit_verify/", kChainEvents).c_str(), BM_AuditVerify)
      ->Unit(benchmark::kMillisecond);
}

void RegisterCryptoBenchmarks() {
  benchmark::RegisterBenchmark("aes_gcm_seal_open/4096", BM_SealOpen)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("sign_message/4096", BM_SignMessage)
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace caregate::bench
