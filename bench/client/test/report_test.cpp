#include "bench/client/report.hpp"

#include <gtest/gtest.h>

#include <string>

#include "bench/client/html_report.hpp"
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

TEST(Report, OneServer) {
  auto r = sample_report(scenario::fanout);
  r.options.servers = {{"127.0.0.1", 3000}};
  r.servers = {{.address = "127.0.0.1:3000",
                .pid = 42,
                .connections = 101,
                .received = 1000,
                .cpu_us = 2000,
                .rss_start_kib = 10'000,
                .rss_end_kib = 10'500}};
  auto json = format_json(r);
  EXPECT_TRUE(has(json, R"("servers":[{"address":"127.0.0.1:3000","pid":42,"connections":101,)"
                        R"("received":1000,"cpu_us":2000.0,"cpu_per_received_us":2.0000,)"
                        R"("rss_start_kib":10000,"rss_up_kib":null,"rss_end_kib":10500,)"
                        R"("rss_max_kib":null}])"))
      << json;
  // The text report of one server is as it was: no per-server lines.
  auto text = format_text(r);
  EXPECT_FALSE(has(text, "server 1")) << text;
  EXPECT_FALSE(has(text, "summed")) << text;
}

TEST(Report, SeveralServers) {
  auto r = sample_report(scenario::fanout);
  r.options.servers = {{"127.0.0.1", 3001}, {"127.0.0.1", 3002}};
  r.servers = {{.address = "127.0.0.1:3001",
                .pid = 7,
                .connections = 51,
                .received = 500,
                .cpu_us = 1500,
                .rss_start_kib = 5'000,
                .rss_end_kib = 5'300},
               {.address = "127.0.0.1:3002",
                .pid = 8,
                .connections = 50,
                .received = 500,
                .cpu_us = 500,
                .rss_start_kib = 5'000,
                .rss_end_kib = 5'200}};
  auto text = format_text(r);
  EXPECT_TRUE(has(text, ", 2 servers\n")) << text;
  EXPECT_TRUE(has(text, "server CPU        0.002 s (2.000 µs per delivery, summed over 2 servers)"))
      << text;
  EXPECT_TRUE(has(text,
                  "server 1          127.0.0.1:3001 (pid 7): 51 connections, 500 "
                  "deliveries; CPU 0.002 s (3.000 µs per delivery); RSS start 4.9 MiB, "
                  "end 5.2 MiB\n"))
      << text;
  EXPECT_TRUE(has(text,
                  "server 2          127.0.0.1:3002 (pid 8): 50 connections, 500 "
                  "deliveries; CPU 0.001 s (1.000 µs per delivery)"))
      << text;
  auto json = format_json(r);
  EXPECT_TRUE(has(json, R"("address":"127.0.0.1:3002","pid":8,"connections":50,"received":500,)"
                        R"("cpu_us":500.0,"cpu_per_received_us":1.0000,)"))
      << json;
  // The run's own fields come after the servers': a last-match lookup finds them.
  EXPECT_GT(json.find(R"("connections":100)"), json.find(R"("servers":)"));
  EXPECT_TRUE(has(format_html(r), "127.0.0.1:3002")) << "HTML";
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
