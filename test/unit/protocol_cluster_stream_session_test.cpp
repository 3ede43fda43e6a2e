#include <gtest/gtest.h>

#include "protocol/base64.hpp"
#include "protocol/cluster/stream_session.hpp"

namespace cluster = chorus::protocol::cluster;

namespace {

// Written by @socket.io/redis-streams-adapter's encoder (@msgpack/msgpack 2.8) for
// {sid: "A"×20, pid: "B"×20, rooms: [sid, "r"], data: {user: "alice", n: 1}}.
constexpr std::string_view node_written =
    "hKNzaWS0QUFBQUFBQUFBQUFBQUFBQUFBQUGjcGlktEJCQkJCQkJCQkJCQkJCQkJCQkJCpXJvb21zkrRBQUFBQUFBQU"
    "FBQUFBQUFBQUFBQaFypGRhdGGCpHVzZXKlYWxpY2WhbgE=";

TEST(StreamSession, ReadsWhatTheNodeAdapterWrites) {
  std::string error;
  auto session = cluster::decode_stream_session(node_written, error);
  ASSERT_TRUE(session) << error;
  EXPECT_EQ(session->sid, std::string(20, 'A'));
  EXPECT_EQ(session->pid, std::string(20, 'B'));
  EXPECT_EQ(session->rooms, (std::vector<std::string>{std::string(20, 'A'), "r"}));
  EXPECT_EQ(session->data_json, R"({"user":"alice","n":1})");
}

TEST(StreamSession, WritesWhatTheNodeAdapterWrites) {
  cluster::stream_session session{std::string(20, 'A'),
                                  std::string(20, 'B'),
                                  {std::string(20, 'A'), "r"},
                                  R"({"user":"alice","n":1})"};
  EXPECT_EQ(cluster::encode_stream_session(session), node_written);
  // And the smallest: no rooms, empty data.
  EXPECT_EQ(cluster::encode_stream_session({"s", "p", {}, "{}"}),
            "hKNzaWShc6NwaWShcKVyb29tc5CkZGF0YYA=");
}

TEST(StreamSession, DataThatIsNotJsonIsNotWritten) {
  EXPECT_EQ(cluster::encode_stream_session({"s", "p", {}, "{not json"}), "");
}

std::string base64_of(std::string_view bytes) {
  std::string out;
  chorus::protocol::append_base64(out, bytes);
  return out;
}

TEST(StreamSession, RefusesWhatIsNotASession) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not base64", "!!!"},
      {"not a map", base64_of("\x93\x01\x02\x03")},
      {"truncated", base64_of("\x84\xa3sid")},
      {"sid not a string", base64_of("\x83\xa3sid\x01\xa3pid\xa1p\xa5rooms\x90")},
      {"pid missing", base64_of("\x82\xa3sid\xa1s\xa5rooms\x90")},
      {"rooms not an array", base64_of("\x83\xa3sid\xa1s\xa3pid\xa1p\xa5rooms\xa1r")},
      {"a room not a string", base64_of("\x83\xa3sid\xa1s\xa3pid\xa1p\xa5rooms\x91\x01")},
      {"binary data", base64_of("\x84\xa3sid\xa1s\xa3pid\xa1p\xa5rooms\x90\xa4"
                                "data\xc4\x01x")},
      {"bytes after it", base64_of("\x83\xa3sid\xa1s\xa3pid\xa1p\xa5rooms\x90\x01")},
  };
  for (const auto& [name, value] : cases) {
    std::string error;
    EXPECT_FALSE(cluster::decode_stream_session(value, error)) << name;
    EXPECT_FALSE(error.empty()) << name;
  }
}

TEST(StreamSession, DataMayBeAbsent) {
  std::string error;
  auto session =
      cluster::decode_stream_session(base64_of("\x83\xa3sid\xa1s\xa3pid\xa1p\xa5rooms\x90"), error);
  ASSERT_TRUE(session) << error;
  EXPECT_EQ(session->data_json, "{}");
}

TEST(StreamId, ParsesOnlyWhatTheAdapterAccepts) {
  auto id = cluster::parse_stream_id("1700000000000-7");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->ms, 1700000000000ULL);
  EXPECT_EQ(id->seq, 7ULL);
  EXPECT_EQ(cluster::format_stream_id(*id), "1700000000000-7");
  for (std::string_view bad : {"", "-", "1-", "-1", "1", "a-1", "1-b", "+1-1", "1--1", "1-1-1",
                               " 1-1", "1-1 ", "18446744073709551616-0", "1-18446744073709551616"})
    EXPECT_FALSE(cluster::parse_stream_id(bad)) << bad;
  EXPECT_TRUE(cluster::parse_stream_id("18446744073709551615-18446744073709551615"));
}

TEST(StreamId, OrdersAsRedisAndStepsToTheNext) {
  using id = cluster::stream_id;
  EXPECT_LT((id{1, 9}), (id{2, 0}));
  EXPECT_LT((id{1, 9}), (id{1, 10}));
  EXPECT_EQ(cluster::next_stream_id({5, 1}), (id{5, 2}));
  EXPECT_EQ(cluster::next_stream_id({5, ~0ULL}), (id{6, 0}));
}

}  // namespace
