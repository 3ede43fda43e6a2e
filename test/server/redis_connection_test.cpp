// redis_connection against a real redis-server (test/support/redis_server.hpp), one per test:
// commands, pipelining, pub/sub of every kind, AUTH, SELECT, a restart under its feet, reply
// timeouts, stop(). The test thread drives the io_context itself, so every call below runs on
// the connection's thread. Waits are bounded; nothing here asserts on timing.
#include "server/cluster/redis_connection.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <functional>
#include <sstream>

#include "test/support/redis_server.hpp"

namespace chorus::server::cluster {
namespace {

using namespace std::chrono_literals;
using kind = redis_reply::kind;

// Sends every argument list, then awaits `last`: all of it queued in one turn of the loop.
awaitable<redis_reply> send_all_then(std::shared_ptr<redis_connection> connection,
                                     std::vector<std::vector<std::string>> sends,
                                     std::vector<std::string> last) {
  for (const auto& argv : sends) {
    std::vector<std::string_view> views(argv.begin(), argv.end());
    connection->send(views);
  }
  co_return co_await connection->command(std::move(last), 5s);
}

class RedisConnection : public testing::Test {
 protected:
  void SetUp() override {
    log_sink_ = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    spdlog::default_logger()->sinks().push_back(log_sink_);
  }

  void TearDown() override {
    for (auto& connection : connections_) {
      connection->on_state = nullptr;  // they capture the test body's locals
      connection->on_message = nullptr;
      connection->stop();
    }
    io_.restart();
    io_.run_for(1s);  // the stopped connections' coroutines finish
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), log_sink_), sinks.end());
  }

  redis_connection::options options_for(const std::string& url) {
    auto parsed = parse_redis_url(url);
    EXPECT_TRUE(parsed.ok()) << parsed.error;
    redis_connection::options options;
    options.endpoint = parsed.endpoint;
    options.initial_backoff = 20ms;
    options.max_backoff = 200ms;
    options.name = "test" + std::to_string(connections_.size());
    return options;
  }

  std::shared_ptr<redis_connection> open(redis_connection::options options) {
    auto connection = redis_connection::create(io_.get_executor(), std::move(options));
    connections_.push_back(connection);
    connection->start();
    return connection;
  }

  // Started and up (or the test fails).
  std::shared_ptr<redis_connection> connect(const std::string& url) {
    auto connection = open(options_for(url));
    EXPECT_TRUE(wait_until([&] { return connection->up(); })) << log_.str();
    return connection;
  }

  // Runs the loop until `done` holds, at most `bound`.
  bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds bound = 10s) {
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      if (io_.stopped()) io_.restart();
      io_.run_one_for(10ms);
    }
    return done();
  }

  // Runs the loop until `operation` completes (bounded), and returns its reply.
  redis_reply await(awaitable<redis_reply> operation, std::chrono::milliseconds bound = 10s) {
    std::optional<redis_reply> result;
    asio::co_spawn(io_, std::move(operation), [&](std::exception_ptr error, redis_reply reply) {
      if (error) std::rethrow_exception(error);
      result = std::move(reply);
    });
    if (!wait_until([&] { return result.has_value(); }, bound)) {
      ADD_FAILURE() << "no reply within " << bound.count() << " ms";
      return redis_reply::error("test: no reply");
    }
    return std::move(*result);
  }

  redis_reply run(const std::shared_ptr<redis_connection>& connection,
                  std::vector<std::string> argv) {
    return await(connection->command(std::move(argv), 5s));
  }

  asio::io_context io_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> log_sink_;
  std::vector<std::shared_ptr<redis_connection>> connections_;
};

struct delivery {
  std::string channel;
  std::string payload;
  bool operator==(const delivery&) const = default;
};

std::ostream& operator<<(std::ostream& out, const delivery& d) {
  return out << d.channel << ": " << d.payload;
}

// --- commands --------------------------------------------------------------------------------

