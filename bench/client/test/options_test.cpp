#include "bench/client/options.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace chorus::bench {
namespace {

std::variant<bench_options, cli_exit> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "chorus-bench");
  return parse_cli(args);
}

bench_options options_of(std::vector<std::string> args) {
  auto result = parse(args);
  if (auto* e = std::get_if<cli_exit>(&result)) {
    ADD_FAILURE() << "refused: " << e->message;
    return {};
  }
  return std::get<bench_options>(result);
}

cli_exit error_of(std::vector<std::string> args) {
  auto result = parse(std::move(args));
  EXPECT_TRUE(std::holds_alternative<cli_exit>(result));
  return std::holds_alternative<cli_exit>(result) ? std::get<cli_exit>(result) : cli_exit{};
}

TEST(Options, FanoutDefaults) {
  auto o = options_of({"fanout"});
  EXPECT_EQ(o.kind, scenario::fanout);
  EXPECT_EQ(o.messages, 10'000u);
  EXPECT_EQ(o.in_flight, 200u);
  EXPECT_EQ(o.event, "message");
  EXPECT_EQ(o.nsp, "/");
  EXPECT_EQ(o.polling_share, 0);
  EXPECT_EQ(o.connection_count(), 101u);
  EXPECT_TRUE(o.progress);
}

TEST(Options, ParsesTheFanoutScenario) {
  auto o = options_of({"fanout",
                       "--rooms",
                       "3",
                       "--subscribers",
                       "40",
                       "--publishers",
                       "2",
                       "--payload",
                       "512",
                       "--duration",
                       "2.5",
                       "--workers",
                       "2",
                       "--json",
                       "--server-pid",
                       std::to_string(getpid()),
                       "--port",
                       "4000",
                       "--rate",
                       "250",
                       "--polling-share",
                       "0.2",
                       "--html",
                       "/tmp/r.html",
                       "--no-progress"});
  EXPECT_EQ(o.rooms, 3u);
  EXPECT_EQ(o.subscribers, 40u);
  EXPECT_EQ(o.publishers, 2u);
  EXPECT_EQ(o.payload, 512u);
  EXPECT_DOUBLE_EQ(o.duration, 2.5);
  EXPECT_EQ(o.messages, 0u);
  EXPECT_EQ(o.workers, 2u);
  EXPECT_TRUE(o.json);
  EXPECT_EQ(o.server_pid, getpid());
  EXPECT_EQ(o.port, 4000);
  EXPECT_DOUBLE_EQ(o.rate, 250);
  EXPECT_DOUBLE_EQ(o.polling_share, 0.2);
  EXPECT_EQ(o.html, "/tmp/r.html");
  EXPECT_FALSE(o.progress);
  EXPECT_EQ(o.connection_count(), 122u);
}

TEST(Options, OneServerFromHostAndPort) {
  auto o = options_of({"fanout", "--host", "localhost", "--port", "4000"});
  ASSERT_EQ(o.servers.size(), 1u);
  EXPECT_EQ(o.servers[0], (server_address{"localhost", 4000}));
  EXPECT_EQ(o.servers[0].authority(), "localhost:4000");
  EXPECT_TRUE(o.server_pids.empty());
  auto d = options_of({"echo"});
  EXPECT_EQ(d.servers, (std::vector<server_address>{{"127.0.0.1", 3000}}));
  for (std::uint64_t id = 0; id < 10; ++id) EXPECT_EQ(d.server_of(id), 0u);
  auto pid = options_of({"idle", "--server-pid", std::to_string(getpid())});
  EXPECT_EQ(pid.server_pids, std::vector<int>{getpid()});
}

TEST(Options, ParsesSeveralServersAndTheirPids) {
  std::string me = std::to_string(getpid());
  auto o = options_of({"fanout", "--servers", "127.0.0.1:3001,localhost:3002,[::1]:3003",
                       "--server-pids", me + "," + me + "," + me});
  EXPECT_EQ(o.servers,
            (std::vector<server_address>{{"127.0.0.1", 3001}, {"localhost", 3002}, {"::1", 3003}}));
  EXPECT_EQ(o.servers[2].authority(), "[::1]:3003");
  EXPECT_EQ(o.server_pids, (std::vector<int>{getpid(), getpid(), getpid()}));
  EXPECT_EQ(o.server_pid, 0);
}

TEST(Options, ConnectionsGoRoundRobinWithinTheirRole) {
  // 2 rooms × 5 subscribers (ids 0 … 9), 3 publishers (10 … 12), churners from 13, 2 servers.
  auto fanout = options_of({"fanout", "--servers", "127.0.0.1:1,127.0.0.1:2", "--rooms", "2",
                            "--subscribers", "5", "--publishers", "3"});
  for (std::uint64_t id = 0; id < 10; ++id) EXPECT_EQ(fanout.server_of(id), id % 2) << id;
  // Room 0 is ids 0 … 4, room 1 ids 5 … 9: each room has subscribers on both servers.
  EXPECT_EQ(fanout.server_of(10), 0u);  // publisher 0
  EXPECT_EQ(fanout.server_of(11), 1u);  // publisher 1
  EXPECT_EQ(fanout.server_of(12), 0u);  // publisher 2
  auto churn = options_of({"churn", "--servers", "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3", "--rooms",
                           "1", "--subscribers", "4", "--publishers", "1"});
  EXPECT_EQ(churn.server_of(3), 0u);  // subscriber 3
  EXPECT_EQ(churn.server_of(4), 0u);  // publisher 0
  EXPECT_EQ(churn.server_of(5), 0u);  // churner 0
  EXPECT_EQ(churn.server_of(6), 1u);  // churner 1
  EXPECT_EQ(churn.server_of(7), 2u);  // churner 2
  auto echo = options_of({"echo", "--servers", "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3"});
  for (std::uint64_t id = 0; id < 9; ++id) EXPECT_EQ(echo.server_of(id), id % 3) << id;
}

TEST(Options, ParseServers) {
  std::string error;
  EXPECT_EQ(parse_servers("a:1", error), (std::vector<server_address>{{"a", 1}}));
  EXPECT_EQ(parse_servers("[fe80::1]:65535,b:2", error),
            (std::vector<server_address>{{"fe80::1", 65535}, {"b", 2}}));
  for (const char* bad :
       {"", "a", "a:", ":1", "a:0", "a:65536", "a:1x", "a:1,", ",a:1", "::1:3000", "[]:1"}) {
    EXPECT_FALSE(parse_servers(bad, error).has_value()) << bad;
    EXPECT_NE(error.find("is not host:port"), std::string::npos) << error;
  }
}

TEST(Options, EchoDefaultsToTheChatNamespace) {
  auto o = options_of({"echo"});
  EXPECT_EQ(o.kind, scenario::echo);
  EXPECT_EQ(o.nsp, "/chat");
  EXPECT_EQ(o.send_template, R"(42["message",{"message":"{payload}"}])");
  EXPECT_EQ(o.reply_event, "response");
  EXPECT_FALSE(o.ack);
  EXPECT_EQ(o.in_flight, 1u);
  EXPECT_EQ(o.messages, 10'000u);
  EXPECT_EQ(o.connections, 100u);
}

TEST(Options, ParsesEcho) {
  auto o = options_of({"echo", "--connections", "7", "--namespace", "/", "--send-template",
                       R"(42["echo","{payload}"])", "--ack", "--in-flight", "4", "--messages", "70",
                       "--payload", "20", "--handshake-timeout", "3"});
  EXPECT_EQ(o.connections, 7u);
  EXPECT_EQ(o.nsp, "/");
  EXPECT_TRUE(o.ack);
  EXPECT_EQ(o.in_flight, 4u);
  EXPECT_EQ(o.messages, 70u);
  EXPECT_EQ(o.payload, 20u);
  EXPECT_DOUBLE_EQ(o.handshake_timeout, 3);
  EXPECT_EQ(o.connection_count(), 7u);
}

TEST(Options, ParsesConnect) {
  auto o = options_of({"connect", "--connections", "5000", "--connect-concurrency", "100",
                       "--workers", "2", "--source-ips", "4"});
  EXPECT_EQ(o.kind, scenario::connect);
  EXPECT_EQ(o.connections, 5000u);
  EXPECT_EQ(o.connect_concurrency, 100u);
  EXPECT_EQ(o.connection_count(), 200u);  // at once: concurrency × workers
  auto timed = options_of({"connect", "--duration", "3"});
  EXPECT_DOUBLE_EQ(timed.duration, 3);
}

TEST(Options, ParsesIdle) {
  auto o = options_of({"idle", "--connections", "300", "--hold", "0.5"});
  EXPECT_EQ(o.kind, scenario::idle);
  EXPECT_EQ(o.rooms, 0u);  // no join unless asked
  EXPECT_DOUBLE_EQ(o.hold, 0.5);
  EXPECT_EQ(options_of({"idle", "--rooms", "3"}).rooms, 3u);
}

TEST(Options, ParsesChurn) {
  auto o = options_of({"churn", "--churners", "30", "--lifetime", "0.05", "--rate", "50",
                       "--subscribers", "10", "--rooms", "2", "--publishers", "2"});
  EXPECT_EQ(o.kind, scenario::churn);
  EXPECT_EQ(o.churners, 30u);
  EXPECT_DOUBLE_EQ(o.lifetime, 0.05);
  EXPECT_DOUBLE_EQ(o.rate, 50);
  EXPECT_DOUBLE_EQ(o.duration, 10);  // the default
  EXPECT_EQ(o.connection_count(), 52u);
}

TEST(Options, PollingConnectionsNeedTwoSockets) {
  auto o = options_of({"idle", "--connections", "10000", "--polling-share", "0.5"});
  EXPECT_EQ(o.sockets_per_worker(), 15'000u);
  auto e = error_of({"idle", "--connections", "14000", "--polling-share", "0.5"});
  EXPECT_NE(e.message.find("need at least 2 --workers"), std::string::npos) << e.message;
  EXPECT_EQ(
      options_of({"idle", "--connections", "14000", "--polling-share", "0.5", "--workers", "2"})
          .sockets_per_worker(),
      10'500u);
}

TEST(Options, PollingShareSpreadsEvenly) {
  unsigned polling = 0;
  for (std::uint64_t id = 0; id < 1000; ++id) polling += uses_polling(id, 0.2);
  EXPECT_EQ(polling, 200u);
  EXPECT_FALSE(uses_polling(0, 0.2));
  EXPECT_TRUE(uses_polling(4, 0.2));
  EXPECT_FALSE(uses_polling(5, 0));
  EXPECT_TRUE(uses_polling(5, 1));
}

TEST(Options, ParserIsJsonUnlessMsgpackIsAsked) {
  EXPECT_EQ(options_of({"fanout"}).parser, packet_parser::json);
  EXPECT_EQ(options_of({"fanout", "--parser", "json"}).parser, packet_parser::json);
  EXPECT_EQ(options_of({"fanout", "--parser", "msgpack"}).parser, packet_parser::msgpack);
  EXPECT_EQ(options_of({"echo", "--parser", "msgpack"}).parser, packet_parser::msgpack);
}

// The chat's lobby `message` reaches every connection: fanout needs no join for it.
TEST(Options, NoJoinWhenTheJoinTemplateIsEmpty) {
  auto o = options_of({"fanout", "--join-template", "", "--joined-text", "", "--send-template",
                       R"(42["message",{"message":"{payload}"}])"});
  EXPECT_EQ(o.join_template, "");
  EXPECT_EQ(o.joined_text, "");
}

TEST(Options, HelpExitsZero) {
  auto e = error_of({"fanout", "--help"});
  EXPECT_EQ(e.code, 0);
  EXPECT_NE(e.message.find("--subscribers"), std::string::npos);
  auto echo = error_of({"echo", "--help"});
  EXPECT_EQ(echo.code, 0);
  EXPECT_NE(echo.message.find("--reply-event"), std::string::npos);
  auto all = error_of({"--help"});
  EXPECT_EQ(all.code, 0);
  for (const char* name : {"fanout", "echo", "connect", "idle", "churn"}) {
    EXPECT_NE(all.message.find(name), std::string::npos) << name;
  }
}

struct bad_case {
  std::vector<std::string> args;
  std::string message;  // a part of the error
};

TEST(Options, BadArgumentsExitTwoWithAClearMessage) {
  const std::vector<bad_case> cases = {
      {{}, "A subcommand is required"},
      {{"ping"}, "unknown scenario 'ping' (there is: fanout, echo, connect, idle, churn)"},
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
      {{"fanout", "--recv-buffers", "0"}, "--recv-buffers must be a power of two 1 … 32768"},
      {{"fanout", "--recv-buffers", "1000"}, "--recv-buffers must be a power of two 1 … 32768"},
      {{"fanout", "--recv-buffers", "65536"}, "--recv-buffers must be a power of two 1 … 32768"},
      {{"fanout", "--payload", "2000000"}, "--payload must be at most"},
      {{"fanout", "--subscribers", "20000"}, "need at least 2 --workers"},
      {{"fanout", "--send-template", "42[\"x\",\"{room}\"]"}, "must contain {payload}"},
      {{"fanout", "--send-template", "42[\"{payload}\",\"{rom}\"]"}, "unknown placeholder {rom}"},
      {{"fanout", "--send-template", "2[\"{payload}\"]"}, "starting with 42"},
      {{"fanout", "--join-template", "42[\"{payload}\"]"}, "--join-template: unknown placeholder"},
      {{"fanout", "--join-template", "[\"join\"]"}, "--join-template must be a Socket.IO EVENT"},
      {{"fanout", "--joined-text", "{seq}"}, "--joined-text: unknown placeholder {seq}"},
      {{"fanout", "--event", ""}, "--event must not be empty"},
      {{"fanout", "--drain-timeout", "0"}, "timeouts must be positive"},
      {{"fanout", "--rate", "-1"}, "--rate must be positive"},
      {{"fanout", "--connections", "5"}, "--connections"},  // not a fanout option
      {{"fanout", "--polling-share", "1.5"}, "--polling-share must be 0 … 1"},
      {{"fanout", "--polling-share", "-0.1"}, "--polling-share must be 0 … 1"},
      {{"fanout", "--polling-share", "nan"}, "--polling-share must be 0 … 1"},
      {{"fanout", "--parser", "cbor"}, "--parser"},
      {{"fanout", "--parser", "msgpack", "--polling-share", "0.5"},
       "--parser msgpack is WebSocket only: --polling-share must be 0"},
      {{"fanout", "--join-template", ""}, "--joined-text needs a --join-template"},
      {{"fanout", "--namespace", "chat"}, "--namespace must start with '/'"},
      {{"fanout", "--namespace", "/a,b"}, "--namespace must start with '/'"},
      {{"fanout", "--server-pid", "-3"}, "--server-pid must be a process id"},
      {{"fanout", "--server-pid", "999999999"}, "--server-pid 999999999: no such process"},
      {{"fanout", "--html", "/tmp/"}, "--html must name a file"},
      {{"fanout", "--servers", "a:1", "--port", "1"}, "excludes"},
      {{"fanout", "--host", "a", "--servers", "a:1"}, "excludes"},
      {{"fanout", "--servers", "a:1,b"}, "--servers: 'b' is not host:port"},
      {{"fanout", "--servers", "a:1", "--server-pids", "1,1"},
       "--server-pids needs one process id per server (2 given for 1 server)"},
      {{"fanout", "--servers", "a:1,a:2", "--server-pid", "1"},
       "--server-pid needs one process id per server (1 given for 2 servers)"},
      {{"fanout", "--server-pid", "1", "--server-pids", "1"}, "excludes"},
      {{"fanout", "--server-pids", "1,0"}, "--server-pids: 0 is not a process id"},
      {{"fanout", "--server-pids", "1,999999999"}, "--server-pids 999999999: no such process"},
      {{"fanout", "--handshake-timeout", "0"}, "timeouts must be positive"},
      {{"fanout", "--connect-concurrency", "0"}, "--connect-concurrency must be at least 1"},
      {{"echo", "--connections", "0"}, "--connections must be at least 1"},
      {{"echo", "--reply-event", ""}, "--reply-event must not be empty"},
      {{"echo", "--send-template", "42[\"m\",\"{room}{payload}\"]"}, "unknown placeholder {room}"},
      {{"echo", "--in-flight", "0"}, "--in-flight must be 1"},
      {{"echo", "--messages", "5", "--duration", "2"}, "exclude each other"},
      {{"echo", "--rooms", "2"}, "--rooms"},  // not an echo option
      {{"connect", "--connections", "0"}, "--connections must be at least 1"},
      {{"connect", "--duration", "-1"}, "--duration must be positive"},
      {{"connect", "--connect-concurrency", "20000"}, "need at least 2 --workers"},
      {{"connect", "--payload", "10"}, "--payload"},  // not a connect option
      {{"idle", "--connections", "0"}, "--connections must be at least 1"},
      {{"idle", "--hold", "0"}, "--hold must be positive"},
      {{"idle", "--hold", "-2"}, "--hold must be positive"},
      {{"idle", "--connections", "19001"}, "need at least 2 --workers"},
      {{"idle", "--rooms", "2", "--joined-text", "{x}"}, "--joined-text: unknown placeholder {x}"},
      {{"churn", "--churners", "0"}, "--churners must be at least 1"},
      {{"churn", "--lifetime", "0"}, "--lifetime must be positive"},
      {{"churn", "--rate", "0"}, "--rate must be positive"},
      {{"churn", "--subscribers", "0"}, "--subscribers must be at least 1"},
      {{"churn", "--send-template", "42[\"x\"]"}, "must contain {payload}"},
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
