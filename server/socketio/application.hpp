#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/node_services.hpp"
#include "server/socketio/namespace_handlers.hpp"

namespace chorus::server::socketio {

// A Socket.IO application: its namespaces and their handlers. Register everything, then hand
// `handler_factory()` to the server.
class application {
 public:
  // The handlers of a namespace, created on first use ("/" is the main namespace).
  namespace_handlers& of(std::string_view nsp);
  const namespace_handlers* find(std::string_view nsp) const;
  // Every namespace registered so far (a cluster adapter subscribes to each one's channels).
  std::vector<std::string> namespace_names() const;

  session_handler_factory handler_factory() const;

 private:
  std::map<std::string, namespace_handlers, std::less<>> namespaces_;
};

}  // namespace chorus::server::socketio