TEST_F(RedisConnection, CommandsRoundTripEveryKindOfReply) {
  test::redis_server redis;
  auto connection = connect(redis.url());

  auto pong = run(connection, {"PING"});
  EXPECT_EQ(pong.type, kind::status);
  EXPECT_EQ(pong.str, "PONG");
  EXPECT_EQ(run(connection, {"SET", "k", std::string("v\0\r\n", 4)}).str, "OK");
  auto value = run(connection, {"GET", "k"});
  EXPECT_EQ(value.type, kind::string);
  EXPECT_EQ(value.str, std::string("v\0\r\n", 4));
  EXPECT_EQ(run(connection, {"GET", "missing"}).type, kind::nil);
  auto count = run(connection, {"INCRBY", "n", "41"});
  EXPECT_EQ(count.type, kind::integer);
  EXPECT_EQ(count.integer, 41);
  auto numsub = run(connection, {"PUBSUB", "NUMSUB", "a", "b"});
  ASSERT_EQ(numsub.type, kind::array);
  ASSERT_EQ(numsub.elements.size(), 4u);
  EXPECT_EQ(numsub.elements[2].str, "b");
  EXPECT_EQ(numsub.elements[3].integer, 0);

  EXPECT_EQ(connection->stats().reply_errors.value(), 0u);
  auto refused = run(connection, {"NOSUCHCOMMAND", "x"});
  EXPECT_EQ(refused.type, kind::error);
  EXPECT_EQ(refused.str.rfind("ERR unknown command 'NOSUCHCOMMAND'", 0), 0u) << refused.str;
  EXPECT_EQ(connection->stats().reply_errors.value(), 1u);
  EXPECT_EQ(run(connection, {"ECHO", "still in step"}).str, "still in step");
}

TEST_F(RedisConnection, FireAndForgetRepliesAreReadAndErrorsCounted) {
  test::redis_server redis;
  auto connection = connect(redis.url());
  EXPECT_TRUE(connection->send({"SET", "a", "1"}));
  EXPECT_TRUE(connection->send({"NOSUCHCOMMAND"}));
  EXPECT_TRUE(connection->send({"INCR", "a"}));
  // The discarded replies keep their places: this one is the GET's.
  EXPECT_EQ(run(connection, {"GET", "a"}).str, "2");
  EXPECT_EQ(connection->stats().published.value(), 3u);
  EXPECT_EQ(connection->stats().reply_errors.value(), 1u);
  EXPECT_NE(log_.str().find("refused: ERR unknown command 'NOSUCHCOMMAND'"), std::string::npos)
      << log_.str();
}

TEST_F(RedisConnection, SendHandsBackItsReplyInOrder) {
  test::redis_server redis;
  auto connection = connect(redis.url());
  std::vector<redis_reply> replies;
  auto keep = [&](const redis_reply& reply) { replies.push_back(reply); };
  std::vector<std::string_view> xadd = {"XADD", "s", "*", "f", "v"};
  EXPECT_TRUE(connection->send(xadd, keep));
  EXPECT_TRUE(connection->send({"INCR", "n"}));  // no handler: discarded
  std::vector<std::string_view> refused = {"NOSUCHCOMMAND"};
  EXPECT_TRUE(connection->send(refused, keep));
  EXPECT_TRUE(connection->send(xadd, {}));  // an empty handler: discarded too
  EXPECT_EQ(run(connection, {"XLEN", "s"}).integer, 2);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].type, kind::string);
  EXPECT_NE(replies[0].str.find('-'), std::string::npos) << replies[0].str;  // an entry id
  EXPECT_EQ(replies[1].type, kind::error);
  EXPECT_EQ(connection->stats().published.value(), 4u);
  EXPECT_EQ(connection->stats().reply_errors.value(), 1u);

  // A reply still to come when the connection stops: the handler gets the error instead.
  std::vector<std::string_view> blocked = {"BLPOP", "never", "0"};
  EXPECT_TRUE(connection->send(blocked, keep));
  auto watcher = connect(redis.url());
  ASSERT_TRUE(wait_until([&] {
    return run(watcher, {"INFO", "clients"}).str.find("blocked_clients:1") != std::string::npos;
  }));
  connection->stop();
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[2].str, "redis: stopped");
}

