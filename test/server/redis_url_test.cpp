// --redis-url parsing: every accepted form, and every refusal with its exact message.
#include "server/cluster/redis_url.hpp"

#include <gtest/gtest.h>

namespace chorus::server::cluster {
namespace {

struct accepted_case {
  const char* url;
  const char* host;
  std::uint16_t port;
  const char* user;
  const char* password;
  int db;
};

void PrintTo(const accepted_case& c, std::ostream* out) {
  *out << c.url;
}

class RedisUrlAccepted : public testing::TestWithParam<accepted_case> {};

TEST_P(RedisUrlAccepted, Parses) {
  const auto& c = GetParam();
  auto result = parse_redis_url(c.url);
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.endpoint.host, c.host);
  EXPECT_EQ(result.endpoint.port, c.port);
  EXPECT_EQ(result.endpoint.user, c.user);
  EXPECT_EQ(result.endpoint.password, c.password);
  EXPECT_EQ(result.endpoint.db, c.db);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, RedisUrlAccepted,
    testing::Values(
        accepted_case{"redis://localhost", "localhost", 6379, "", "", 0},
        accepted_case{"redis://localhost/", "localhost", 6379, "", "", 0},
        accepted_case{"redis://127.0.0.1:6380", "127.0.0.1", 6380, "", "", 0},
        accepted_case{"redis://redis.example.com:6379/3", "redis.example.com", 6379, "", "", 3},
        accepted_case{"REDIS://Host:1/15", "Host", 1, "", "", 15},
        accepted_case{"redis://:secret@host", "host", 6379, "", "secret", 0},
        accepted_case{"redis://alice:secret@host:7000/2", "host", 7000, "alice", "secret", 2},
        accepted_case{"redis://al%69ce:p%40ss%3Aw%2Fd@host", "host", 6379, "alice", "p@ss:w/d", 0},
        accepted_case{"redis://:p@ss@host", "host", 6379, "", "p@ss", 0},  // last '@' splits
        accepted_case{"redis://:@host", "host", 6379, "", "", 0},          // no AUTH
        accepted_case{"redis://[::1]", "::1", 6379, "", "", 0},
        accepted_case{"redis://[::1]:6390/1", "::1", 6390, "", "", 1},
        accepted_case{"redis://host:65535", "host", 65535, "", "", 0}));

struct refused_case {
  const char* url;
  const char* error;
};

void PrintTo(const refused_case& c, std::ostream* out) {
  *out << c.url;
}

class RedisUrlRefused : public testing::TestWithParam<refused_case> {};

TEST_P(RedisUrlRefused, NamesTheProblem) {
  const auto& c = GetParam();
  auto result = parse_redis_url(c.url);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.error, c.error);
  EXPECT_EQ(result.error.find("hunter2"), std::string::npos) << "the password leaked";
}

INSTANTIATE_TEST_SUITE_P(
    Errors, RedisUrlRefused,
    testing::Values(
        refused_case{"", "--redis-url: expected redis://[user:password@]host[:port][/db]"},
        refused_case{"localhost:6379",
                     "--redis-url: expected redis://[user:password@]host[:port][/db]"},
        refused_case{"http://host",
                     "--redis-url: unsupported scheme 'http' (expected "
                     "redis://[user:password@]host[:port][/db])"},
        refused_case{"unix:///tmp/redis.sock",
                     "--redis-url: unsupported scheme 'unix' (expected "
                     "redis://[user:password@]host[:port][/db])"},
        refused_case{"rediss://:hunter2@host",
                     "--redis-url: rediss:// (TLS) is not supported; use redis://"},
        refused_case{"redis://",
                     "--redis-url: missing host (expected "
                     "redis://[user:password@]host[:port][/db])"},
        refused_case{"redis://:hunter2@",
                     "--redis-url: missing host (expected "
                     "redis://[user:password@]host[:port][/db])"},
        refused_case{"redis://:6379",
                     "--redis-url: missing host (expected "
                     "redis://[user:password@]host[:port][/db])"},
        refused_case{"redis://host:", "--redis-url: empty port"},
        refused_case{"redis://host:0", "--redis-url: bad port '0' (expected 1-65535)"},
        refused_case{"redis://host:65536", "--redis-url: bad port '65536' (expected 1-65535)"},
        refused_case{"redis://host:-1", "--redis-url: bad port '-1' (expected 1-65535)"},
        refused_case{"redis://host:63a", "--redis-url: bad port '63a' (expected 1-65535)"},
        refused_case{"redis://host/x", "--redis-url: bad database 'x' (expected /0, /1, …)"},
        refused_case{"redis://host/-1", "--redis-url: bad database '-1' (expected /0, /1, …)"},
        refused_case{"redis://host/1/2", "--redis-url: bad database '1/2' (expected /0, /1, …)"},
        refused_case{"redis://host/99999999999",
                     "--redis-url: bad database '99999999999' (expected /0, /1, …)"},
        refused_case{"redis://host?db=1",
                     "--redis-url: query parameters and fragments are not "
                     "supported (expected "
                     "redis://[user:password@]host[:port][/db])"},
        refused_case{"redis://hunter2@host",
                     "--redis-url: a user needs a password (redis://user:password@host, or "
                     "redis://:password@host)"},
        refused_case{"redis://alice:@host",
                     "--redis-url: a user needs a password (redis://user:password@host, or "
                     "redis://:password@host)"},
        refused_case{"redis://al%zzce:hunter2@host",
                     "--redis-url: bad percent escape in the user name"},
        refused_case{"redis://:hunter2%4@host", "--redis-url: bad percent escape in the password"},
        refused_case{"redis://:hunter2%@host", "--redis-url: bad percent escape in the password"},
        refused_case{"redis://[::1", "--redis-url: unclosed '[' in the host"},
        refused_case{"redis://[::1]x", "--redis-url: unexpected text after ']' in the host"},
        refused_case{"redis://[]:6379",
                     "--redis-url: missing host (expected "
                     "redis://[user:password@]host[:port][/db])"}));

TEST(RedisUrl, LogStringMasksThePassword) {
  EXPECT_EQ(to_log_string(parse_redis_url("redis://alice:hunter2@host:7000/2").endpoint),
            "redis://alice:***@host:7000/2");
  EXPECT_EQ(to_log_string(parse_redis_url("redis://:hunter2@host").endpoint),
            "redis://:***@host:6379/0");
  EXPECT_EQ(to_log_string(parse_redis_url("redis://[::1]:6390").endpoint), "redis://[::1]:6390/0");
}

}  // namespace
}  // namespace chorus::server::cluster
