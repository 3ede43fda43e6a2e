// The chat's Redis history and presence against a real redis-server (test/support), with two
// links standing for two nodes: what one node writes the other reads, rosters merge across
// nodes, a node that closes leaves no user behind, and Redis down is answered, not waited for.
// Callbacks come back on the test's io_context, run until they have; every wait is bounded.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <optional>
#include <string>
#include <vector>

#include "server/chat/chat_redis_link.hpp"
#include "server/chat/redis_history.hpp"
#include "server/chat/redis_presence.hpp"
#include "server/cluster/redis_url.hpp"
#include "test/support/redis_server.hpp"

namespace chorus::server::chat {
namespace {

using namespace std::chrono_literals;

chat_redis_options link_options(const test::redis_server& redis) {
  chat_redis_options options;
  options.endpoint = cluster::parse_redis_url(redis.url()).endpoint;
  return options;
}

// Runs `context` until `done()` (at most 10 s); false if it never was.
template <class Done>
bool run_until(asio::io_context& context, Done done) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    context.restart();
    context.run_for(10ms);
  }
  return true;
}

// One node: its link, history and presence.
struct node {
  explicit node(const test::redis_server& redis) : link(link_options(redis)) {
    EXPECT_TRUE(link.wait_up(5s));
    people.start();
  }
  chat_redis_link link;
  redis_history history{link, {"test", 50}};
  redis_presence people{link, {"test", 200}};
};

struct chat_redis : testing::Test {
  asio::io_context context;
  asio::any_io_executor here = context.get_executor();

  std::optional<presence::roster> roster(presence_service& people, const char* op, std::string room,
                                         std::string user = {}) {
    std::optional<std::optional<presence::roster>> got;
    auto done = [&](std::optional<presence::roster> r) { got = std::move(r); };
    if (std::string_view(op) == "enter")
      people.enter(here, room, user, done);
    else if (std::string_view(op) == "leave")
      people.leave(here, room, user, done);
    else
      people.users(here, room, done);
    EXPECT_TRUE(run_until(context, [&] { return got.has_value(); })) << op;
    return got ? *got : std::nullopt;
  }

  std::optional<bool> online(presence_service& people, std::string user) {
    std::optional<std::optional<bool>> got;
    people.online(here, user, [&](std::optional<bool> on) { got = on; });
    EXPECT_TRUE(run_until(context, [&] { return got.has_value(); }));
    return got ? *got : std::nullopt;
  }

  bool signed_in(presence_service& people, std::string user, bool in) {
    std::optional<bool> got;
    auto done = [&](bool ok) { got = ok; };
    if (in)
      people.sign_in(here, user, done);
    else
      people.sign_out(here, user, done);
    EXPECT_TRUE(run_until(context, [&] { return got.has_value(); }));
    return got.value_or(false);
  }
};

TEST_F(chat_redis, one_nodes_messages_are_the_others_history_the_last_50_oldest_first) {
  test::redis_server redis;
  node a(redis);
  node b(redis);
  std::mutex mutex;
  std::vector<std::pair<std::int64_t, bool>> stored;
  for (int i = 0; i < 55; ++i) {
    node& writer = i % 2 ? b : a;  // ids come from one counter, whichever node writes
    ASSERT_TRUE(writer.history.add("r", "amy", std::to_string(i), "12:00:00",
                                   [&](std::int64_t id, bool ok) {
                                     std::lock_guard lock(mutex);
                                     stored.emplace_back(id, ok);
                                   }));
    // one at a time, so that the order of writes is the order of i
    ASSERT_TRUE(run_until(context, [&] {
      std::lock_guard lock(mutex);
      return stored.size() == static_cast<std::size_t>(i + 1);
    }));
  }
  for (std::size_t i = 0; i < stored.size(); ++i) {
    EXPECT_TRUE(stored[i].second);
    if (i) {
      EXPECT_GT(stored[i].first, stored[i - 1].first);
    }
  }
  std::optional<std::optional<std::vector<message_ptr>>> loaded;
  auto found = a.history.recent("r", [&](std::optional<std::vector<message_ptr>> m) {
    std::lock_guard lock(mutex);
    loaded = std::move(m);
  });
  EXPECT_EQ(found.status, history::lookup::loading);
  ASSERT_TRUE(run_until(context, [&] {
    std::lock_guard lock(mutex);
    return loaded.has_value();
  }));
  ASSERT_TRUE(*loaded);
  const auto& messages = **loaded;
  ASSERT_EQ(messages.size(), 50u);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(messages[i]->message, std::to_string(i + 5));
    EXPECT_EQ(messages[i]->id, stored[i + 5].first);
    EXPECT_EQ(messages[i]->room, "r");
    EXPECT_EQ(messages[i]->username, "amy");
    EXPECT_EQ(messages[i]->timestamp, "12:00:00");
  }
}

