#include "bench/load/rpc_slots.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "bench/common/bench_fixtures.h"
#include "google/protobuf/unknown_field_set.h"

namespace caregate::bench {
namespace {

bool Permitted(const v1::Decision& decision) {
  return decision.outcome() == v1::DECISION_OUTCOME_PERMITTED;
}

}  // namespace

uint64_t SlotRandom::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

RpcSlot::RpcSlot(SlotSetup setup)
    : setup_(std::move(setup)),
      random_(0x5eed0000ULL + static_cast<uint64_t>(setup_.index) * 7919) {}

grpc::ClientContext* RpcSlot::NewContext() {
  context_ = std::make_unique<grpc::ClientContext>();
  context_->set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoNanoseconds(setup_.timeout));
  return context_.get();
}

void RpcSlot::Report(const grpc::Status& status, bool unexpected, int op) {
  CallResult result;
  result.code = status.error_code();
  result.unexpected = unexpected;
  result.op = op;
  if (!status.ok()) {
    result.message = status.error_message();
  } else if (unexpected) {
    result.message = "the response was not the expected one";
  }
  setup_.sink->OnCallDone(setup_.index, result);
}

HealthSlot::HealthSlot(SlotSetup setup, grpc::health::v1::Health::Stub* stub,
                       size_t payload_bytes)
    : RpcSlot(std::move(setup)), stub_(stub) {
  if (payload_bytes > 0) {
    request_.GetReflection()
        ->MutableUnknownFields(&request_)
        ->AddLengthDelimited(1000, std::string(payload_bytes, 'p'));
  }
}

void HealthSlot::Start(int64_t) {
  response_.Clear();
  stub_->async()->Check(
      NewContext(), &request_, &response_, [this](grpc::Status status) {
        Report(status, status.ok() &&
                           response_.status() !=
                               grpc::health::v1::HealthCheckResponse::SERVING);
      });
}

CheckSlot::CheckSlot(SlotSetup setup, v1::DisclosureService::Stub* stub)
    : RpcSlot(std::move(setup)), stub_(stub) {
  *request_.mutable_disclosure() = BenchDisclosure(BenchPatientId(0));
}

void CheckSlot::Start(int64_t) {
  request_.mutable_disclosure()->set_patient_id(
      BenchPatientId(static_cast<int64_t>(random_.Below(setup_.patients))));
  response_.Clear();
  stub_->async()->CheckDisclosure(
      NewContext(), &request_, &response_, [this](grpc::Status status) {
        Report(status, status.ok() && !Permitted(response_.decision()));
      });
}

SendSlot::SendSlot(SlotSetup setup, v1::DisclosureService::Stub* stub)
    : RpcSlot(std::move(setup)), stub_(stub) {
  *request_.mutable_disclosure() = BenchDisclosure(BenchPatientId(0));
}

void SendSlot::Start(int64_t call_number) {
  request_.mutable_disclosure()->set_patient_id(
      BenchPatientId(static_cast<int64_t>(random_.Below(setup_.patients))));
  request_.set_request_id(
      absl::StrCat(setup_.run_id, "-send-", setup_.index, "-", call_number));
  response_.Clear();
  stub_->async()->SendDisclosure(
      NewContext(), &request_, &response_, [this](grpc::Status status) {
        Report(status,
               status.ok() && !Permitted(response_.receipt().decision()));
      });
}

void RecordBenchConsentSlot::Start(int64_t call_number) {
  const std::string patient_id = BenchPatientId(call_number);
  *request_.mutable_consent() = BenchConsentProto(patient_id, absl::Now());
  request_.set_request_id(BenchConsentRequestId(call_number));
  response_.Clear();
  stub_->async()->RecordConsent(
      NewContext(), &request_, &response_,
      [this, patient_id](grpc::Status status) {
        Report(status, status.ok() && response_.patient_id() != patient_id);
      });
}

void ChurnSlot::Start(int64_t call_number) {
  if (pending_revoke_.empty()) {
    Record(call_number);
  } else {
    Revoke();
  }
}

void ChurnSlot::Record(int64_t call_number) {
  const std::string patient_id = absl::StrCat(
      "bench-churn-", setup_.run_id, "-", setup_.index, "-", call_number);
  *record_.mutable_consent() = BenchConsentProto(patient_id, absl::Now());
  record_.set_request_id(
      absl::StrCat(setup_.run_id, "-churn-", setup_.index, "-", call_number));
  response_.Clear();
  stub_->async()->RecordConsent(
      NewContext(), &record_, &response_, [this](grpc::Status status) {
        const bool unexpected = status.ok() && response_.consent_id().empty();
        if (status.ok()) pending_revoke_ = response_.consent_id();
        Report(status, unexpected, setup_.op);
      });
}

void ChurnSlot::Revoke() {
  revoke_.set_consent_id(pending_revoke_);
  revoke_.set_reason("benchmark churn: revoked in writing");
  response_.Clear();
  stub_->async()->RevokeConsent(
      NewContext(), &revoke_, &response_, [this](grpc::Status status) {
        // A failed revocation is not retried: the next churn call records.
        pending_revoke_.clear();
        Report(status,
               status.ok() && response_.status() != v1::CONSENT_STATUS_REVOKED,
               setup_.op + 1);
      });
}

}  // namespace caregate::bench
