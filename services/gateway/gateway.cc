#include "services/gateway/gateway.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "services/audit_service/audit_service.h"
#include "services/common/status_macros.h"
#include "services/consent/consent_follower.h"
#include "services/consent/consent_service.h"
#include "services/consent/consent_text.h"
#include "services/crypto/data_cipher.h"
#include "services/crypto/ed25519.h"
#include "services/crypto/keyed_digest.h"
#include "services/delivery/message_notifier.h"
#include "services/delivery/push_dispatcher.h"
#include "services/delivery_service/delivery_service.h"
#include "services/disclosure/disclosure_service.h"
#include "services/gateway/connection_acceptor.h"
#include "services/gateway/grpc_handoff.h"
#include "services/gateway/open_file_limit.h"
#include "services/gateway/store_health.h"
#include "services/inbox/inbox_service.h"
#include "services/ledger/ledger.h"
#include "services/policy/consent_index.h"
#include "services/push/push_transports.h"
#include "services/rpc/call_admission.h"
#include "services/rpc/executor.h"
#include "services/security/peer_identity.h"
#include "services/store/postgres/pg_message_listener.h"
#include "services/store/postgres/postgres_store.h"
#include "services/store/sqlite_store.h"
#include "services/witnessing/log_witnesses.h"
#include "spdlog/spdlog.h"

