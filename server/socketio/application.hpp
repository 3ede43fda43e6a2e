#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/node_services.hpp"
#include "server/socketio/namespace_handlers.hpp"
#include "server/socketio/socket_observer.hpp"

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

  // A tool watching every socket (the Admin UI's development mode): set before the server
  // starts; one at most. Sockets keep the plain pointer, as the application outlives them.
  void observe(std::shared_ptr<socket_observer> observer) { observer_ = std::move(observer); }
  socket_observer* observer() const { return observer_.get(); }
  // On: every socket's data_json() starts with "_admin":{"clientId","transport"}, as
  // @socket.io/admin-ui keeps socket.data._admin for remote nodes to see. Set before the start.
  void expose_admin_data(bool on) { expose_admin_data_ = on; }
  bool admin_data_exposed() const { return expose_admin_data_; }

 private:
  std::map<std::string, namespace_handlers, std::less<>> namespaces_;
  std::shared_ptr<socket_observer> observer_;
  bool expose_admin_data_ = false;
};

}  // namespace chorus::server::socketio
