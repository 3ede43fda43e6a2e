#include "bench/client/options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chorus::bench {
namespace {

std::variant<fanout_options, cli_exit> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "chorus-bench");
  return parse_cli(args);
}

cli_exit error_of(std::vector<std::string> args) {
  auto result = parse(std::move(args));
  EXPECT_TRUE(std::holds_alternative<cli_exit>(result));
  return std::holds_alternative<cli_exit>(result) ? std::get<cli_exit>(result) : cli_exit{};
}

TEST(Options, Defaults) {
  auto result = parse({"fanout"});
  ASSERT_TRUE(std::holds_alternative<fanout_options>(result));
  const auto& o = std::get<fanout_options>(result);
  EXPECT_EQ(o.messages, 10'000u);
  EXPECT_EQ(o.in_flight, 200u);
  EXPECT_EQ(o.event, "message");
  EXPECT_EQ(o.connections(), 101u);
}

TEST(Options, ParsesTheScenario) {
  auto result = parse({"fanout", "--rooms", "3", "--subscribers", "40", "--publishers", "2",
                       "--payload", "512", "--duration", "2.5", "--workers", "2", "--json",
                       "--server-pid", "123", "--port", "4000"});
  ASSERT_TRUE(std::holds_alternative<fanout_options>(result));
  const auto& o = std::get<fanout_options>(result);
  EXPECT_EQ(o.rooms, 3u);
  EXPECT_EQ(o.subscribers, 40u);
  EXPECT_EQ(o.publishers, 2u);
  EXPECT_EQ(o.payload, 512u);
  EXPECT_DOUBLE_EQ(o.duration, 2.5);
  EXPECT_EQ(o.messages, 0u);
  EXPECT_EQ(o.workers, 2u);
  EXPECT_TRUE(o.json);
  EXPECT_EQ(o.server_pid, 123);
  EXPECT_EQ(o.port, 4000);
  EXPECT_EQ(o.connections(), 122u);
}

TEST(Options, HelpExitsZero) {
  auto e = error_of({"fanout", "--help"});
  EXPECT_EQ(e.code, 0);
  EXPECT_NE(e.message.find("--subscribers"), std::string::npos);
}

struct bad_case {
  std::vector<std::string> args;
  std::string message;  // a part of the error
};

TEST(Options, BadArgumentsExitTwoWithAClearMessage) {
  const std::vector<bad_case> cases = {
      {{}, "A subcommand is required"},
      {{"echo"}, "unknown scenario 'echo'"},
      {{"fanout", "--rooms", "0"}, "--rooms must be at least 1"},
      {{"fanout", "--subscribers", "0"}, "--subscribers must be at least 1"},
      {{"fanout", "--publishers", "0"}, "--publishers must be at least 1"},
      {{"fanout", "--in-flight", "0"}, "--in-flight must be 1"},
      {{"fanout", "--rooms", "many"}, "many"},
      {{"fanout", "--port", "70000"}, "--port"},
      {{"fanout", "--bogus"}, "--bogus"},
      {{"fanout", "--messages", "10", "--duration", "1"}, "exclude each other"},
      {{"fanout", "--workers", "0"}, "--workers must be 1"},
      {{"fanout", "--source-ips", "255"}, "--source-ips must be 1"},
      {{"fanout", "--payload", "2000000"}, "--payload must be at most"},
      {{"fanout", "--subscribers", "20000"}, "need at least 2 --workers"},
      {{"fanout", "--send-template", "42[\"x\",\"{room}\"]"}, "must contain {payload}"},
      {{"fanout", "--send-template", "42[\"{payload}\",\"{rom}\"]"}, "unknown placeholder {rom}"},
      {{"fanout", "--join-template", "{payload}"}, "--join-template: unknown placeholder"},
      {{"fanout", "--joined-text", "{seq}"}, "--joined-text: unknown placeholder {seq}"},
      {{"fanout", "--event", ""}, "--event must not be empty"},
      {{"fanout", "--drain-timeout", "0"}, "timeouts must be positive"},
  };
  for (const auto& c : cases) {
    auto e = error_of(c.args);
    EXPECT_EQ(e.code, 2) << c.message;
    EXPECT_NE(e.message.find(c.message), std::string::npos)
        << "want \"" << c.message << "\" in: " << e.message;
    EXPECT_EQ(e.message.rfind("chorus-bench: ", 0), 0u) << e.message;
  }
}

}  // namespace
}  // namespace chorus::bench
