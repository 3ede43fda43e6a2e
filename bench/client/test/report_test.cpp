#include "bench/client/report.hpp"

#include <gtest/gtest.h>

#include <string>

#include "bench/client/test/report_fixture.hpp"

namespace chorus::bench {
namespace {

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(Report, RssPerConnection) {
  auto r = sample_report(scenario::idle);
  ASSERT_TRUE(r.rss_per_connection_bytes().has_value());
  EXPECT_DOUBLE_EQ(*r.rss_per_connection_bytes(), 400.0 * 1024 / 100);
  r.rss_up_kib.reset();
  EXPECT_FALSE(r.rss_per_connection_bytes().has_value());
  // connect closes what it opens: no per-connection figure.
  EXPECT_FALSE(sample_report(scenario::connect).rss_per_connection_bytes().has_value());
}

TEST(Report, JsonCarriesTheScenariosNames) {
  auto echo = format_json(sample_report(scenario::echo));
  EXPECT_TRUE(has(echo, R"("scenario":"echo")"));
  EXPECT_TRUE(has(echo, R"("namespace":"/chat")"));
  EXPECT_TRUE(has(echo, R"("round_trips":1000)"));
  EXPECT_TRUE(has(echo, R"("round_trips_per_second":500.0)"));
  EXPECT_TRUE(has(echo, R"("lost":0)"));
  EXPECT_TRUE(has(echo, R"("polling_connections":20)"));
  EXPECT_TRUE(has(echo, R"("server_cpu_per_round_trip_us":2.0000)"));
  EXPECT_TRUE(has(echo, R"("samples":[{"t":1.000,"total":600,"total_sent":600,"rss_kib":10300},)"));
  auto fanout = format_json(sample_report(scenario::fanout));
  EXPECT_TRUE(has(fanout, R"("deliveries":1000)"));
  EXPECT_TRUE(has(fanout, R"("deliveries_per_second":500.0)"));
  EXPECT_TRUE(has(fanout, R"("server_cpu_per_delivery_us":2.0000)"));
  EXPECT_TRUE(has(format_json(sample_report(scenario::connect)), R"("handshakes":1000)"));
  EXPECT_TRUE(
      has(format_json(sample_report(scenario::connect)), R"("rss_per_connection_bytes":null)"));
  auto idle = format_json(sample_report(scenario::idle));
  EXPECT_TRUE(has(idle, R"("held":1000)"));
  EXPECT_TRUE(has(idle, R"("rss_per_connection_bytes":4096)"));
  EXPECT_TRUE(has(idle, R"("server_rss_up_kib":10400)"));
  EXPECT_TRUE(has(format_json(sample_report(scenario::churn)), R"("cycles":0)"));
}

TEST(Report, JsonWithoutAServerPid) {
  auto r = sample_report(scenario::echo);
  r.server_cpu_us.reset();
  r.rss_start_kib.reset();
  r.rss_up_kib.reset();
  r.rss_end_kib.reset();
  r.rss_max_kib.reset();
  for (auto& s : r.samples) s.server_rss_kib.reset();
  auto json = format_json(r);
  EXPECT_TRUE(has(json, R"("server_cpu_us":null)"));
  EXPECT_TRUE(has(json, R"("rss_per_connection_bytes":null)"));
  EXPECT_TRUE(has(json, R"("rss_kib":null})"));
  EXPECT_EQ(json.back(), '\n');
}

TEST(Report, TextNamesWhatWasCounted) {
  auto echo = format_text(sample_report(scenario::echo));
  EXPECT_TRUE(has(echo, "echo: 100 connections to /chat, 20 on polling")) << echo;
  EXPECT_TRUE(has(echo, "round trips/s")) << echo;
  EXPECT_TRUE(has(echo, "µs per round trip")) << echo;
  auto idle = format_text(sample_report(scenario::idle));
  EXPECT_TRUE(has(idle, "RSS/connection    4096 B (4.00 KiB)")) << idle;
  auto churn = format_text(sample_report(scenario::churn));
  EXPECT_TRUE(has(churn, "RSS drift         +0.1 MiB from all up to the end")) << churn;
  auto connect = format_text(sample_report(scenario::connect));
  EXPECT_TRUE(has(connect, "handshake µs")) << connect;
  EXPECT_FALSE(has(connect, "RSS/connection")) << connect;
}

TEST(Report, SaysWhenReceivesRanOutOfBuffers) {
  auto r = sample_report(scenario::fanout);
  EXPECT_TRUE(has(format_json(r), R"("receives_out_of_buffers":0)"));
  EXPECT_FALSE(has(format_text(r), "out of buffers"));
  r.receives_out_of_buffers = 37;
  EXPECT_TRUE(has(format_json(r), R"("receives_out_of_buffers":37)"));
  auto text = format_text(r);
  EXPECT_TRUE(has(text, "out of buffers    37 receives found every buffer in use")) << text;
}

}  // namespace
}  // namespace chorus::bench
