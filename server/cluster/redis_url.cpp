#include "server/cluster/redis_url.hpp"

#include <fmt/format.h>

#include <charconv>
#include <limits>

namespace chorus::server::cluster {
namespace {

constexpr std::string_view usage = "expected redis://[user:password@]host[:port][/db]";

redis_url_result failure(std::string reason) {
  redis_url_result result;
  result.error = "--redis-url: " + std::move(reason);
  return result;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX → the byte; false on a truncated or non-hex escape.
bool percent_decode(std::string_view text, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return false;
    int high = hex_value(text[i + 1]);
    int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return false;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return true;
}

template <class Int>
bool parse_decimal(std::string_view text, Int& value) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

// user:password (or :password) into the endpoint; the error names the part, never the value.
std::string parse_userinfo(std::string_view userinfo, redis_endpoint& endpoint) {
  auto colon = userinfo.find(':');
  if (colon == std::string_view::npos) {
    return "a user needs a password (redis://user:password@host, or redis://:password@host)";
  }
  if (!percent_decode(userinfo.substr(0, colon), endpoint.user)) {
    return "bad percent escape in the user name";
  }
  if (!percent_decode(userinfo.substr(colon + 1), endpoint.password)) {
    return "bad percent escape in the password";
  }
  if (!endpoint.user.empty() && endpoint.password.empty()) {
    return "a user needs a password (redis://user:password@host, or redis://:password@host)";
  }
  return {};
}

// host[:port] or [ipv6][:port].
std::string parse_host_port(std::string_view authority, redis_endpoint& endpoint) {
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return "unclosed '[' in the host";
    endpoint.host = std::string(authority.substr(1, close - 1));
    auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return "unexpected text after ']' in the host";
      port = rest.substr(1);
      if (port.empty()) return "empty port";
    }
  } else {
    auto colon = authority.find(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return "empty port";
    }
  }
  if (endpoint.host.empty()) return fmt::format("missing host ({})", usage);
  if (!port.empty()) {
    std::uint16_t value = 0;
    if (!parse_decimal(port, value) || value == 0) {
      return fmt::format("bad port '{}' (expected 1-65535)", port);
    }
    endpoint.port = value;
  }
  return {};
}

std::string parse_db(std::string_view path, redis_endpoint& endpoint) {
  if (path.empty() || path == "/") return {};
  auto digits = path.substr(1);
  if (digits.front() == '+' || digits.front() == '-' || !parse_decimal(digits, endpoint.db)) {
    return fmt::format("bad database '{}' (expected /0, /1, …)", digits);
  }
  return {};
}

}  // namespace

redis_url_result parse_redis_url(std::string_view url) {
  constexpr std::string_view scheme = "redis://";
  if (!starts_with_ignoring_case(url, scheme)) {
    if (starts_with_ignoring_case(url, "rediss://")) {
      return failure("rediss:// (TLS) is not supported; use redis://");
    }
    auto end = url.find("://");
    if (end != std::string_view::npos && end < 16) {
      return failure(fmt::format("unsupported scheme '{}' ({})", url.substr(0, end), usage));
    }
    return failure(std::string(usage));
  }
  auto rest = url.substr(scheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return failure("query parameters and fragments are not supported (" + std::string(usage) + ")");
  }
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  auto path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);

  redis_url_result result;
  std::string error;
  auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    error = parse_userinfo(authority.substr(0, at), result.endpoint);
    authority = authority.substr(at + 1);
  }
  if (error.empty()) error = parse_host_port(authority, result.endpoint);
  if (error.empty()) error = parse_db(path, result.endpoint);
  if (!error.empty()) return failure(std::move(error));
  return result;
}

std::string to_log_string(const redis_endpoint& endpoint) {
  std::string auth;
  if (!endpoint.password.empty()) auth = endpoint.user + ":***@";
  bool ipv6 = endpoint.host.find(':') != std::string::npos;
  return fmt::format("redis://{}{}{}{}:{}/{}", auth, ipv6 ? "[" : "", endpoint.host,
                     ipv6 ? "]" : "", endpoint.port, endpoint.db);
}

}  // namespace chorus::server::cluster