TEST_F(chat_redis, rosters_merge_across_nodes_and_a_closed_nodes_users_are_gone) {
  test::redis_server redis;
  node a(redis);
  node b(redis);
  auto first = roster(a.people, "enter", "r", "amy");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->users, (std::vector<std::string>{"amy"}));
  auto second = roster(b.people, "enter", "r", "bob");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->users, (std::vector<std::string>{"amy", "bob"}));
  EXPECT_GT(second->version, first->version);
  // the same name on both nodes is one user, until both have left
  auto third = roster(b.people, "enter", "r", "amy");
  ASSERT_TRUE(third);
  EXPECT_EQ(third->count, 2u);
  auto fourth = roster(a.people, "leave", "r", "amy");
  ASSERT_TRUE(fourth);
  EXPECT_EQ(fourth->users, (std::vector<std::string>{"amy", "bob"}));
  EXPECT_GT(fourth->version, third->version);

  EXPECT_TRUE(signed_in(b.people, "bob", true));
  EXPECT_EQ(online(a.people, "bob"), true);
  EXPECT_EQ(online(a.people, "nobody"), false);

  // b goes without leaving: its fields are dropped once its liveness key is gone
  b.people.close();
  auto after = roster(a.people, "users", "r");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->count, 0u);
  EXPECT_GT(after->version, fourth->version);
  EXPECT_EQ(online(a.people, "bob"), false);
}

// Redis restarted without persistence: every count is gone. Each node re-sends its own once its
// link is back, changes made while Redis was down included, so its users are online and in
// their rooms again on every node without rejoining.
TEST_F(chat_redis, a_node_resends_its_presence_when_redis_comes_back) {
  test::redis_server redis;
  node a(redis);
  node b(redis);
  ASSERT_TRUE(roster(a.people, "enter", "r", "amy"));
  ASSERT_TRUE(roster(a.people, "enter", "gone", "amy"));
  EXPECT_TRUE(signed_in(a.people, "amy", true));
  EXPECT_TRUE(signed_in(a.people, "old", true));
  redis.stop();
  ASSERT_TRUE(run_until(context, [&] { return !a.link.up(); }));
  EXPECT_FALSE(roster(a.people, "leave", "gone", "amy"));
  EXPECT_FALSE(roster(a.people, "enter", "r", "ann"));
  EXPECT_FALSE(signed_in(a.people, "old", false));
  redis.restart();
  const std::vector<std::string> both{"amy", "ann"};
  ASSERT_TRUE(run_until(context, [&] {
    auto seen = roster(b.people, "users", "r");
    return seen && seen->users == both;
  }));
  EXPECT_EQ(online(b.people, "amy"), true);
  EXPECT_EQ(online(b.people, "old"), false);
  auto gone = roster(b.people, "users", "gone");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->count, 0u);
}

TEST_F(chat_redis, redis_down_is_answered_at_once_not_waited_for) {
  test::redis_server redis;
  node a(redis);
  redis.stop();
  ASSERT_TRUE(run_until(context, [&] { return !a.link.up(); }));
  EXPECT_FALSE(a.history.add("r", "amy", "lost", "12:00:00", {}));
  EXPECT_EQ(a.history.recent("r", {}).status, history::lookup::busy);
  EXPECT_FALSE(roster(a.people, "enter", "r", "amy"));
  EXPECT_EQ(online(a.people, "bob"), std::nullopt);
  EXPECT_FALSE(signed_in(a.people, "amy", true));
  // signed in here all the same: this node's own truth
  EXPECT_EQ(online(a.people, "amy"), true);
}

}  // namespace
}  // namespace chorus::server::chat
