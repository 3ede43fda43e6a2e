// The HS256 verifier, table-driven: every way a token can be wrong, each with its own error.
#include "server/guard/jwt.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "protocol/base64.hpp"

namespace chorus::server::guard {
namespace {

constexpr std::string_view secret = "a-test-secret-of-at-least-32-bytes!";
constexpr std::int64_t now = 1'800'000'000;

std::string base64url(std::string_view bytes) {
  std::string text;
  protocol::append_base64(text, bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return text;
}

std::string hmac(std::string_view data, std::string_view key, const EVP_MD* md) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &size);
  return std::string(reinterpret_cast<char*>(digest), size);
}

// A token with these raw JSON texts, signed with `key` by `md`.
std::string sign(std::string_view header, std::string_view claims, std::string_view key = secret,
                 const EVP_MD* md = EVP_sha256()) {
  std::string signed_part = base64url(header) + "." + base64url(claims);
  return signed_part + "." + base64url(hmac(signed_part, key, md));
}

constexpr std::string_view hs256 = R"({"alg":"HS256","typ":"JWT"})";

struct jwt_case {
  const char* name;
  std::string token;
  jwt_error error;
  std::string subject;
};

std::vector<jwt_case> cases() {
  std::string good = sign(hs256, R"({"sub":"alice","exp":1800000600})");
  std::string unsigned_part =
      base64url(R"({"alg":"none","typ":"JWT"})") + "." + base64url(R"({"sub":"mallory"})");
  std::string swapped_claims = good.substr(0, good.find('.') + 1) +
                               base64url(R"({"sub":"mallory","exp":1800000600})") +
                               good.substr(good.rfind('.'));
  return {
      {"good", good, jwt_error::none, "alice"},
      {"name_when_no_sub", sign(hs256, R"({"name":"bob"})"), jwt_error::none, "bob"},
      {"sub_before_name", sign(hs256, R"({"name":"bob","sub":"carol"})"), jwt_error::none, "carol"},
      {"no_subject", sign(hs256, R"({"iat":1})"), jwt_error::none, ""},
      {"exp_within_leeway", sign(hs256, R"({"sub":"a","exp":1799999980})"), jwt_error::none, "a"},
      {"nbf_within_leeway", sign(hs256, R"({"sub":"a","nbf":1800000020})"), jwt_error::none, "a"},
      {"wrong_secret", sign(hs256, R"({"sub":"alice"})", "another-secret"),
       jwt_error::bad_signature, ""},
      {"claims_swapped", swapped_claims, jwt_error::bad_signature, ""},
      {"truncated_signature", good.substr(0, good.size() - 1), jwt_error::bad_signature, ""},
      {"alg_none_unsigned", unsigned_part + ".", jwt_error::malformed, ""},
      {"alg_none_signed", sign(R"({"alg":"none"})", R"({"sub":"a"})"), jwt_error::unsupported_alg,
       ""},
      {"alg_hs512", sign(R"({"alg":"HS512"})", R"({"sub":"a"})", secret, EVP_sha512()),
       jwt_error::unsupported_alg, ""},
      {"alg_rs256", sign(R"({"alg":"RS256"})", R"({"sub":"a"})"), jwt_error::unsupported_alg, ""},
      {"alg_lowercase", sign(R"({"alg":"hs256"})", R"({"sub":"a"})"), jwt_error::unsupported_alg,
       ""},
      {"alg_missing", sign(R"({"typ":"JWT"})", R"({"sub":"a"})"), jwt_error::unsupported_alg, ""},
      {"alg_not_string", sign(R"({"alg":256})", R"({"sub":"a"})"), jwt_error::unsupported_alg, ""},
      {"expired", sign(hs256, R"({"sub":"a","exp":1799999960})"), jwt_error::expired, ""},
      {"not_yet_valid", sign(hs256, R"({"sub":"a","nbf":1800000040})"), jwt_error::not_yet_valid,
       ""},
      {"exp_not_number", sign(hs256, R"({"sub":"a","exp":"tomorrow"})"), jwt_error::bad_claim, ""},
      {"sub_not_string", sign(hs256, R"({"sub":42})"), jwt_error::bad_claim, ""},
      {"missing", "", jwt_error::missing, ""},
      {"one_segment", "abc", jwt_error::malformed, ""},
      {"two_segments", "abc.def", jwt_error::malformed, ""},
      {"four_segments", good + ".x", jwt_error::malformed, ""},
      {"empty_header", good.substr(good.find('.')), jwt_error::malformed, ""},
      {"padded_base64", good + "=", jwt_error::bad_base64, ""},
      {"standard_alphabet", "ab+/.abcd.abcd", jwt_error::bad_base64, ""},
      {"impossible_length", "abcde.abcd.abcd", jwt_error::bad_base64, ""},
      {"bad_json_header", sign("{\"alg\":", R"({"sub":"a"})"), jwt_error::bad_json, ""},
      {"header_not_object", sign(R"(["HS256"])", R"({"sub":"a"})"), jwt_error::bad_json, ""},
      {"bad_json_claims", sign(hs256, R"({"sub":"a")"), jwt_error::bad_json, ""},
      {"claims_not_object", sign(hs256, R"("alice")"), jwt_error::bad_json, ""},
      {"oversize", sign(hs256, R"({"sub":")" + std::string(8 * 1024, 'x') + "\"}"),
       jwt_error::oversize, ""},
  };
}

class jwt_test : public testing::TestWithParam<jwt_case> {};

TEST_P(jwt_test, verifies) {
  const jwt_case& c = GetParam();
  jwt_result result = verify_jwt_hs256(c.token, secret, now);
  EXPECT_EQ(result.error, c.error);
  EXPECT_EQ(result.subject, c.subject);
}

INSTANTIATE_TEST_SUITE_P(table, jwt_test, testing::ValuesIn(cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(jwt, a_token_at_the_size_bound_is_read) {
  std::string claims = R"({"sub":"a","pad":")";
  std::string token = sign(hs256, claims + "\"}");
  std::size_t room = (max_jwt_size - token.size()) / 4 * 3;
  token = sign(hs256, claims + std::string(room, 'x') + "\"}");
  ASSERT_LE(token.size(), max_jwt_size);
  EXPECT_EQ(verify_jwt_hs256(token, secret, now).error, jwt_error::none);
}

TEST(jwt, base64url_decodes_the_url_alphabet_only) {
  std::string out;
  EXPECT_TRUE(decode_base64url("-_-_", out));
  EXPECT_EQ(out, "\xfb\xff\xbf");
  out.clear();
  EXPECT_TRUE(decode_base64url("YQ", out));
  EXPECT_EQ(out, "a");
  EXPECT_FALSE(decode_base64url("YQ==", out));
  EXPECT_FALSE(decode_base64url("Y", out));
  EXPECT_FALSE(decode_base64url("Y Q", out));
}

}  // namespace
}  // namespace chorus::server::guard
