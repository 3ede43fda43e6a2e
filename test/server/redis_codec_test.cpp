// hiredis's codec behind redis_codec.hpp: commands as RESP, replies into redis_reply trees,
// however the bytes are split, and the limits that bound a reply.
#include "server/cluster/redis_codec.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace chorus::server::cluster {
namespace {

using kind = redis_reply::kind;

TEST(RedisCommand, FormatsArgvAsBulkStrings) {
  std::string out;
  append_redis_command(out, std::vector<std::string_view>{"PUBLISH", "chan", "hi"});
  EXPECT_EQ(out, "*3\r\n$7\r\nPUBLISH\r\n$4\r\nchan\r\n$2\r\nhi\r\n");
  // Appends; binary-safe (NUL, CR LF, empty).
  using namespace std::string_view_literals;
  append_redis_command(out, std::vector<std::string_view>{"SET", "k\0\r\n"sv, ""});
  EXPECT_EQ(out.substr(35), "*3\r\n$3\r\nSET\r\n$4\r\nk\0\r\n\r\n$0\r\n\r\n"sv);
}

TEST(RedisCommand, FormatsManyArguments) {
  std::vector<std::string> words;
  std::vector<std::string_view> argv{"SUBSCRIBE"};
  for (int i = 0; i < 40; ++i) words.push_back("c" + std::to_string(i));
  argv.insert(argv.end(), words.begin(), words.end());
  std::string out;
  append_redis_command(out, argv);
  EXPECT_EQ(out.substr(0, 20), "*41\r\n$9\r\nSUBSCRIBE\r\n");
  EXPECT_EQ(out.substr(out.size() - 9), "$3\r\nc39\r\n");
}

std::vector<redis_reply> read_all(std::string_view bytes, std::size_t step) {
  redis_reader reader;
  std::vector<redis_reply> replies;
  for (std::size_t at = 0; at < bytes.size(); at += step) {
    EXPECT_TRUE(reader.feed(bytes.data() + at, std::min(step, bytes.size() - at)));
    while (auto reply = reader.next()) replies.push_back(std::move(*reply));
  }
  EXPECT_EQ(reader.error(), "");
  EXPECT_EQ(reader.buffered(), 0u);
  return replies;
}

TEST(RedisReader, ReadsEveryKindWholeOrByteByByte) {
  using namespace std::string_view_literals;
  const std::string_view stream =
      "+OK\r\n-ERR unknown command\r\n:-42\r\n$5\r\nhe\0lo\r\n$0\r\n\r\n$-1\r\n*-1\r\n*0\r\n"
      "*4\r\n$8\r\npmessage\r\n$6\r\nroom.*\r\n$6\r\nroom.7\r\n$3\r\nhey\r\n"
      "*2\r\n*2\r\n:1\r\n$-1\r\n+x\r\n"sv;
  for (std::size_t step : {stream.size(), std::size_t{1}, std::size_t{7}}) {
    SCOPED_TRACE(step);
    auto replies = read_all(stream, step);
    ASSERT_EQ(replies.size(), 10u);
    EXPECT_EQ(replies[0].type, kind::status);
    EXPECT_EQ(replies[0].str, "OK");
    EXPECT_EQ(replies[1].type, kind::error);
    EXPECT_EQ(replies[1].str, "ERR unknown command");
    EXPECT_EQ(replies[2].type, kind::integer);
    EXPECT_EQ(replies[2].integer, -42);
    EXPECT_EQ(replies[3].type, kind::string);
    EXPECT_EQ(replies[3].str, std::string("he\0lo", 5));
    EXPECT_EQ(replies[4].type, kind::string);
    EXPECT_EQ(replies[4].str, "");
    EXPECT_EQ(replies[5].type, kind::nil);
    EXPECT_EQ(replies[6].type, kind::nil);
    EXPECT_EQ(replies[7].type, kind::array);
    EXPECT_TRUE(replies[7].elements.empty());
    const auto& message = replies[8];
    ASSERT_EQ(message.type, kind::array);
    ASSERT_EQ(message.elements.size(), 4u);
    EXPECT_EQ(message.elements[0].str, "pmessage");
    EXPECT_EQ(message.elements[2].str, "room.7");
    EXPECT_EQ(message.elements[3].str, "hey");
    const auto& nested = replies[9];
    ASSERT_EQ(nested.elements.size(), 2u);
    ASSERT_EQ(nested.elements[0].elements.size(), 2u);
    EXPECT_EQ(nested.elements[0].elements[0].integer, 1);
    EXPECT_EQ(nested.elements[0].elements[1].type, kind::nil);
    EXPECT_EQ(nested.elements[1].type, kind::status);
  }
}

TEST(RedisReader, ReadsALargeArray) {
  std::string stream = "*5000\r\n";
  for (int i = 0; i < 5000; ++i) stream += ":" + std::to_string(i) + "\r\n";
  auto replies = read_all(stream, 100);
  ASSERT_EQ(replies.size(), 1u);
  ASSERT_EQ(replies[0].elements.size(), 5000u);
  EXPECT_EQ(replies[0].elements[4999].integer, 4999);
}

struct broken_case {
  const char* name;
  redis_reader_limits limits;
  std::string bytes;
  const char* error;
};

void PrintTo(const broken_case& c, std::ostream* out) {
  *out << c.name;
}

redis_reader_limits limits(std::size_t buffered, std::size_t elements, std::size_t strings) {
  redis_reader_limits l;
  l.max_buffered_bytes = buffered;
  l.max_elements = elements;
  l.max_string_bytes = strings;
  return l;
}

class RedisReaderBroken : public testing::TestWithParam<broken_case> {};

TEST_P(RedisReaderBroken, FailsWithTheReasonAndStaysFailed) {
  const auto& c = GetParam();
  redis_reader reader(c.limits);
  reader.feed(c.bytes.data(), c.bytes.size());
  while (reader.next()) {
  }
  EXPECT_EQ(reader.error(), c.error);
  EXPECT_FALSE(reader.feed("+OK\r\n", 5));
  EXPECT_FALSE(reader.next());
}

const redis_reader_limits defaults;

INSTANTIATE_TEST_SUITE_P(
    Cases, RedisReaderBroken,
    testing::Values(
        broken_case{"TypeByte", defaults, "+OK\r\n?\r\n",
                    R"(Protocol error, got "?" as reply type byte)"},
        broken_case{"BadInteger", defaults, ":12x\r\n", "Bad integer value"},
        broken_case{"BadBulkLength", defaults, "$-2\r\n", "Bulk string length out of range"},
        broken_case{"TooDeep", defaults,
                    "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n",
                    "No support for nested multi bulk replies with depth > 7"},
        broken_case{"TooManyElements", limits(1 << 20, 4, 1 << 20), "*5\r\n",
                    "a reply with more than 4 elements"},
        broken_case{"TooManyNestedElements", limits(1 << 20, 4, 1 << 20),
                    "*2\r\n*2\r\n:1\r\n:2\r\n*1\r\n", "a reply with more than 4 elements"},
        broken_case{"TooManyStringBytes", limits(1 << 20, 100, 8),
                    "*2\r\n$5\r\nabcde\r\n$5\r\nfghij\r\n",
                    "a reply with more than 8 bytes of strings"},
        broken_case{"TooLargeStillArriving", limits(16, 100, 1 << 20),
                    "$100\r\n" + std::string(20, 'x'), "a reply larger than 16 bytes"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RedisReader, LimitsCountPerReply) {
  redis_reader reader(limits(1 << 20, 3, 4));
  std::string_view stream = "*3\r\n$2\r\nab\r\n$2\r\ncd\r\n:1\r\n*3\r\n$4\r\nabcd\r\n:1\r\n:2\r\n";
  ASSERT_TRUE(reader.feed(stream.data(), stream.size()));
  ASSERT_TRUE(reader.next());
  ASSERT_TRUE(reader.next());
  EXPECT_EQ(reader.error(), "");
}

}  // namespace
}  // namespace chorus::server::cluster
