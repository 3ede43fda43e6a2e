#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chorus::server::cluster {

// Where the Redis link connects, and as whom.
struct redis_endpoint {
  std::string host;  // a name, an IPv4 address or an IPv6 address (without brackets)
  std::uint16_t port = 6379;
  std::string user;      // empty: AUTH with the password alone (the "default" user)
  std::string password;  // empty: no AUTH
  int db = 0;            // SELECTed after AUTH when not 0
};

struct redis_url_result {
  redis_endpoint endpoint;
  std::string error;  // "--redis-url: …", fit to show the user; never contains the password
  bool ok() const { return error.empty(); }
};

// Parses redis://[user:password@]host[:port][/db] — also redis://:password@host (password
// only), percent-encoded user and password (%40 for '@'), an IPv6 host in brackets
// (redis://[::1]:6380). The scheme is case-insensitive. Refused with a reason: another scheme
// (rediss:// and unix:// included: no TLS or Unix sockets yet), a user without a password, a
// query or fragment, a bad percent escape, an empty host, a port outside 1-65535, a db that is
// not a non-negative decimal int.
redis_url_result parse_redis_url(std::string_view url);

// The endpoint as a URL for logs, the password masked: "redis://user:***@host:6379/2".
std::string to_log_string(const redis_endpoint& endpoint);

}  // namespace chorus::server::cluster