namespace caregate {

// Everything the gateway owns, in construction order (destroyed in reverse).
struct Gateway::Parts {
  std::shared_ptr<const GatewayConfig> config;
  const Clock* clock = nullptr;
  std::unique_ptr<Store> store;
  std::unique_ptr<Ed25519Signer> signer;
  std::unique_ptr<Ed25519Verifier> verifier;
  std::unique_ptr<DataCipher> cipher;
  std::unique_ptr<KeyedDigest> digester;
  ConsentIndex index;
  std::unique_ptr<InProcessNotifier> notifier;
  // A failing commit turns health NOT_SERVING at once (StoreHealth). Shared
  // with the ledger's callback, which may outlive the StoreHealth.
  std::shared_ptr<StoreFailureSignal> store_failures =
      std::make_shared<StoreFailureSignal>();
  std::unique_ptr<Ledger> ledger;
  // Declared after the ledger, so stopped before it.
  std::unique_ptr<WitnessPublisher> witness_publisher;
  // On PostgreSQL: consent changes committed by other replicas.
  std::unique_ptr<ConsentFollower> consent_follower;
  std::unique_ptr<Executor> executor;
  std::unique_ptr<CallAdmission> admission;
  std::unique_ptr<ConsentService> consent_service;
  std::unique_ptr<DisclosureService> disclosure_service;
  std::unique_ptr<InboxService> inbox_service;
  std::unique_ptr<AuditService> audit_service;
  std::unique_ptr<DeliveryService> delivery_service;
  std::unique_ptr<push::PushTransports> push_transports;
  std::unique_ptr<PushDispatcher> push_dispatcher;
  std::unique_ptr<grpc::Server> server;
  // Declared after `server`, so destroyed before it.
  std::unique_ptr<ConnectionAcceptor> acceptor;
  // On PostgreSQL: health follows the database's reachability.
  std::unique_ptr<StoreHealth> store_health;
  std::unique_ptr<pg::PgMessageListener> message_listener;
};

namespace {

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const GatewayConfig& config) {
  if (!config.sqlite_path().empty())
    return OpenSqliteStore(config.sqlite_path());
  // Several replicas may share the database: no process lock, and the
  // schema is created or migrated under an advisory lock (pg_schema.h).
  absl::StatusOr<std::unique_ptr<Store>> store =
      OpenPostgresStore(config.postgres_conninfo());
  if (!store.ok()) {
    return absl::Status(
        store.status().code(),
        absl::StrCat("storage.postgres: ", store.status().message()));
  }
  return store;
}

// How many commands one ledger group may hold (Ledger::Options). On SQLite a
// group's fsync runs on the ledger's sync thread while the writer runs the
// next group, so groups of 32 overlap the two (ledger.h). On PostgreSQL the
// COMMIT returns only once the database (and its synchronous standby) has
// the group, on the writer's thread: a group spreads that wait over up to 64
// commands, the subtransactions (one savepoint per command) a PostgreSQL
// backend keeps without overflowing to disk.
int LedgerGroupSize(const GatewayConfig& config) {
  constexpr int kSqliteGroupSize = 32;
  constexpr int kPostgresGroupSize = 64;
  return config.sqlite_path().empty() ? kPostgresGroupSize : kSqliteGroupSize;
}

// The label of the content digest key derived from the data key when the
// configuration names no digest key file.
constexpr char kDerivedDigestKeyLabel[] = "caregate content digest key v1";

// How much longer than one attempt (delivery_policy.attempt_timeout) a push
// lease lasts: time to record the attempt's outcome.
constexpr absl::Duration kPushLeaseMargin = absl::Seconds(5);

absl::Status LoadKeys(const GatewayConfig& config,
                      std::unique_ptr<Ed25519Signer>& signer,
                      std::unique_ptr<Ed25519Verifier>& verifier,
                      std::unique_ptr<DataCipher>& cipher,
                      std::unique_ptr<KeyedDigest>& digester) {
  CG_ASSIGN_OR_RETURN(
      signer, Ed25519Signer::FromPemFile(config.audit_signing_key_file()));
  CG_ASSIGN_OR_RETURN(verifier, Ed25519Verifier::FromPemFile(
                                    config.audit_signing_public_key_file()));
  if (signer->raw_public_key() != verifier->raw_public_key()) {
    return absl::FailedPreconditionError(absl::StrCat(
        config.audit_signing_public_key_file(), ": is not the public key of ",
        config.audit_signing_key_file()));
  }
  CG_ASSIGN_OR_RETURN(cipher, DataCipher::FromKeyFile(config.data_key_file(),
                                                      config.data_key_id()));
  if (config.content_digest_key_file().empty()) {
    CG_ASSIGN_OR_RETURN(
        digester, KeyedDigest::DerivedFromKeyFile(config.data_key_file(),
                                                  kDerivedDigestKeyLabel));
  } else {
    CG_ASSIGN_OR_RETURN(
        digester, KeyedDigest::FromKeyFile(config.content_digest_key_file()));
  }
  return absl::OkStatus();
}

// Seals the text of consents recorded before it was sealed, and erases
// their plain text, in one transaction.
absl::Status SealLegacyConsentText(Store& store, const DataCipher& cipher,
                                   std::vector<ConsentRecord>& legacy) {
  if (legacy.empty()) return absl::OkStatus();
  CG_ASSIGN_OR_RETURN(std::unique_ptr<WriteTransaction> txn,
                      store.BeginWrite());
  for (ConsentRecord& consent : legacy) {
    SealConsentText(cipher, &consent);
    CG_RETURN_IF_ERROR(txn->ReplaceConsentText(consent));
  }
  CG_RETURN_IF_ERROR(txn->Commit());
  CG_RETURN_IF_ERROR(store.Sync());
  spdlog::info(
      "sealed the stored text of {} consents recorded before text "
      "was encrypted",
      legacy.size());
  return absl::OkStatus();
}

// Binds the listening address with the connection cap derived from the
// open file limit.
absl::StatusOr<std::unique_ptr<ConnectionAcceptor>> Listen(
    const GatewayConfig& config, const std::string& address) {
  CG_ASSIGN_OR_RETURN(const int64_t file_limit, OpenFileLimit());
  CG_ASSIGN_OR_RETURN(
      const int fd_cap,
      ConnectionFdCap(file_limit, config.network().max_connections));
  absl::StatusOr<std::unique_ptr<ConnectionAcceptor>> acceptor =
      ConnectionAcceptor::Listen(address, fd_cap);
  if (!acceptor.ok()) {
    return absl::Status(
        acceptor.status().code(),
        absl::StrCat("listen_address: ", acceptor.status().message()));
  }
  spdlog::info(
      "connections refused while {} files are open (open file limit {}); "
      "TLS handshake timeout {}",
      fd_cap, file_limit,
      absl::FormatDuration(config.network().handshake_timeout));
  return acceptor;
}

// Loads every stored consent's terms into `index`. The index keeps no text,
// so the text is opened only to prove the data key opens it: that of the
// first consent sealed with each key id (a wrong or missing key stops the
// start; one altered row is found when it is read, as DATA_LOSS). Consents
// recorded before text was sealed are sealed now.
absl::Status LoadConsentIndex(Store& store, const DataCipher& cipher,
                              ConsentIndex& index) {
  size_t count = 0;
  absl::Status opened = absl::OkStatus();
  absl::flat_hash_set<std::string> proven_key_ids;
  std::vector<ConsentRecord> legacy;
  CG_RETURN_IF_ERROR(store.ForEachConsent([&](ConsentRecord consent) {
    if (consent.sealed.evidence.empty()) {
      legacy.push_back(consent);
    } else if (proven_key_ids.insert(consent.sealed.key_id).second) {
      if (absl::Status s = OpenConsentText(cipher, &consent); !s.ok()) {
        if (opened.ok()) opened = s;
        return;
      }
    }
    index.Upsert(consent);
    ++count;
  }));
  CG_RETURN_IF_ERROR(opened);
  CG_RETURN_IF_ERROR(SealLegacyConsentText(store, cipher, legacy));
  spdlog::info("consent index loaded: {} consents", count);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Start(
    std::shared_ptr<const GatewayConfig> config, Options options) {
  auto gateway = std::unique_ptr<Gateway>(new Gateway());
  gateway->parts_ = std::make_unique<Parts>();
  Parts& p = *gateway->parts_;
  p.config = std::move(config);
  p.clock = options.clock;
  const GatewayConfig& cfg = *p.config;

  CG_RETURN_IF_ERROR(LoadKeys(cfg, p.signer, p.verifier, p.cipher, p.digester));
  CG_ASSIGN_OR_RETURN(p.store, OpenStore(cfg));
  // Read before the index loads: every consent change another replica
  // commits later has a higher revision (its event's seq), so the follower
  // starts from here.
  CG_ASSIGN_OR_RETURN(std::optional<ChainHead> head_before_load,
                      p.store->GetChainHead());
  CG_RETURN_IF_ERROR(LoadConsentIndex(*p.store, *p.cipher, p.index));
  // Before the ledger can sign anything: a log that is not what the
  // witnesses cosigned is not served (docs/transparency.md).
  std::vector<std::pair<std::string, std::string>> witness_config;
  for (const WitnessInfo& w : cfg.witnesses()) {
    witness_config.emplace_back(w.url, w.verifier_key);
  }
  CG_ASSIGN_OR_RETURN(auto witnesses, ConnectWitnesses(witness_config));
  CG_RETURN_IF_ERROR(
      CheckLogAgainstWitnesses(*p.store, cfg.checkpoint_origin(), witnesses));
  CG_ASSIGN_OR_RETURN(
      p.ledger,
      Ledger::Create(p.store.get(), p.clock, p.signer.get(),
                     {.checkpoint_origin = cfg.checkpoint_origin(),
                      .checkpoint_interval = cfg.checkpoint_interval(),
                      .max_group_size = LedgerGroupSize(cfg),
                      .on_store_unavailable = [failures = p.store_failures] {
                        failures->Raise();
                      }}));
  spdlog::info("audit checkpoint notes are signed by {}",
               p.ledger->note_verifier_key());
  if (!witnesses.empty()) {
    p.witness_publisher = std::make_unique<WitnessPublisher>(
        p.store.get(), p.ledger.get(), std::move(witnesses),
        WitnessPublisher::Options{cfg.min_cosignatures()});
    spdlog::info("checkpoints go to {} witness(es); {} make one witnessed",
                 cfg.witnesses().size(), cfg.min_cosignatures());
  }
  // On PostgreSQL, replicas share the store (ADR 5).
  const bool shared_store = !cfg.postgres_conninfo().empty();
  if (shared_store) {
    p.consent_follower = std::make_unique<ConsentFollower>(
        p.store.get(), p.ledger.get(), &p.index,
        head_before_load.has_value() ? head_before_load->seq : 0,
        ConsentFollower::Options{});
  }
  // Everything stored at start is durable: streams may show it. On
  // PostgreSQL every commit is durable when it returns, so everything
  // committed may be shown, also what other replicas commit.
  p.notifier = std::make_unique<InProcessNotifier>(
      shared_store ? std::numeric_limits<int64_t>::max()
                   : p.ledger->committed_head().seq);
  p.executor = std::make_unique<Executor>(options.executor_threads);
  p.admission = std::make_unique<CallAdmission>(&cfg, p.ledger.get());
  p.consent_service = std::make_unique<ConsentService>(
      p.admission.get(), p.ledger.get(), &p.index, p.store.get(),
      p.executor.get(), p.clock, p.cipher.get(), p.digester.get());
  const SendContext send{&cfg,           &p.index,         p.signer.get(),
                         p.cipher.get(), p.notifier.get(), p.digester.get()};
  p.disclosure_service = std::make_unique<DisclosureService>(
      p.admission.get(), p.ledger.get(), p.store.get(), p.executor.get(),
      p.clock, send);
  p.inbox_service = std::make_unique<InboxService>(
      p.admission.get(), p.ledger.get(), p.store.get(), p.executor.get(),
      p.cipher.get(), p.notifier.get());
  p.audit_service = std::make_unique<AuditService>(
      p.admission.get(), p.ledger.get(), p.store.get(), p.executor.get(),
      p.clock, p.verifier.get(), &cfg);
  p.delivery_service = std::make_unique<DeliveryService>(
      p.admission.get(), p.ledger.get(), p.store.get(), p.executor.get(), &cfg);

  // Push delivery (docs/push-transports.md): a transport per clinic
  // endpoint and the outbox's dispatcher on its own thread; nothing runs
  // when every clinic pulls.
  CG_ASSIGN_OR_RETURN(p.push_transports,
                      push::PushTransports::Create(p.config));
  if (std::vector<PushRoute> routes = PushRoutesFor(cfg, *p.push_transports);
      !routes.empty()) {
    // A claimed message is this replica's for one attempt and the recording
    // of its outcome; a replica that dies mid-push frees it by then.
    PushDispatcher::Options dispatch;
    dispatch.lease = cfg.delivery_policy().attempt_timeout + kPushLeaseMargin;
    CG_ASSIGN_OR_RETURN(
        p.push_dispatcher,
        PushDispatcher::Create(
            {p.store.get(), p.ledger.get(), p.cipher.get(), p.notifier.get(),
             p.clock, &p.push_transports->retry_policy()},
            std::move(routes), dispatch));
    spdlog::info("push delivery to {} clinic endpoint(s)",
                 p.push_transports->all().size());
  }

  CG_ASSIGN_OR_RETURN(
      std::shared_ptr<grpc::ServerCredentials> credentials,
      MutualTlsServerCredentials(cfg.ca_cert_file(), cfg.server_cert_file(),
                                 cfg.server_key_file()));
  const std::string address = options.listen_address_override.empty()
                                  ? cfg.listen_address()
                                  : options.listen_address_override;
  CG_ASSIGN_OR_RETURN(p.acceptor, Listen(cfg, address));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // gRPC gets connections from p.acceptor only (no listening port of its
  // own, whose accept loop stops for good at the file limit).
  ConnectionAcceptor::Handler handler =
      ServeAcceptedConnections(builder, credentials, cfg.network());
  builder.SetMaxReceiveMessageSize(
      static_cast<int>(cfg.limits().max_request_bytes));
  // gRPC's own buffers are bounded too; with the admission limits this keeps
  // the gateway under its documented memory ceiling (deploy/README.md).
  grpc::ResourceQuota quota("caregated");
  quota.Resize(256 << 20);
  builder.SetResourceQuota(quota);
  builder.RegisterService(p.consent_service.get());
  builder.RegisterService(p.disclosure_service.get());
  builder.RegisterService(p.inbox_service.get());
  builder.RegisterService(p.audit_service.get());
  builder.RegisterService(p.delivery_service.get());
  p.server = builder.BuildAndStart();
  if (p.server == nullptr) {
    return absl::InternalError("the gRPC server did not start");
  }
  p.server->GetHealthCheckService()->SetServingStatus(true);
  if (shared_store) {
    // A replica that cannot reach the shared database answers NOT_SERVING,
    // so the load balancer sends calls elsewhere (ADR 5). SQLite is a local
    // file: its failures stop the ledger instead.
    // Messages committed through other replicas wake this one's streams and
    // push dispatcher: at once through LISTEN, and should a notification be
    // lost, when the probe (each second) finds the log head moved (ADR 5,
    // section 4).
    p.message_listener = pg::PgMessageListener::Start(
        {cfg.postgres_conninfo(),
         [notifier = p.notifier.get()](const std::string& org_id) {
           notifier->Wake(org_id);
         },
         [notifier = p.notifier.get()] { notifier->WakeAll(); }});
    p.store_health = StoreHealth::Start(
        {[store = p.store.get(), notifier = p.notifier.get(),
          seen = std::make_shared<int64_t>(0)] {
           absl::StatusOr<std::optional<ChainHead>> head =
               store->GetChainHead();
           if (head.ok() && head->has_value() && (*head)->seq > *seen) {
             *seen = (*head)->seq;
             notifier->WakeAll();
           }
           return head.status();
         },
         [server = p.server.get()](bool serving) {
           server->GetHealthCheckService()->SetServingStatus(serving);
         },
         absl::Seconds(1), p.store_failures.get()});
  }
  p.acceptor->Start(std::move(handler));
  gateway->port_ = p.acceptor->port();
  gateway->local_address_ = p.acceptor->LocalAddress();
  spdlog::info("caregated serving mTLS on port {}", gateway->port_);
  return gateway;
}

void Gateway::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  Parts& p = *parts_;
  if (p.server != nullptr) {
    spdlog::info("caregated shutting down");
    // No new connections; gRPC would not close one handed over after its
    // shutdown began.
    p.acceptor->Stop();
    p.store_health.reset();  // so nothing sets SERVING again
    p.message_listener.reset();
    p.server->GetHealthCheckService()->SetServingStatus(false);
    // Open inbox streams end now (clients reconnect elsewhere); unary calls
    // in flight get the grace period.
    p.inbox_service->CloseStreams();
    p.server->Shutdown(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(p.config->shutdown_grace()));
    p.server->Wait();
  }
  // Counted refusals are audited, queued writes commit and a final
  // checkpoint is signed before the store closes (with Parts).
  if (p.admission != nullptr) p.admission->FlushRefusals();
  // Pushes in flight are cancelled; their messages stay due for the next
  // start.
  if (p.push_dispatcher != nullptr) p.push_dispatcher->Stop();
  p.push_transports.reset();
  // The final checkpoint goes to the witnesses at the next start.
  p.witness_publisher.reset();
  p.consent_follower.reset();  // it submits to the ledger
  if (p.ledger != nullptr) p.ledger->Shutdown();
  p.executor.reset();
  spdlog::info("caregated stopped");
  absl::MutexLock lock(&mu_);
  stopped_ = true;
}

void Gateway::Wait() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(&stopped_));
}

Gateway::~Gateway() { Shutdown(); }

}  // namespace caregate
