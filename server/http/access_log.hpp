#pragma once

#include <spdlog/common.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class async_logger;
namespace details {
class thread_pool;
}
}  // namespace spdlog

namespace chorus::server::http {

// One handled HTTP request, as the access log records it.
struct access_entry {
  std::string_view remote;  // "address:port"
  std::string_view method;
  std::string_view target;  // as received; written through loggable_target
  unsigned status = 0;
  std::size_t bytes = 0;                 // response bytes written, header included
  std::chrono::microseconds duration{};  // from the request's header read to the response written
  std::string_view transport;            // polling, websocket, or "-" outside Engine.IO
};

// The request target as logged: the path, and of the query only EIO, transport and sid (a
// session id is needed to follow a client; anything else — tokens, auth — stays out).
std::string loggable_target(std::string_view target);

// The HTTP access log: a line per request, text or JSON. Lines are formatted on the caller's
// thread and written by a background thread through a bounded queue that drops the oldest line
// when full, so a slow disk never stalls a shard.
class access_log {
 public:
  access_log(spdlog::sink_ptr sink, bool json);
  ~access_log();  // writes what is queued
  access_log(const access_log&) = delete;
  access_log& operator=(const access_log&) = delete;

  void write(const access_entry& entry) const;

 private:
  std::shared_ptr<spdlog::details::thread_pool> pool_;  // let go of first: it drains the queue
  std::shared_ptr<spdlog::async_logger> logger_;
  bool json_;
};

}  // namespace chorus::server::http
