// Which Origin headers may reach the Engine.IO endpoint, table-driven.
#include "server/guard/origin_policy.hpp"

#include <gtest/gtest.h>

namespace chorus::server::guard {
namespace {

struct origin_case {
  const char* name;
  const char* origin;
  const char* host;
  const char* allowed;
  bool expected;
};

constexpr const char* list = "https://chat.example.com, http://localhost:8080/";

const origin_case cases[] = {
    {"same_origin", "http://127.0.0.1:3000", "127.0.0.1:3000", "", true},
    {"same_origin_https_behind_proxy", "https://chat.example.com", "chat.example.com", "", true},
    {"same_origin_case", "http://Chat.Example.com", "chat.example.COM", "", true},
    {"other_port", "http://127.0.0.1:3001", "127.0.0.1:3000", "", false},
    {"other_host", "http://localhost:3000", "127.0.0.1:3000", "", false},
    {"port_missing", "http://127.0.0.1", "127.0.0.1:3000", "", false},
    {"null_same_origin", "null", "127.0.0.1:3000", "", false},
    {"no_host_header", "http://127.0.0.1:3000", "", "", false},
    {"suffix_trick", "http://127.0.0.1:3000.evil.example", "127.0.0.1:3000", "", false},
    {"any", "https://evil.example", "127.0.0.1:3000", "*", true},
    {"any_null", "null", "127.0.0.1:3000", "*", true},
    {"listed", "https://chat.example.com", "x", list, true},
    {"listed_case", "HTTPS://CHAT.example.com", "x", list, true},
    {"listed_trailing_slash_in_config", "http://localhost:8080", "x", list, true},
    {"listed_other_scheme", "http://chat.example.com", "x", list, false},
    {"listed_other_port", "https://chat.example.com:8443", "x", list, false},
    {"listed_subdomain", "https://evil.chat.example.com", "x", list, false},
    {"listed_suffix", "https://chat.example.com.evil.example", "x", list, false},
    {"listed_prefix", "https://chat.example.co", "x", list, false},
    {"listed_null", "null", "x", list, false},
    {"null_when_listed", "null", "x", "null, https://a.example", true},
    {"empty_origin", "", "x", list, false},
    {"list_does_not_mean_same_origin", "http://x", "x", list, false},
};

class origin_policy_test : public testing::TestWithParam<origin_case> {};

TEST_P(origin_policy_test, decides) {
  const origin_case& c = GetParam();
  EXPECT_EQ(origin_allowed(c.origin, c.host, c.allowed), c.expected);
}

INSTANTIATE_TEST_SUITE_P(table, origin_policy_test, testing::ValuesIn(cases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace chorus::server::guard
