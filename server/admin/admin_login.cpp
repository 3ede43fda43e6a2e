#include "server/admin/admin_login.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>
#include <simdjson.h>

#include <array>

#include "server/admin/password_check.hpp"

namespace chorus::server::admin {

admin_login::admin_login(std::string username, std::string password_hash, limits bounds)
    : username_(std::move(username)), password_hash_(std::move(password_hash)), limits_(bounds) {}

std::optional<admin_login::granted> admin_login::log_in(std::string_view auth_json,
                                                        std::string_view address,
                                                        clock::time_point now) {
  auto next = start(auth_json, address, now);
  if (auto* decided = std::get_if<std::optional<granted>>(&next)) return std::move(*decided);
  const auto& request = std::get<password_check>(next);
  return finish(request, check(request));
}

admin_login::step admin_login::start(std::string_view auth_json, std::string_view address,
                                     clock::time_point now) {
  simdjson::dom::parser parser;
  simdjson::dom::object auth;
  if (parser.parse(auth_json).get_object().get(auth)) return std::nullopt;
  std::string_view session_id, username, password;
  if (!auth["sessionId"].get_string().get(session_id)) {
    std::lock_guard lock(mutex_);
    if (known_session(session_id, now)) return granted{std::string(session_id), false};
  }
  if (auth["username"].get_string().get(username) || auth["password"].get_string().get(password))
    return std::nullopt;
  {
    std::lock_guard lock(mutex_);
    if (!may_check_password(address, now)) return std::nullopt;
  }
  return password_check{std::string(username), std::string(password), std::string(address), now};
}

// bcrypt outside the lock: another shard's login need not wait for this one.
bool admin_login::check(const password_check& request) const {
  bool user_matches = request.username == username_;
  bool password_ok = password_matches(request.password, password_hash_);
  return user_matches && password_ok;
}

std::optional<admin_login::granted> admin_login::finish(const password_check& request,
                                                        bool password_ok) {
  std::lock_guard lock(mutex_);
  if (!password_ok) return std::nullopt;  // the token start() took stays spent
  bucket_of(request.address, request.now).give_back();
  return granted{new_session(request.now), true};
}

bool admin_login::known_session(std::string_view id, clock::time_point now) {
  auto it = sessions_.find(std::string(id));
  return it != sessions_.end() && it->second > now;
}

std::string admin_login::new_session(clock::time_point now) {
  std::array<unsigned char, 8> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
    throw std::runtime_error("admin: no randomness for a session id");
  std::string id = fmt::format("{:02x}", fmt::join(random, ""));
  while (sessions_.size() >= limits_.max_sessions && !session_order_.empty()) {
    sessions_.erase(session_order_.front());
    session_order_.pop_front();
  }
  sessions_[id] = now + limits_.session_lifetime;
  session_order_.push_back(id);
  return id;
}

guard::token_bucket& admin_login::bucket_of(std::string_view address, clock::time_point now) {
  if (buckets_.size() >= limits_.max_addresses) buckets_.clear();
  auto it = buckets_.find(std::string(address));
  if (it == buckets_.end())
    it = buckets_
             .emplace(std::string(address),
                      guard::token_bucket(limits_.failed_logins_per_second, now))
             .first;
  return it->second;
}

// Each check takes a token as it starts and a right password gives it back: a failure spends
// one, a right password nothing, and no more checks than the burst are ever under way for one
// address (they queue for one thread) however many connections it opens at once.
bool admin_login::may_check_password(std::string_view address, clock::time_point now) {
  return bucket_of(address, now).try_take(now);
}

}  // namespace chorus::server::admin
