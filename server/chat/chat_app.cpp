#include "server/chat/chat_app.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <ctime>
#include <optional>
#include <string>

#include "protocol/json/escape.hpp"
#include "server/chat/token_bucket.hpp"
#include "server/socketio/event.hpp"
#include "server/socketio/socket.hpp"

namespace chorus::server::chat {
namespace {

using socketio::event;
using socketio::socket;

// A JSON string literal (named apart from std::quoted, which argument lookup would also find).
std::string as_json(std::string_view text) {
  return protocol::json::quoted(text);
}

constexpr std::string_view invalid_message = R"({"msg":"Invalid message"})";
constexpr std::string_view handler_failed = R"({"msg":"An error occurred"})";
constexpr std::string_view rate_limited = R"({"msg":"Rate limit exceeded"})";

// What the chat remembers of a connection.
struct chat_user {
  std::string username;  // empty until `join`
  token_bucket bucket;
};

chat_user& user_of(socket& s, const chat_options& options) {
  if (!s.data().has_value()) s.data() = chat_user{{}, token_bucket(options.rate_limit)};
  return std::any_cast<chat_user&>(s.data());
}

std::string_view display_name(socket& s, const chat_options& options) {
  const std::string& name = user_of(s, options).username;
  return name.empty() ? std::string_view("Anonymous") : std::string_view(name);
}

// HH:MM:SS, local time, as the seed's datetime.now().strftime('%H:%M:%S').
std::string timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[16];
  std::strftime(text, sizeof text, "%H:%M:%S", &local);
  return text;
}

// A string field of the first argument, when it is an object and the field a string of at most
// `max` bytes (and at least one).
std::optional<std::string_view> text_field(const event& ev, const char* name, std::size_t max) {
  if (ev.arg_count() < 1) return std::nullopt;
  auto field = ev.arg(0)[name];
  if (field.error()) return std::nullopt;
  auto text = field.get_string();
  if (text.error() || text.value_unsafe().empty() || text.value_unsafe().size() > max)
    return std::nullopt;
  return text.value_unsafe();
}

std::string status(std::string_view msg) {
  return fmt::format(R"({{"msg":{}}})", as_json(msg));
}

// Wraps a handler with the seed's best practices: the rate limit first, and "An error occurred"
// when it throws (the namespace's error handler).
template <class Handler>
socketio::namespace_handlers::event_handler limited(const chat_options& options, Handler handler) {
  return [options, handler](socket& s, const event& ev) {
    if (!user_of(s, options).bucket.try_take()) return s.emit("error", rate_limited);
    handler(s, ev);
  };
}

void register_main(socketio::namespace_handlers& ns, const chat_options& options) {
  ns.on_connection([](socket& s) { s.emit("status", R"({"msg":"Connected to chat!"})"); });
  ns.on_disconnect([options](socket& s, disconnect_reason) {
    const std::string& name = user_of(s, options).username;
    if (!name.empty())
      s.broadcast().emit("user_left", fmt::format(R"({{"username":{}}})", as_json(name)));
  });
  ns.on_error(
      [](socket& s, const event&, const std::exception&) { s.emit("error", handler_failed); });

  ns.on("join", limited(options, [options](socket& s, const event& ev) {
          auto username = text_field(ev, "username", options.max_username);
          if (!username) return s.emit("error", invalid_message);
          user_of(s, options).username = std::string(*username);
          s.broadcast(true).emit("status", status(fmt::format("{} joined!", *username)));
        }));

  ns.on("message", limited(options, [options](socket& s, const event& ev) {
          auto message = text_field(ev, "message", options.max_message);
          if (!message) return s.emit("error", invalid_message);
          s.broadcast(true).emit(
              "message",
              fmt::format(R"({{"username":{},"message":{},"timestamp":"{}"}})",
                          as_json(display_name(s, options)), as_json(*message), timestamp()));
        }));

  ns.on("join_room", limited(options, [options](socket& s, const event& ev) {
          auto room = text_field(ev, "room", options.max_room);
          auto username = text_field(ev, "username", options.max_username);
          if (!room || !username) return s.emit("error", invalid_message);
          s.join(*room);
          s.broadcast(true)
              .to(std::string(*room))
              .emit("status", status(fmt::format("{} joined room {}", *username, *room)));
        }));

  ns.on("leave_room", limited(options, [options](socket& s, const event& ev) {
          auto room = text_field(ev, "room", options.max_room);
          auto username = text_field(ev, "username", options.max_username);
          if (!room || !username) return s.emit("error", invalid_message);
          s.leave(*room);
          s.broadcast(true)
              .to(std::string(*room))
              .emit("status", status(fmt::format("{} left room {}", *username, *room)));
        }));

  ns.on("room_message", limited(options, [options](socket& s, const event& ev) {
          auto room = text_field(ev, "room", options.max_room);
          auto message = text_field(ev, "message", options.max_message);
          if (!room || !message) return s.emit("error", invalid_message);
          s.broadcast(true)
              .to(std::string(*room))
              .emit("message",
                    fmt::format(R"({{"message":{},"username":{},"room":{},"timestamp":"{}"}})",
                                as_json(*message), as_json(display_name(s, options)),
                                as_json(*room), timestamp()));
        }));
}

// The seed's namespaces: what arrives as `message` goes back to the sender under another name.
void register_echo_namespace(socketio::namespace_handlers& ns, std::string reply,
                             const chat_options& options) {
  ns.on_error(
      [](socket& s, const event&, const std::exception&) { s.emit("error", handler_failed); });
  ns.on("message", limited(options, [reply](socket& s, const event& ev) {
          s.emit(reply, ev.args_json(), ev.attachments());
        }));
}

}  // namespace

void register_chat(socketio::application& app, const chat_options& options) {
  register_main(app.of("/"), options);
  register_echo_namespace(app.of("/chat"), "response", options);
  register_echo_namespace(app.of("/notifications"), "alert", options);
}

}  // namespace chorus::server::chat
