// Audits refused calls (ACCESS_DENIED) without letting one principal flood the
// audit log: the first refusal of a kind in a window is audited at once; the
// identical ones that follow within the window (same principal, RPC, status
// code and subject) are counted and audited as one event carrying their count
// when the window closes.
//
// Nobody waits for these events: Record() hands an event to `submit` (which
// queues it on the ledger) and returns, so a refusal answers as fast as an
// unknown id (no fsync on the caller's path). A reader of the audit log sees
// every event submitted before its own AUDIT_ACCESSED event (the ledger runs
// commands in order).
//
// Thread-safe. A background thread closes windows; Flush() closes them all
// at once (call it before the ledger shuts down). `submit` must not block.
#ifndef CAREGATE_SERVICES_RPC_REFUSAL_AUDITOR_H_
#define CAREGATE_SERVICES_RPC_REFUSAL_AUDITOR_H_

#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <tuple>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/audit/audit_event.h"
#include "services/common/clock.h"
#include "services/config/gateway_config.h"

namespace caregate {

// One kind of refusal: who, which RPC, which answer, about what.
struct RefusalKey {
  std::string principal_id;
  std::string rpc;  // full method name
  absl::StatusCode code = absl::StatusCode::kOk;
  std::string subject_id;

  template <typename H>
  friend H AbslHashValue(H h, const RefusalKey& k) {
    return H::combine(std::move(h), k.principal_id, k.rpc, k.code,
                      k.subject_id);
  }
  friend bool operator==(const RefusalKey& a, const RefusalKey& b) {
    return std::tie(a.principal_id, a.rpc, a.code, a.subject_id) ==
           std::tie(b.principal_id, b.rpc, b.code, b.subject_id);
  }
};

class RefusalAuditor {
 public:
  using Submit = std::function<void(AuditEvent)>;

  // `clock` (real time in the gateway) and `submit` must outlive the
  // auditor. Starts the window thread unless `start_thread` is false (tests
  // call CloseExpiredWindows() themselves).
  RefusalAuditor(absl::Duration window, const Clock* clock, Submit submit,
                 bool start_thread = true);
  ~RefusalAuditor();  // Flush()es and joins.

  // Records one refusal of `principal` (audited as its ACCESS_DENIED event).
  void Record(const PrincipalInfo& principal, const RefusalKey& key);

  // Audits every counted repeat now and forgets every window.
  void Flush();

  // Audits the repeats of windows that have closed by now; for tests and
  // the window thread.
  void CloseExpiredWindows();

 private:
  struct Window {
    absl::Time start;
    int64_t repeats = 0;  // refusals after the first, not yet audited
    v1::Role role = v1::ROLE_UNSPECIFIED;
    std::string org_id;
  };
  // The ACCESS_DENIED event of the first refusal of a window (repeats 0), or
  // of the `repeats` identical ones that followed it; detail is
  // "<rpc> <CODE>" or "<rpc> <CODE> x<repeats> more within <window>".
  static AuditEvent Event(const RefusalKey& key, const Window& window,
                          int64_t repeats, absl::Duration window_length);
  void Loop();

  const absl::Duration window_;
  const Clock* const clock_;
  const Submit submit_;

  absl::Mutex mu_;
  absl::flat_hash_map<RefusalKey, Window> windows_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_RPC_REFUSAL_AUDITOR_H_
