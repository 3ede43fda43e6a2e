#include "server/engineio/sid.hpp"

#include <gtest/gtest.h>

#include <set>

namespace chorus::server::engineio {
namespace {

TEST(Sid, NamesItsShard) {
  for (unsigned shard : {0u, 1u, 3u, 63u, 64u, 1000u, 4095u}) {
    SCOPED_TRACE(shard);
    std::string sid = make_sid(shard);
    EXPECT_EQ(sid.size(), 20u);
    EXPECT_EQ(shard_of_sid(sid, 4096), shard);
    EXPECT_EQ(shard_of_sid(sid, shard), std::nullopt);  // no such shard
  }
}

TEST(Sid, IsRandom) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(make_sid(0));
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Sid, RefusesMalformed) {
  const std::string_view bad[] = {"",
                                  "short",
                                  "AAAAAAAAAAAAAAAAAAAAA",
                                  "AA!AAAAAAAAAAAAAAAAA",
                                  "AA AAAAAAAAAAAAAAAAA",
                                  "AA%2FAAAAAAAAAAAAAAA"};
  for (auto sid : bad) {
    SCOPED_TRACE(sid);
    EXPECT_EQ(shard_of_sid(sid, 4), std::nullopt);
  }
}

TEST(Sid, RandomIdsUseTheUrlSafeAlphabet) {
  std::string id = make_random_id(500);
  EXPECT_EQ(id.size(), 500u);
  EXPECT_EQ(
      id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
}

}  // namespace
}  // namespace chorus::server::engineio
