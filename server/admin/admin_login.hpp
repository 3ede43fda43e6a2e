#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "server/guard/token_bucket.hpp"

namespace chorus::server::admin {

// The Admin UI's basic auth, node-wide (every shard's /admin middleware asks the same one): a
// login is `{username, password}` checked against the bcrypt hash, or `{sessionId}` from an
// earlier login on this node. Thread-safe: logins are rare, a mutex is enough.
class admin_login {
 public:
  using clock = std::chrono::steady_clock;
  struct limits {
    std::chrono::seconds session_lifetime{86'400};  // as @socket.io/admin-ui's session store
    std::size_t max_sessions = 10'000;              // past it the oldest is forgotten
    // Per client address: a password check costs a bcrypt, so one that failed costs a token,
    // none starts while the address has none (a burst as large as the rate), and no more than
    // the burst are under way at once.
    double failed_logins_per_second = 5;
    std::size_t max_addresses = 4'096;  // buckets kept; past it all start afresh
  };

  admin_login(std::string username, std::string password_hash, limits bounds);
  admin_login(std::string username, std::string password_hash)
      : admin_login(std::move(username), std::move(password_hash), limits{}) {}

  struct granted {
    std::string session_id;  // 16 hex digits
    bool is_new = false;     // from a password: the client is to be told it (`session`)
  };
  // `auth`: the CONNECT's auth payload as JSON; `address`: the client's, for the rate limit.
  // nullopt: invalid credentials. All three steps below, on the calling thread.
  std::optional<granted> log_in(std::string_view auth_json, std::string_view address,
                                clock::time_point now = clock::now());

  // log_in in steps, so that the bcrypt can run on another thread than the connection's: start()
  // decides what needs no bcrypt (a known session, malformed credentials, an address out of
  // tokens), else asks for a password check; check() is the bcrypt (any thread, no lock);
  // finish() records its outcome.
  struct password_check {
    std::string username, password, address;
    clock::time_point now;
  };
  using step = std::variant<std::optional<granted>, password_check>;
  step start(std::string_view auth_json, std::string_view address,
             clock::time_point now = clock::now());
  bool check(const password_check& request) const;
  std::optional<granted> finish(const password_check& request, bool password_ok);

 private:
  bool known_session(std::string_view id, clock::time_point now);
  std::string new_session(clock::time_point now);
  bool may_check_password(std::string_view address, clock::time_point now);
  guard::token_bucket& bucket_of(std::string_view address, clock::time_point now);

  const std::string username_;
  const std::string password_hash_;
  const limits limits_;
  std::mutex mutex_;
  std::unordered_map<std::string, clock::time_point> sessions_;   // id -> expiry
  std::deque<std::string> session_order_;                         // oldest first
  std::unordered_map<std::string, guard::token_bucket> buckets_;  // address -> its bucket
};

}  // namespace chorus::server::admin
