#pragma once

// RESP2 through hiredis's codec, with no hiredis type in sight: redisFormatCommandArgv formats
// commands, hiredis's redisReader parses replies straight into redis_reply trees. No I/O.
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "server/cluster/redis_reply.hpp"

namespace chorus::server::cluster {

// Appends argv as one RESP command (a multi-bulk of bulk strings) to `out`.
void append_redis_command(std::string& out, std::span<const std::string_view> argv);

struct redis_reader_limits {
  // Unparsed bytes the reader may hold (a reply still arriving); past it the stream fails.
  std::size_t max_buffered_bytes = 64 * 1024 * 1024;
  // Per reply: array elements at every depth, and string bytes.
  std::size_t max_elements = 1024 * 1024;
  std::size_t max_string_bytes = 64 * 1024 * 1024;
};

// hiredis's reply parser. Nesting depth is bounded by hiredis 0.14 itself (7 levels); the
// limits above bound the rest, since hiredis 0.14 has no element or size bound of its own
// (its maxbuf only decides when an idle buffer is released).
class redis_reader {
 public:
  explicit redis_reader(redis_reader_limits limits = {});
  ~redis_reader();
  redis_reader(const redis_reader&) = delete;
  redis_reader& operator=(const redis_reader&) = delete;

  // false once the stream is broken (protocol error, a limit passed): see error().
  bool feed(const char* data, std::size_t size);
  // The next complete reply, or nothing until more bytes arrive (or after an error).
  std::optional<redis_reply> next();
  // Why the stream is broken; empty while it is not.
  const std::string& error() const { return error_; }
  // Bytes fed but not yet consumed by a complete reply.
  std::size_t buffered() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::string error_;
};

}  // namespace chorus::server::cluster