TEST_F(RedisConnection, OneTurnOfSendsLeavesInOneWriteInOrder) {
  test::redis_server redis;
  auto connection = connect(redis.url());
  std::vector<std::vector<std::string>> sends;
  for (int i = 0; i < 500; ++i) sends.push_back({"RPUSH", "list", std::to_string(i)});

  auto writes_before = connection->stats().writes.value();
  auto list = await(send_all_then(connection, sends, {"LRANGE", "list", "0", "-1"}));
  EXPECT_EQ(connection->stats().writes.value() - writes_before, 1u)
      << "500 sends and a command queued in one turn should leave in one write";
  ASSERT_EQ(list.type, kind::array);
  ASSERT_EQ(list.elements.size(), 500u);
  for (int i = 0; i < 500; ++i) EXPECT_EQ(list.elements[i].str, std::to_string(i));
  EXPECT_EQ(connection->stats().published.value(), 500u);
}

TEST_F(RedisConnection, OutputBeyondTheBoundIsRefusedAndCounted) {
  test::redis_server redis;
  auto options = options_for(redis.url());
  options.max_output_bytes = 1024;
  auto connection = open(options);
  ASSERT_TRUE(wait_until([&] { return connection->up(); }));
  const std::string payload(100, 'x');
  std::vector<std::vector<std::string>> sends(50, {"PUBLISH", "c", payload});
  // 50 sends of ~130 bytes in one turn: the first ones fill the buffer, the rest are refused,
  // and so is the command queued after them.
  auto refused = await(send_all_then(connection, sends, {"PING"}));
  EXPECT_EQ(refused.str, "redis: output buffer full");
  auto published = connection->stats().published.value();
  EXPECT_GT(published, 0u);
  EXPECT_LT(published, 50u);
  EXPECT_EQ(connection->stats().dropped.value(), 50u - published);
  // Once the writer has taken the buffer, there is room again.
  ASSERT_TRUE(wait_until([&] { return connection->send({"PUBLISH", "c", payload}); }));
  EXPECT_EQ(run(connection, {"PING"}).str, "PONG");
}

// --- pub/sub ---------------------------------------------------------------------------------

TEST_F(RedisConnection, DeliversMessagesOfEverySubscriptionKindWithTheChannel) {
  test::redis_server redis;
  auto publisher = connect(redis.url());
  auto subscriber = open(options_for(redis.url()));
  std::vector<delivery> received;
  subscriber->on_message = [&](std::string_view channel, std::string_view payload) {
    received.push_back({std::string(channel), std::string(payload)});
  };
  subscriber->subscribe(subscription_kind::subscribe, "news");
  subscriber->subscribe(subscription_kind::psubscribe, "room.*");
  subscriber->subscribe(subscription_kind::ssubscribe, "shard{1}");
  subscriber->subscribe(subscription_kind::subscribe, "news");  // once
  // Up means every subscription is confirmed: what is published now arrives.
  ASSERT_TRUE(wait_until([&] { return subscriber->up(); })) << log_.str();

  std::string binary("a\0b\r\n", 5);
  EXPECT_TRUE(publisher->send({"PUBLISH", "news", "hello"}));
  EXPECT_TRUE(publisher->send({"PUBLISH", "room.7", binary}));
  EXPECT_TRUE(publisher->send({"SPUBLISH", "shard{1}", "sharded"}));
  EXPECT_TRUE(publisher->send({"PUBLISH", "elsewhere", "nobody"}));
  ASSERT_TRUE(wait_until([&] { return received.size() >= 3; })) << log_.str();
  EXPECT_EQ(received, (std::vector<delivery>{
                          {"news", "hello"}, {"room.7", binary}, {"shard{1}", "sharded"}}));

  auto numsub = run(publisher, {"PUBSUB", "NUMSUB", "news"});
  ASSERT_EQ(numsub.elements.size(), 2u);
  EXPECT_EQ(numsub.elements[1].integer, 1);

  // Unsubscribed (confirmed by Redis: NUMSUB drops to 0), nothing more from "news".
  subscriber->unsubscribe(subscription_kind::subscribe, "news");
  ASSERT_TRUE(wait_until([&] {
    return run(publisher, {"PUBSUB", "NUMSUB", "news"}).elements.at(1).integer == 0;
  }));
  received.clear();
  EXPECT_TRUE(publisher->send({"PUBLISH", "news", "gone"}));
  EXPECT_TRUE(publisher->send({"PUBLISH", "room.8", "fence"}));
  ASSERT_TRUE(wait_until([&] { return !received.empty(); }));
  EXPECT_EQ(received, (std::vector<delivery>{{"room.8", "fence"}}));
}

