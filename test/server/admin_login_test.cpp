#include "server/admin/admin_login.hpp"

#include <gtest/gtest.h>

#include "server/admin/password_check.hpp"

namespace chorus::server::admin {
namespace {

// bcrypt (cost 8) of "chorus-admin", made with libxcrypt: the hash the tests' servers use.
constexpr const char* hash = "$2b$08$In3rVySW9AhrhEdxwsJ8ce.ljYtiy9B7JrqA1fPGOnljsDNNLfaqW";

TEST(PasswordCheck, MatchesOnlyTheRightPassword) {
  EXPECT_TRUE(password_matches("chorus-admin", hash));
  EXPECT_FALSE(password_matches("chorus-admiN", hash));
  EXPECT_FALSE(password_matches("", hash));
  EXPECT_FALSE(password_matches(std::string_view("chorus-admin\0x", 14), hash));
  EXPECT_FALSE(password_matches(std::string(2000, 'a'), hash));
}

TEST(PasswordCheck, ReadsOnlyBcryptHashes) {
  EXPECT_TRUE(is_bcrypt_hash(hash));
  std::string other_prefix = hash;
  other_prefix[2] = 'y';
  EXPECT_TRUE(is_bcrypt_hash(other_prefix));
  other_prefix[2] = 'x';
  EXPECT_FALSE(is_bcrypt_hash(other_prefix));
  EXPECT_FALSE(is_bcrypt_hash("$1$abc$def"));
  EXPECT_FALSE(is_bcrypt_hash(std::string(hash).substr(0, 59)));
  EXPECT_FALSE(is_bcrypt_hash("$2b$03$In3rVySW9AhrhEdxwsJ8ce.ljYtiy9B7JrqA1fPGOnljsDNNLfaqW"));
  EXPECT_FALSE(is_bcrypt_hash("$2b$08$In3rVySW9AhrhEdxwsJ8ce.ljYtiy9B7JrqA1fPGOnljsDNNLfaq!"));
  // A wrong-looking hash never matches, whatever the password.
  EXPECT_FALSE(password_matches("chorus-admin", "$2b$08$short"));
}

TEST(AdminLogin, RightCredentialsGiveASessionThatLogsInAgain) {
  admin_login login("admin", hash);
  auto session = login.log_in(R"({"username":"admin","password":"chorus-admin"})", "10.0.0.1");
  ASSERT_TRUE(session);
  EXPECT_TRUE(session->is_new);
  EXPECT_EQ(session->session_id.size(), 16u);
  EXPECT_EQ(session->session_id.find_first_not_of("0123456789abcdef"), std::string::npos);
  auto again = login.log_in(R"({"sessionId":")" + session->session_id + R"("})", "10.0.0.1");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->session_id, session->session_id);
  EXPECT_FALSE(again->is_new);
  EXPECT_FALSE(login.log_in(R"({"sessionId":"0000000000000000"})", "10.0.0.1"));
}

TEST(AdminLogin, WrongOrMalformedCredentialsAreRefused) {
  admin_login login("admin", hash);
  for (const char* auth : {R"({"username":"admin","password":"nope"})",
                           R"({"username":"root","password":"chorus-admin"})", R"({})", R"([])",
                           R"("admin")", R"({"username":5,"password":"chorus-admin"})",
                           R"({"username":"admin","password":null})", "not json"}) {
    SCOPED_TRACE(auth);
    EXPECT_FALSE(login.log_in(auth, std::string("addr-") + auth));  // own bucket each
  }
}

TEST(AdminLogin, FailedGuessesAreRateLimitedPerAddress) {
  admin_login::limits limits;
  limits.failed_logins_per_second = 2;
  admin_login login("admin", hash, limits);
  auto now = admin_login::clock::now();
  const char* wrong = R"({"username":"admin","password":"guess"})";
  const char* right = R"({"username":"admin","password":"chorus-admin"})";
  // Right passwords spend nothing: many logins in a row all pass.
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(login.log_in(right, "10.0.0.9", now));
  EXPECT_FALSE(login.log_in(wrong, "10.0.0.9", now));
  EXPECT_FALSE(login.log_in(wrong, "10.0.0.9", now));
  // Two failures emptied the bucket: even the right password is not checked now from this
  // address...
  EXPECT_FALSE(login.log_in(right, "10.0.0.9", now));
  // ...but is from another, and from this one once the bucket refills.
  EXPECT_TRUE(login.log_in(right, "10.0.0.10", now));
  EXPECT_TRUE(login.log_in(right, "10.0.0.9", now + std::chrono::seconds(1)));
}

TEST(AdminLogin, InStepsOnlyAPasswordAsksForABcrypt) {
  admin_login login("admin", hash);
  auto now = admin_login::clock::now();
  auto malformed = login.start(R"({"username":"admin"})", "10.0.0.2", now);
  ASSERT_TRUE(std::holds_alternative<std::optional<admin_login::granted>>(malformed));
  EXPECT_FALSE(std::get<std::optional<admin_login::granted>>(malformed));

  auto asked = login.start(R"({"username":"admin","password":"chorus-admin"})", "10.0.0.2", now);
  ASSERT_TRUE(std::holds_alternative<admin_login::password_check>(asked));
  const auto& request = std::get<admin_login::password_check>(asked);
  EXPECT_TRUE(login.check(request));
  auto session = login.finish(request, true);
  ASSERT_TRUE(session);
  EXPECT_TRUE(session->is_new);

  // A known session is decided without a bcrypt.
  auto known = login.start(R"({"sessionId":")" + session->session_id + R"("})", "10.0.0.2", now);
  ASSERT_TRUE(std::holds_alternative<std::optional<admin_login::granted>>(known));
  EXPECT_EQ(std::get<std::optional<admin_login::granted>>(known)->session_id, session->session_id);

  // A failed check spends the token its start took (the default rate: 5 per second).
  const char* wrong = R"({"username":"admin","password":"guess"})";
  for (int i = 0; i < 5; ++i) {
    auto guess = login.start(wrong, "10.0.0.2", now);
    ASSERT_TRUE(std::holds_alternative<admin_login::password_check>(guess));
    const auto& failing = std::get<admin_login::password_check>(guess);
    EXPECT_FALSE(login.finish(failing, login.check(failing)));
  }
  auto limited = login.start(R"({"username":"admin","password":"chorus-admin"})", "10.0.0.2", now);
  ASSERT_TRUE(std::holds_alternative<std::optional<admin_login::granted>>(limited));
  EXPECT_FALSE(std::get<std::optional<admin_login::granted>>(limited));
}

TEST(AdminLogin, NoMoreChecksUnderWayForOneAddressThanTheBurst) {
  admin_login::limits limits;
  limits.failed_logins_per_second = 2;
  admin_login login("admin", hash, limits);
  auto now = admin_login::clock::now();
  const char* right = R"({"username":"admin","password":"chorus-admin"})";
  auto first = login.start(right, "10.0.0.7", now);
  auto second = login.start(right, "10.0.0.7", now);
  ASSERT_TRUE(std::holds_alternative<admin_login::password_check>(first));
  ASSERT_TRUE(std::holds_alternative<admin_login::password_check>(second));
  // A third connection while two bcrypts are queued is refused without one.
  auto third = login.start(right, "10.0.0.7", now);
  ASSERT_TRUE(std::holds_alternative<std::optional<admin_login::granted>>(third));
  EXPECT_FALSE(std::get<std::optional<admin_login::granted>>(third));
  // Right passwords give their tokens back.
  const auto& request = std::get<admin_login::password_check>(first);
  EXPECT_TRUE(login.finish(request, login.check(request)));
  EXPECT_TRUE(
      std::holds_alternative<admin_login::password_check>(login.start(right, "10.0.0.7", now)));
}

TEST(AdminLogin, SessionsExpireAndAreBounded) {
  admin_login::limits limits;
  limits.session_lifetime = std::chrono::seconds(10);
  limits.max_sessions = 2;
  limits.failed_logins_per_second = 100;
  admin_login login("admin", hash, limits);
  auto now = admin_login::clock::now();
  const char* right = R"({"username":"admin","password":"chorus-admin"})";
  auto first = login.log_in(right, "a", now)->session_id;
  auto by_id = [&](const std::string& id, admin_login::clock::time_point at) {
    return login.log_in(R"({"sessionId":")" + id + R"("})", "a", at).has_value();
  };
  EXPECT_TRUE(by_id(first, now + std::chrono::seconds(9)));
  EXPECT_FALSE(by_id(first, now + std::chrono::seconds(11)));
  auto second = login.log_in(right, "a", now)->session_id;
  auto third = login.log_in(right, "a", now)->session_id;
  auto fourth = login.log_in(right, "a", now)->session_id;  // the oldest (second) is forgotten
  EXPECT_FALSE(by_id(second, now));
  EXPECT_TRUE(by_id(third, now));
  EXPECT_TRUE(by_id(fourth, now));
}

}  // namespace
}  // namespace chorus::server::admin
