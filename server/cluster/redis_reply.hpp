#pragma once

#include <string>
#include <utility>
#include <vector>

namespace chorus::server::cluster {

// One RESP2 reply, copied out of hiredis's reader into owned memory.
struct redis_reply {
  enum class kind { string, status, error, integer, nil, array };
  kind type = kind::nil;
  std::string str;  // string, status, error
  long long integer = 0;
  std::vector<redis_reply> elements;  // array

  bool is_error() const { return type == kind::error; }

  static redis_reply error(std::string message) {
    redis_reply reply;
    reply.type = kind::error;
    reply.str = std::move(message);
    return reply;
  }
};

}  // namespace chorus::server::cluster