TEST_F(RedisConnection, ARoleOnceTakenIsKept) {
  test::redis_server redis;
  auto subscriber = open(options_for(redis.url()));
  subscriber->subscribe(subscription_kind::subscribe, "x");
  EXPECT_THROW(subscriber->send({"PUBLISH", "x", "y"}), std::logic_error);
  auto publisher = connect(redis.url());
  EXPECT_TRUE(publisher->send({"PUBLISH", "x", "y"}));
  EXPECT_THROW(publisher->subscribe(subscription_kind::subscribe, "x"), std::logic_error);
}

// --- AUTH, SELECT ----------------------------------------------------------------------------

TEST_F(RedisConnection, AuthenticatesWithAPasswordOrAUser) {
  test::redis_server redis({.password = "s3cret"});
  auto connection = connect(redis.url());
  EXPECT_EQ(run(connection, {"PING"}).str, "PONG");
  EXPECT_EQ(run(connection, {"ACL", "SETUSER", "alice", "on", ">wonder", "~*", "&*", "+@all"}).str,
            "OK");

  auto alice = connect("redis://alice:wonder@127.0.0.1:" + std::to_string(redis.port()));
  EXPECT_EQ(run(alice, {"ACL", "WHOAMI"}).str, "alice");
}

TEST_F(RedisConnection, AWrongPasswordStaysDownWithAClearLog) {
  test::redis_server redis({.password = "s3cret"});
  const std::string address = "127.0.0.1:" + std::to_string(redis.port());
  int ups = 0;
  auto wrong = open(options_for("redis://:nope@" + address));
  wrong->on_state = [&](bool up) { ups += up; };
  auto none = open(options_for("redis://" + address));
  none->on_state = [&](bool up) { ups += up; };
  ASSERT_TRUE(wait_until([&] {
    return log_.str().find("test0: cannot connect to redis://:***@" + address +
                           "/0: AUTH refused: WRONGPASS") != std::string::npos &&
           log_.str().find("test1: cannot connect to redis://" + address +
                           "/0: PING refused: NOAUTH Authentication required.") !=
               std::string::npos;
  })) << log_.str();
  // Retried (the backoff is short here) without another line, and never up.
  wait_until([] { return false; }, 300ms);
  EXPECT_FALSE(wrong->up());
  EXPECT_EQ(ups, 0);
  EXPECT_EQ(log_.str().find("nope"), std::string::npos) << "the password leaked into the log";
  auto text = log_.str();
  std::size_t lines = 0;
  for (auto at = text.find("test0: cannot connect"); at != std::string::npos;
       at = text.find("test0: cannot connect", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u) << text;
  EXPECT_GT(wrong->stats().reply_errors.value(), 1u) << "it should have retried";
  EXPECT_FALSE(wrong->send({"PUBLISH", "c", "m"}));
  EXPECT_EQ(run(wrong, {"PING"}).str, "redis: not connected");
}

TEST_F(RedisConnection, SelectsTheDatabase) {
  test::redis_server redis;
  auto db3 = connect(redis.url() + "/3");
  auto db0 = connect(redis.url());
  EXPECT_EQ(run(db3, {"SET", "where", "three"}).str, "OK");
  EXPECT_EQ(run(db0, {"GET", "where"}).type, kind::nil);
  EXPECT_EQ(run(db3, {"GET", "where"}).str, "three");
  EXPECT_NE(run(db3, {"CLIENT", "INFO"}).str.find(" db=3 "), std::string::npos);

  auto bad = open(options_for(redis.url() + "/99"));
  ASSERT_TRUE(wait_until([&] {
    return log_.str().find("SELECT refused: ERR DB index is out of range") != std::string::npos;
  })) << log_.str();
  EXPECT_FALSE(bad->up());
}

// --- failures --------------------------------------------------------------------------------

TEST_F(RedisConnection, SurvivesARedisRestartAndResubscribes) {
  test::redis_server redis;
  std::vector<bool> states;
  auto publisher = connect(redis.url());
  publisher->on_state = [&](bool up) { states.push_back(up); };
  auto subscriber = open(options_for(redis.url()));
  std::vector<delivery> received;
  subscriber->on_message = [&](std::string_view channel, std::string_view payload) {
    received.push_back({std::string(channel), std::string(payload)});
  };
  subscriber->subscribe(subscription_kind::subscribe, "news");
  subscriber->subscribe(subscription_kind::psubscribe, "room.*");
  ASSERT_TRUE(wait_until([&] { return subscriber->up(); }));

  // A command in flight when Redis goes away: BLPOP blocks until then.
  std::optional<redis_reply> blocked;
  asio::co_spawn(io_, publisher->command({"BLPOP", "never", "0"}, 30s),
                 [&](std::exception_ptr, redis_reply reply) { blocked = std::move(reply); });
  auto watcher = connect(redis.url());
  ASSERT_TRUE(wait_until([&] {
    return run(watcher, {"INFO", "clients"}).str.find("blocked_clients:1") != std::string::npos;
  }));

  redis.stop();
  ASSERT_TRUE(wait_until([&] { return !publisher->up() && !subscriber->up(); })) << log_.str();
  EXPECT_EQ(states, std::vector<bool>{false});
  ASSERT_TRUE(wait_until([&] { return blocked.has_value(); }));
  EXPECT_EQ(blocked->type, kind::error);
  EXPECT_EQ(blocked->str.rfind("redis: connection lost (", 0), 0u) << blocked->str;
  EXPECT_NE(log_.str().find("test0: connection to redis://127.0.0.1:" +
                            std::to_string(redis.port()) + "/0 lost ("),
            std::string::npos)
      << log_.str();

  // Down: sends refused and counted, commands fail at once.
  auto dropped = publisher->stats().dropped.value();
  EXPECT_FALSE(publisher->send({"PUBLISH", "news", "lost"}));
  EXPECT_FALSE(publisher->send({"PUBLISH", "news", "lost"}));
  EXPECT_EQ(publisher->stats().dropped.value(), dropped + 2);
  auto refused = run(publisher, {"PING"});
  EXPECT_EQ(refused.type, kind::error);
  EXPECT_EQ(refused.str, "redis: not connected");

  // Several retries fail while it is away (the backoff is short here).
  wait_until([] { return false; }, 500ms);

  redis.restart();
  ASSERT_TRUE(wait_until([&] { return publisher->up() && subscriber->up(); })) << log_.str();
  EXPECT_EQ(states, (std::vector<bool>{false, true}));
  EXPECT_EQ(run(publisher, {"PING"}).str, "PONG");
  EXPECT_TRUE(publisher->send({"PUBLISH", "news", "after"}));
  EXPECT_TRUE(publisher->send({"PUBLISH", "room.1", "also after"}));
  ASSERT_TRUE(wait_until([&] { return received.size() >= 2; })) << log_.str();
  EXPECT_EQ(received, (std::vector<delivery>{{"news", "after"}, {"room.1", "also after"}}));
}

TEST_F(RedisConnection, AReplyTimeoutFailsThatCommandOnly) {
  test::redis_server redis;
  auto connection = connect(redis.url());
  auto pauser = connect(redis.url());
  // Redis answers nobody (the pauser included) for a second.
  EXPECT_EQ(run(pauser, {"CLIENT", "PAUSE", "1000", "ALL"}).str, "OK");
  auto late = await(connection->command({"ECHO", "late"}, 200ms));
  EXPECT_EQ(late.type, kind::error);
  EXPECT_EQ(late.str, "redis: timed out after 200 ms");
  // The late reply, when it comes, is dropped: the next command gets its own.
  EXPECT_EQ(run(connection, {"ECHO", "next"}).str, "next");
  EXPECT_TRUE(connection->up());
}

TEST_F(RedisConnection, ASilentServerTimesOutTheConnect) {
  // Accepts, then says nothing: the PING of the handshake never gets a reply.
  tcp::acceptor silent(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::vector<tcp::socket> accepted;
  std::function<void()> accept = [&] {
    silent.async_accept([&](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      accepted.push_back(std::move(socket));
      accept();
    });
  };
  accept();
  auto options = options_for("redis://127.0.0.1:" + std::to_string(silent.local_endpoint().port()));
  options.connect_timeout = 200ms;
  auto connection = open(options);
  ASSERT_TRUE(wait_until([&] {
    return log_.str().find("test0: cannot connect to redis://127.0.0.1:" +
                           std::to_string(silent.local_endpoint().port()) +
                           "/0: timed out after 200 ms connecting; retrying") != std::string::npos;
  })) << log_.str();
  EXPECT_FALSE(connection->up());
  connection->stop();
  silent.close();
}

TEST_F(RedisConnection, NothingListeningIsRetriedAndLoggedOnce) {
  std::uint16_t port;
  {
    tcp::acceptor probe(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }
  spdlog::set_level(spdlog::level::debug);
  auto connection = open(options_for("redis://127.0.0.1:" + std::to_string(port)));
  auto count = [&](const std::string& text) {
    std::size_t n = 0;
    auto log = log_.str();
    for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
    return n;
  };
  bool retried = wait_until([&] { return count("test0: still cannot connect") >= 3; });
  spdlog::set_level(spdlog::level::info);
  ASSERT_TRUE(retried) << log_.str();
  EXPECT_EQ(count("test0: cannot connect"), 1u) << log_.str();
  EXPECT_NE(log_.str().find("connect: Connection refused; retrying"), std::string::npos);
  EXPECT_FALSE(connection->up());
}

TEST_F(RedisConnection, StopCompletesCommandsInFlight) {
  test::redis_server redis;
  auto connection = connect(redis.url());
  std::vector<bool> states;
  connection->on_state = [&](bool up) { states.push_back(up); };
  std::optional<redis_reply> blocked;
  asio::co_spawn(io_, connection->command({"BLPOP", "never", "0"}, 30s),
                 [&](std::exception_ptr, redis_reply reply) { blocked = std::move(reply); });
  auto watcher = connect(redis.url());
  ASSERT_TRUE(wait_until([&] {
    return run(watcher, {"INFO", "clients"}).str.find("blocked_clients:1") != std::string::npos;
  }));
  connection->stop();
  ASSERT_TRUE(wait_until([&] { return blocked.has_value(); }));
  EXPECT_EQ(blocked->str, "redis: stopped");
  EXPECT_EQ(states, std::vector<bool>{false});
  EXPECT_FALSE(connection->up());
  EXPECT_EQ(run(connection, {"PING"}).str, "redis: not connected");
  EXPECT_FALSE(connection->send({"PUBLISH", "c", "m"}));
}

}  // namespace
}  // namespace chorus::server::cluster
