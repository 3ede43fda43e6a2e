#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chorus::server::engineio {

// What the request that opened a session carried, kept for socket.io's handshake object
// (socket.handshake: headers, url, query, address, secure). Bounded by the HTTP parser's header
// limit; shared by the session and its sockets, which may outlive it.
struct handshake_request {
  // Names lowercased as Node gives them; a repeated header is one entry, its values joined.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string target;   // the request target, e.g. /socket.io/?EIO=4&transport=polling
  std::string address;  // the client's IP address
  bool secure = false;  // over TLS

  // The value of header `lowercase_name`, or null.
  const std::string* header(std::string_view lowercase_name) const;
  // The query parameters of `target`, percent- and '+'-decoded as Node's querystring does; a
  // repeated name keeps its first value.
  std::vector<std::pair<std::string, std::string>> query() const;
};

}  // namespace chorus::server::engineio
