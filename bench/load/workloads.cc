#include "bench/load/workloads.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "bench/load/rpc_slots.h"

namespace caregate::bench {
namespace {

// About the size of a check request (two 2 KiB sections and ids).
constexpr size_t kPayloadBytes = 4200;

// Stubs of every service, one set per channel.
struct Stubs {
  explicit Stubs(const std::shared_ptr<grpc::Channel>& channel)
      : health(grpc::health::v1::Health::NewStub(channel)),
        disclosures(v1::DisclosureService::NewStub(channel)),
        consents(v1::ConsentService::NewStub(channel)) {}
  std::unique_ptr<grpc::health::v1::Health::Stub> health;
  std::unique_ptr<v1::DisclosureService::Stub> disclosures;
  std::unique_ptr<v1::ConsentService::Stub> consents;
};

// A mixed slot: 90% check, 9% send, 1% churn, drawn per call.
class MixedSlot final : public Workload::Slot {
 public:
  enum Op { kCheck = 0, kSend = 1, kRecord = 2, kRevoke = 3 };

  MixedSlot(const SlotSetup& setup, Stubs& stubs)
      : random_(0x313d0000ULL + static_cast<uint64_t>(setup.index)),
        check_(WithOp(setup, kCheck), stubs.disclosures.get()),
        send_(WithOp(setup, kSend), stubs.disclosures.get()),
        churn_(WithOp(setup, kRecord), stubs.consents.get()) {}

  void Start(int64_t call_number) override {
    const uint64_t draw = random_.Below(100);
    if (draw < 90) {
      check_.Start(call_number);
    } else if (draw < 99) {
      send_.Start(call_number);
    } else {
      churn_.Start(call_number);
    }
  }

 private:
  static SlotSetup WithOp(SlotSetup setup, int op) {
    setup.op = op;
    return setup;
  }

  SlotRandom random_;
  CheckSlot check_;
  SendSlot send_;
  ChurnSlot churn_;
};

class StubWorkload final : public Workload {
 public:
  StubWorkload(std::optional<Scenario> scenario, const WorkloadContext& context)
      : scenario_(scenario), context_(context) {
    for (const auto& channel : context.channels) stubs_.emplace_back(channel);
  }

  std::unique_ptr<Slot> NewSlot(int index, CallSink* sink) override {
    SlotSetup setup;
    setup.index = index;
    setup.sink = sink;
    setup.timeout = context_.call_timeout;
    // Request ids are unique per scenario too: the same id with another
    // request would be ALREADY_EXISTS.
    setup.run_id = absl::StrCat(
        context_.run_id, "-",
        scenario_.has_value() ? std::string(ScenarioName(*scenario_))
                              : std::string("setup"));
    setup.patients = context_.patients;
    Stubs& stubs = stubs_[index % stubs_.size()];
    if (!scenario_.has_value()) {
      return std::make_unique<RecordBenchConsentSlot>(setup,
                                                      stubs.consents.get());
    }
    switch (*scenario_) {
      case Scenario::kHealth:
        return std::make_unique<HealthSlot>(setup, stubs.health.get());
      case Scenario::kPayload:
        return std::make_unique<HealthSlot>(setup, stubs.health.get(),
                                            kPayloadBytes);
      case Scenario::kCheck:
        return std::make_unique<CheckSlot>(setup, stubs.disclosures.get());
      case Scenario::kSend:
        return std::make_unique<SendSlot>(setup, stubs.disclosures.get());
      case Scenario::kMixed:
        return std::make_unique<MixedSlot>(setup, stubs);
    }
    return nullptr;
  }

  std::vector<std::string> OpNames() const override {
    if (!scenario_.has_value()) return {"record"};
    if (*scenario_ == Scenario::kMixed) {
      return {"check", "send", "record", "revoke"};
    }
    return {std::string(ScenarioName(*scenario_))};
  }

 private:
  const std::optional<Scenario> scenario_;  // nullopt: record bench consents
  const WorkloadContext context_;
  std::vector<Stubs> stubs_;
};

}  // namespace

std::unique_ptr<Workload> NewScenarioWorkload(Scenario scenario,
                                              const WorkloadContext& context) {
  return std::make_unique<StubWorkload>(scenario, context);
}

std::unique_ptr<Workload> NewRecordConsentsWorkload(
    const WorkloadContext& context) {
  return std::make_unique<StubWorkload>(std::nullopt, context);
}

}  // namespace caregate::bench
