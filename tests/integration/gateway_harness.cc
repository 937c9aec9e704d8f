#include "tests/integration/gateway_harness.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "gtest/gtest.h"
#include "services/pki/dev_pki.h"
#include "services/rpc/json_log.h"
#include "spdlog/sinks/base_sink.h"
#include "spdlog/spdlog.h"

namespace caregate::testing {

GatewayHarness::GatewayHarness(std::function<void(std::string&)> edit_config)
    : clock_(absl::Now()) {
  static std::atomic<int> counter = 0;
  dir_ = std::filesystem::path(::testing::TempDir()) /
         ("caregate_it_" + std::to_string(::getpid()) + "_" +
          std::to_string(counter++));
  std::filesystem::remove_all(dir_);
  pki::DevInitOptions options;
  options.dir = dir_;
  auto files = pki::RunDevInit(options);
  if (!files.ok()) {
    ADD_FAILURE() << "dev-init: " << files.status();
    return;
  }
  const std::string config_path = dir_ + "/caregate.textproto";
  if (edit_config) {
    std::string text = ReadFile("caregate.textproto");
    edit_config(text);
    std::ofstream(config_path, std::ios::trunc) << text;
  }
  auto config = GatewayConfig::LoadFile(config_path);
  if (!config.ok()) {
    ADD_FAILURE() << "config: " << config.status();
    return;
  }
  config_ = *config;
  StartGateway();
}

GatewayHarness::~GatewayHarness() {
  Stop();
  std::filesystem::remove_all(dir_);
}

void GatewayHarness::StartGateway() {
  Gateway::Options options;
  options.clock = &clock_;
  options.listen_address_override = "127.0.0.1:0";
  auto gateway = Gateway::Start(config_, options);
  if (!gateway.ok()) {
    ADD_FAILURE() << "gateway: " << gateway.status();
    return;
  }
  gateway_ = *std::move(gateway);
  port_ = gateway_->port();
}

void GatewayHarness::Stop() { gateway_.reset(); }

void GatewayHarness::Restart() {
  Stop();
  StartGateway();
}

std::string GatewayHarness::ReadFile(const std::string& relative) const {
  std::ifstream in(dir_ + "/" + relative, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::shared_ptr<grpc::Channel> GatewayHarness::ChannelWith(
    const std::string& root_pem, const std::string& cert_pem,
    const std::string& key_pem) const {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = root_pem;
  options.pem_cert_chain = cert_pem;
  options.pem_private_key = key_pem;
  grpc::ChannelArguments args;
  // A fresh connection per channel, so one test's credentials never reuse
  // another's subchannel.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port_),
                                   grpc::SslCredentials(options), args);
}

std::shared_ptr<grpc::Channel> GatewayHarness::Channel(
    const std::string& principal_id) const {
  return ChannelWith(ReadFile("pki/ca.crt"),
                     ReadFile("pki/" + principal_id + ".crt"),
                     ReadFile("pki/" + principal_id + ".key"));
}

class LogCapture::Sink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string text() {
    std::lock_guard<std::mutex> lock(mutex_);
    return text_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    text_.append(formatted.data(), formatted.size());
  }
  void flush_() override {}

 private:
  std::string text_;
};

LogCapture::LogCapture()
    : sink_(std::make_shared<Sink>()), previous_(spdlog::default_logger()) {
  auto logger = std::make_shared<spdlog::logger>("log-capture", sink_);
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
  InstallJsonLogFormat();
}

LogCapture::~LogCapture() { spdlog::set_default_logger(previous_); }

std::string LogCapture::text() const { return sink_->text(); }

std::unique_ptr<grpc::ClientContext> Ctx(int seconds) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(seconds));
  return ctx;
}

}  // namespace caregate::testing
