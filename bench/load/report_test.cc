#include "bench/load/report.h"

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace caregate::bench {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ScenarioReport Report(std::string scenario, int concurrency, int connections,
                      absl::Duration warmup, int64_t consents,
                      const LoopResult* result) {
  ScenarioReport report;
  report.scenario = std::move(scenario);
  report.concurrency = concurrency;
  report.connections = connections;
  report.warmup = warmup;
  report.consents_loaded = consents;
  report.result = result;
  return report;
}

LoopResult SampleResult() {
  LoopResult r;
  r.calls = 1000;
  r.errors = 2;
  r.window = absl::Seconds(2);
  r.errors_by_class[static_cast<int>(grpc::StatusCode::DEADLINE_EXCEEDED)] = 2;
  r.op_names = {"check", "send"};
  r.calls_by_op = {900, 100};
  r.first_error = "DEADLINE_EXCEEDED: \"Deadline\" Exceeded";
  r.latency_ns = std::make_unique<LatencyHistogram>();
  for (int i = 1; i <= 100; ++i) r.latency_ns->Record(i * 10'000);  // 10us..1ms
  return r;
}

TEST(ReportJsonTest, HasEveryFieldOnOneLine) {
  LoopResult r = SampleResult();
  ScenarioReport report = Report("mixed", 64, 4, absl::Seconds(1), 1000, &r);
  const std::string json = ReportJson(report);
  EXPECT_THAT(json, Not(HasSubstr("\n")));
  EXPECT_THAT(json, HasSubstr("{\"scenario\":\"mixed\",\"concurrency\":64,"
                              "\"connections\":4,\"gateways\":1,\"duration_s\":2.000,"
                              "\"warmup_s\":1.000,\"calls\":1000,"
                              "\"errors\":2,\"rps\":499.0,"));
  const LatencyHistogram& h = *r.latency_ns;
  EXPECT_THAT(json, HasSubstr(absl::StrFormat(
                        "\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,",
                        h.Percentile(50) / 1e6, h.Percentile(90) / 1e6,
                        h.Percentile(99) / 1e6)));
  EXPECT_NEAR(h.Percentile(90) / 1e6, 0.9, 0.009);
  EXPECT_THAT(json, HasSubstr("\"max_ms\":1.000,"));
  EXPECT_THAT(json, HasSubstr("\"consents_loaded\":1000,"));
  EXPECT_THAT(json, HasSubstr("\"error_codes\":{\"DEADLINE_EXCEEDED\":2}"));
  EXPECT_THAT(json, HasSubstr("\"ops\":{\"check\":900,\"send\":100}"));
  EXPECT_THAT(
      json,
      HasSubstr(
          "\"first_error\":\"DEADLINE_EXCEEDED: \\\"Deadline\\\" Exceeded\"}"));
}

TEST(ReportJsonTest, AddsCpuPerCallWhenMeasured) {
  LoopResult r = SampleResult();
  ScenarioReport report = Report("check", 64, 4, absl::Seconds(1), 10, &r);
  EXPECT_THAT(ReportJson(report), Not(HasSubstr("cpu_us_per_call")));
  report.client_cpu_us_per_call = 41.26;
  report.server_cpu_us_per_call = 80.04;
  EXPECT_THAT(ReportJson(report), HasSubstr("\"client_cpu_us_per_call\":41.3,"
                                            "\"server_cpu_us_per_call\":80.0"));
  EXPECT_THAT(ReportText(report),
              HasSubstr("cpu/call: gateway 80.0us bench 41.3us"));
}

TEST(ReportJsonTest, AddsGatewaysAndStreamLatencyWhenWatched) {
  LoopResult r = SampleResult();
  ScenarioReport report = Report("send", 64, 4, absl::Seconds(1), 10, &r);
  EXPECT_THAT(ReportJson(report), Not(HasSubstr("stream_")));
  EXPECT_THAT(ReportText(report), Not(HasSubstr("stream")));
  LatencyHistogram stream;
  stream.Record(3'000'000);   // 3 ms
  stream.Record(5'000'000);
  stream.Record(40'000'000);  // 40 ms
  report.gateways = 2;
  report.stream_latency_ns = &stream;
  const std::string json = ReportJson(report);
  EXPECT_THAT(json, HasSubstr("\"gateways\":2,"));
  EXPECT_THAT(json, HasSubstr("\"stream_messages\":3,"));
  EXPECT_THAT(json, HasSubstr(absl::StrFormat("\"stream_p50_ms\":%.3f,",
                                              stream.Percentile(50) / 1e6)));
  EXPECT_THAT(json, HasSubstr("\"stream_max_ms\":40.000"));
  EXPECT_THAT(ReportText(report),
              HasSubstr("gateways=2  stream: 3 messages p50="));
  report.stream_error = "stream ended: UNAVAILABLE";
  EXPECT_THAT(ReportJson(report),
              HasSubstr("\"stream_error\":\"stream ended: UNAVAILABLE\""));
}

TEST(ReportJsonTest, LeavesOutFirstErrorWhenThereWasNone) {
  LoopResult r = SampleResult();
  r.errors = 0;
  r.errors_by_class = {};
  r.first_error.clear();
  ScenarioReport report = Report("check", 8, 1, absl::ZeroDuration(), 0, &r);
  const std::string json = ReportJson(report);
  EXPECT_THAT(json, HasSubstr("\"error_codes\":{}"));
  EXPECT_THAT(json, HasSubstr("\"rps\":500.0"));
  EXPECT_THAT(json, Not(HasSubstr("first_error")));
  EXPECT_EQ(json.back(), '}');
}

TEST(ReportTextTest, ShowsThroughputAndPercentiles) {
  LoopResult r = SampleResult();
  ScenarioReport report = Report("send", 64, 4, absl::Seconds(2), 10, &r);
  const std::string text = ReportText(report);
  EXPECT_THAT(text, HasSubstr("send"));
  EXPECT_THAT(text, HasSubstr("rps=499.0"));
  EXPECT_THAT(text, HasSubstr(absl::StrFormat(
                        "p99=%.3fms", r.latency_ns->Percentile(99) / 1e6)));
  EXPECT_THAT(text, HasSubstr("first error: DEADLINE_EXCEEDED"));
}

TEST(JsonEscapeTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(JsonEscape("a\"b\\c\nd\x01"), "a\\\"b\\\\c\\nd\\u0001");
}

}  // namespace
}  // namespace caregate::bench
