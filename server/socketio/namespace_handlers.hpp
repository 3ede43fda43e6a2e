#pragma once

#include <simdjson.h>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/asio.hpp"
#include "server/disconnect_reason.hpp"
#include "server/socketio/server_event.hpp"
#include "server/string_hash.hpp"

namespace chorus::server::socketio {

class socket;
class event;

// What an application registers for one namespace, as directly as Flask-SocketIO's decorators.
// Filled in before the server starts; read-only (and so shared by every shard) afterwards.
class namespace_handlers {
 public:
  // Connect middleware (socket.io's `io.of(nsp).use(fn)`): runs, in the order added, on each
  // CONNECT to the namespace, before the socket joins it. `auth` is the CONNECT's auth payload
  // (`{}` when the client sent none; it may be any JSON value, so check its type). Return
  // nullopt to let the socket through, or a message to refuse it: the client gets CONNECT_ERROR
  // {"message": <it>} and nothing more, its Engine.IO connection stays open (connect timeout
  // still runs) and the later middlewares and on_connection do not run. A middleware that
  // throws refuses with the exception's what(). The socket is not in the namespace yet: a
  // middleware may read s.id(), s.auth_json() and set s.data() (it is kept if the socket is let
  // through), but must not emit (except through emit_before_connect) or join rooms. Runs on the
  // connection's shard; middlewares are shared by every shard, so what they capture must be
  // read-only or thread-safe.
  using middleware =
      std::function<std::optional<std::string>(socket&, simdjson::dom::element auth)>;
  // Asynchronous connect middleware: as above, but it may suspend (a check that must not stall
  // the shard, e.g. a bcrypt run on another thread). These run after the synchronous ones, in
  // the order added, on the connection's shard; meanwhile the namespace counts as connecting (a
  // second CONNECT to it closes the connection) and the connect timeout still runs. The client
  // keeps the connection's objects alive while one runs, but the connection may have closed by
  // the time it resumes: what it sends then is dropped, and the socket never joins.
  using async_middleware = std::function<awaitable<std::optional<std::string>>(
      std::shared_ptr<socket>, std::string auth_json)>;
  using connection_handler = std::function<void(socket&)>;
  using event_handler = std::function<void(socket&, const event&)>;
  using disconnect_handler = std::function<void(socket&, disconnect_reason)>;
  // Runs when an event handler throws.
  using error_handler = std::function<void(socket&, const event&, const std::exception&)>;
  // An event another node of the cluster sent with serverSideEmit (socket.io's io.on(event)):
  // its arguments as comma-separated JSON, and the reply for the sender's ack. Runs on shard 0.
  using server_event_handler =
      std::function<void(std::string_view args_json, const server_reply& reply)>;

  namespace_handlers& use(middleware check) {
    middlewares_.push_back(std::move(check));
    return *this;
  }
  namespace_handlers& use_async(async_middleware check) {
    async_middlewares_.push_back(std::move(check));
    return *this;
  }
  namespace_handlers& on_connection(connection_handler handler) {
    on_connection_ = std::move(handler);
    return *this;
  }
  namespace_handlers& on(std::string event_name, event_handler handler) {
    events_[std::move(event_name)] = std::move(handler);
    return *this;
  }
  // Catch-all: runs for events that have no handler of their own.
  namespace_handlers& on_any(event_handler handler) {
    on_any_ = std::move(handler);
    return *this;
  }
  namespace_handlers& on_error(error_handler handler) {
    on_error_ = std::move(handler);
    return *this;
  }
  namespace_handlers& on_server_event(std::string event_name, server_event_handler handler) {
    server_events_[std::move(event_name)] = std::move(handler);
    return *this;
  }
  namespace_handlers& on_disconnect(disconnect_handler handler) {
    on_disconnect_ = std::move(handler);
    return *this;
  }

  const std::vector<middleware>& middlewares() const { return middlewares_; }
  const std::vector<async_middleware>& async_middlewares() const { return async_middlewares_; }
  const connection_handler& connection() const { return on_connection_; }
  const event_handler* find(std::string_view event_name) const {
    auto it = events_.find(event_name);
    if (it != events_.end()) return &it->second;
    return on_any_ ? &on_any_ : nullptr;
  }
  const error_handler& error() const { return on_error_; }
  const server_event_handler* find_server_event(std::string_view event_name) const {
    auto it = server_events_.find(event_name);
    return it == server_events_.end() ? nullptr : &it->second;
  }
  const disconnect_handler& disconnect() const { return on_disconnect_; }

 private:
  std::vector<middleware> middlewares_;
  std::vector<async_middleware> async_middlewares_;
  connection_handler on_connection_;
  std::unordered_map<std::string, event_handler, string_hash, std::equal_to<>> events_;
  event_handler on_any_;
  error_handler on_error_;
  disconnect_handler on_disconnect_;
  std::unordered_map<std::string, server_event_handler, string_hash, std::equal_to<>>
      server_events_;
};

}  // namespace chorus::server::socketio
