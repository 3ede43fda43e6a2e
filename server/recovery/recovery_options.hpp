#pragma once

#include <chrono>
#include <cstddef>

namespace chorus::server::recovery {

struct recovery_options {
  // How long a disconnected socket's session and the packets it may miss are kept (0: off).
  std::chrono::milliseconds window{0};
  std::size_t max_bytes = std::size_t{64} << 20;  // the packet log, per node
  std::size_t max_sessions = 200'000;
  // Whether a recovered socket skips the namespace's connect middlewares (socket.io's
  // skipMiddlewares; chorus runs them unless told, see docs/OPERATIONS.md).
  bool skip_middlewares = false;
  bool enabled() const { return window.count() > 0; }
};

}  // namespace chorus::server::recovery
