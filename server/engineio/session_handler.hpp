#pragma once

#include <memory>
#include <string_view>

#include "server/disconnect_reason.hpp"

namespace chorus::server::engineio {

class session;

// The seam between Engine.IO and what runs on top of it (Socket.IO, or the Engine.IO echo
// fixture): Engine.IO knows nothing of namespaces. All calls come on the session's shard.
class session_handler {
 public:
  virtual ~session_handler() = default;
  virtual void on_open(session& s) = 0;
  // One message packet: text (without its '4') or binary bytes. Views are valid during the call.
  virtual void on_message(session& s, std::string_view data, bool binary) = 0;
  virtual void on_close(session& s, disconnect_reason reason) = 0;
  // The session moved from long-polling to WebSocket (s.transport() now says so).
  virtual void on_upgraded(session& s) { (void)s; }
};

}  // namespace chorus::server::engineio
