#include "server/chat/chat_keys.hpp"

#include <gtest/gtest.h>

#include <set>

namespace chorus::server::chat {
namespace {

TEST(chat_keys, every_key_is_under_the_cluster_key) {
  EXPECT_EQ(keys::history("socket.io", "lobby-2"), "socket.io#chat#history#lobby-2");
  EXPECT_EQ(keys::history("socket.io", ""), "socket.io#chat#history#");
  EXPECT_EQ(keys::message_id("k"), "k#chat#message-id");
  EXPECT_EQ(keys::room_presence("k", "r"), "k#chat#room#r");
  EXPECT_EQ(keys::user_presence("k", "alice"), "k#chat#user#alice");
  EXPECT_EQ(keys::presence_version("k"), "k#chat#presence-version");
  EXPECT_EQ(keys::node_prefix("k"), "k#chat#node#");
  EXPECT_EQ(keys::room_field("0123abcd", "bob:smith"), "0123abcd:bob:smith");
}

// A room or user named like another kind of key's suffix still gets a key of its own kind.
TEST(chat_keys, names_cannot_reach_another_kind_of_key) {
  const std::vector<std::string> names = {"",  "message-id", "presence-version", "x#chat#room#y",
                                          "#", "node#1"};
  std::set<std::string> all;
  std::size_t made = 0;
  for (const auto& name : names) {
    for (auto key : {keys::history("k", name), keys::room_presence("k", name),
                     keys::user_presence("k", name)}) {
      all.insert(key);
      ++made;
    }
  }
  all.insert(keys::message_id("k"));
  all.insert(keys::presence_version("k"));
  EXPECT_EQ(all.size(), made + 2);
  // two clusters on one Redis keep apart
  EXPECT_NE(keys::history("a", "r"), keys::history("b", "r"));
}

}  // namespace
}  // namespace chorus::server::chat
