#include "server/chat/chat_app.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <boost/asio/post.hpp>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "server/chat/chat_json.hpp"
#include "server/chat/history.hpp"
#include "server/chat/presence_service.hpp"
#include "server/guard/jwt.hpp"
#include "server/guard/token_bucket.hpp"
#include "server/socketio/broadcast_operator.hpp"
#include "server/socketio/event.hpp"
#include "server/socketio/socket.hpp"

namespace chorus::server::chat {
namespace {

using socketio::event;
using socketio::socket;

constexpr std::string_view invalid_message = R"({"msg":"Invalid message"})";
constexpr std::string_view handler_failed = R"({"msg":"An error occurred"})";
constexpr std::string_view rate_limited = R"({"msg":"Rate limit exceeded"})";
constexpr std::string_view server_busy = R"({"msg":"Server busy"})";
constexpr std::string_view not_stored = R"({"msg":"Message not stored"})";
constexpr std::string_view too_many_rooms = R"({"msg":"Too many rooms"})";
constexpr std::string_view user_not_found = R"({"msg":"User not found"})";
// The only refusal a client gets for a bad token, whatever was wrong with it.
constexpr const char* not_authorized = "Not authorized";

// What the chat remembers of a connection. Lives in socket::data(), so only its shard touches it.
struct chat_user {
  std::string username;  // empty until `join`
  guard::token_bucket bucket;
  guard::token_bucket typing_bucket;  // typing has its own: dropping it costs nothing
  std::map<std::string, std::string, std::less<>> rooms;  // joined room -> username given there
  std::string verified_name;  // the JWT's sub (or name), when one was required
};

// Shared by every handler on every shard; presence and history lock inside (or hand the work
// to a thread of their own).
struct chat_state {
  chat_state(const chat_options& options, chat::history& history, presence_service& people)
      : options(options), history(history), people(people) {}
  chat_options options;
  chat::history& history;
  presence_service& people;
};
using state_ptr = std::shared_ptr<chat_state>;

// A connection recovered on another node brings socket.data only (the JSON remember() kept):
// its name and rooms come back from it, each within the limits a join would have checked.
void recall(std::string_view data_json, const chat_options& options, chat_user& user) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object data, rooms;
  std::string_view username;
  if (parser.parse(data_json).get_object().get(data) ||
      data["username"].get_string().get(username) || username.size() > options.max_username ||
      data["rooms"].get_object().get(rooms) || rooms.size() > options.max_rooms)
    return;
  std::map<std::string, std::string, std::less<>> kept;
  for (auto [room, name_value] : rooms) {
    std::string_view name;
    if (room.empty() || room.size() > options.max_room || name_value.get_string().get(name) ||
        name.empty() || name.size() > options.max_username)
      return;
    kept.emplace(std::string(room), std::string(name));
  }
  user.username = std::string(username);
  user.rooms = std::move(kept);
}

chat_user& user_of(socket& s, const chat_options& options) {
  if (!s.data().has_value()) {
    chat_user user{{},
                   guard::token_bucket(options.rate_limit),
                   guard::token_bucket(options.rate_limit),
                   {},
                   {}};
    if (s.recovered()) recall(s.data_json(), options, user);
    s.data() = std::move(user);
  }
  return std::any_cast<chat_user&>(s.data());
}

// Keeps socket.data in step with the name and rooms: what recall() reads on another node.
void remember(socket& s, const chat_user& user) {
  s.set_data_json(json::socket_data(user.username, user.rooms));
}

std::string_view display_name(socket& s, const chat_options& options) {
  const std::string& name = user_of(s, options).username;
  return name.empty() ? std::string_view("Anonymous") : std::string_view(name);
}

std::string user_room(std::string_view username) {
  return fmt::format("{}{}", user_room_prefix, username);
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

// The name a client goes by in `ev`: its token's, when it connected with one (the payload's
// `username` is then ignored, so no one can speak as another), else the payload's.
std::optional<std::string_view> claimed_name(socket& s, const event& ev,
                                             const chat_options& options) {
  const chat_user& user = user_of(s, options);
  if (!user.verified_name.empty()) return std::string_view(user.verified_name);
  return text_field(ev, "username", options.max_username);
}

// The `room` field, unless it names a user's private room.
std::optional<std::string_view> room_field(const event& ev, const chat_options& options) {
  auto room = text_field(ev, "room", options.max_room);
  if (room && room->starts_with(user_room_prefix)) return std::nullopt;
  return room;
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

// Sends `history` for a room ("" is the lobby): at once from memory, or once the store has
// loaded it, back on the socket's shard; "Server busy" when it could not be read.
void send_history(socket& s, const state_ptr& state, std::string room) {
  auto loaded = [executor = s.executor(), weak = s.weak_from_this(), state,
                 room](std::optional<std::vector<message_ptr>> messages) {
    boost::asio::post(executor, [weak, state, room, messages = std::move(messages)] {
      auto alive = weak.lock();
      if (!alive || !alive->connected()) return;
      // Left the room meanwhile: its history is no longer wanted.
      if (!room.empty() && !user_of(*alive, state->options).rooms.contains(room)) return;
      if (!messages) return alive->emit("error", server_busy);
      alive->emit("history", json::history(room, *messages));
    });
  };
  auto found = state->history.recent(room, std::move(loaded));
  if (found.status == history::lookup::cached)
    s.emit("history", json::history(room, found.messages));
  else if (found.status == history::lookup::busy)
    s.emit("error", server_busy);
}

// Stores a message and sends `payload` as `message` to `audience`: at once when the history
// shows a message from the moment it is accepted, else once it is stored, so that whoever has
// seen a message finds it in the history of any node. An ack, when asked for, goes out once it
// is stored; "Server busy" when the store takes no more, "Message not stored" when the write
// failed (asked for an ack, or the message was waiting for it to be broadcast).
void store_and_send(socket& s, const event& ev, chat_state& state, std::string_view room,
                    std::string_view username, std::string_view message, const std::string& time,
                    socketio::broadcast_operator audience, std::string payload) {
  bool at_once = state.history.shows_accepted();
  history::stored_callback on_stored;
  if (ev.wants_ack() || !at_once) {
    std::optional<socketio::broadcast_operator> later;
    if (!at_once) later.emplace(audience);
    on_stored = [executor = s.executor(), weak = s.weak_from_this(), ack = ev.ack_sender_ref(),
                 time, later = std::move(later), payload](std::int64_t id, bool stored) {
      boost::asio::post(executor, [weak, ack, time, later, payload, id, stored] {
        // Stored: everyone gets it, even when its sender has gone meanwhile.
        if (stored && later) later->emit("message", payload);
        auto alive = weak.lock();
        if (!alive || !alive->connected()) return;
        if (!stored)
          alive->emit("error", not_stored);
        else if (ack)
          ack(json::stored_ack(id, time));
      });
    };
  }
  if (!state.history.add(room, username, message, time, std::move(on_stored)))
    return s.emit("error", server_busy);
  if (at_once) audience.emit("message", payload);
}

// Sends a room's roster, when there is one, to everyone in it.
presence_service::roster_callback users_to(socket& s, std::string_view room) {
  return [audience = s.broadcast(true).to(std::string(room)),
          room = std::string(room)](std::optional<presence::roster> roster) {
    if (roster) audience.emit("users", json::users(room, *roster));
  };
}

void ignore_done(bool) {}

void on_join(socket& s, const event& ev, const state_ptr& state) {
  const chat_options& options = state->options;
  auto username = claimed_name(s, ev, options);
  if (!username) return s.emit("error", invalid_message);
  chat_user& user = user_of(s, options);
  if (user.username != *username) {
    if (!user.username.empty()) {
      s.leave(user_room(user.username));
      state->people.sign_out(s.executor(), user.username, ignore_done);
    }
    user.username = std::string(*username);
    remember(s, user);
    s.join(user_room(user.username));
    send_history(s, state, "");
    // Announced once signed in (in a cluster: once every node can find the user).
    state->people.sign_in(
        s.executor(), user.username,
        [audience = s.broadcast(true), status = json::status(fmt::format("{} joined!", *username))](
            bool) { audience.emit("status", status); });
    return;
  }
  send_history(s, state, "");
  s.broadcast(true).emit("status", json::status(fmt::format("{} joined!", *username)));
}

void on_message(socket& s, const event& ev, const state_ptr& state) {
  const chat_options& options = state->options;
  auto message = text_field(ev, "message", options.max_message);
  if (!message) return s.emit("error", invalid_message);
  std::string time = timestamp();
  std::string_view username = display_name(s, options);
  store_and_send(s, ev, *state, "", username, *message, time, s.broadcast(true),
                 json::lobby_message(username, *message, time));
}

void on_join_room(socket& s, const event& ev, const state_ptr& state) {
  const chat_options& options = state->options;
  auto room = room_field(ev, options);
  auto username = claimed_name(s, ev, options);
  if (!room || !username) return s.emit("error", invalid_message);
  chat_user& user = user_of(s, options);
  auto joined = user.rooms.find(*room);
  if (joined == user.rooms.end() && user.rooms.size() >= options.max_rooms)
    return s.emit("error", too_many_rooms);
  s.join(*room);
  bool is_new = joined == user.rooms.end();
  if (is_new) user.rooms.emplace(std::string(*room), std::string(*username));
  // History before the roster and the status, as on one node before presence was a service.
  send_history(s, state, std::string(*room));
  auto ex = s.executor();
  if (is_new) {
    state->people.enter(ex, std::string(*room), std::string(*username), users_to(s, *room));
    remember(s, user);
  } else if (joined->second != *username) {
    state->people.leave(ex, std::string(*room), joined->second, [](auto) {});
    joined->second = std::string(*username);
    remember(s, user);
    state->people.enter(ex, std::string(*room), std::string(*username), users_to(s, *room));
  } else {
    state->people.users(ex, std::string(*room), users_to(s, *room));
  }
  s.broadcast(true)
      .to(std::string(*room))
      .emit("status", json::status(fmt::format("{} joined room {}", *username, *room)));
}

void on_leave_room(socket& s, const event& ev, const state_ptr& state) {
  const chat_options& options = state->options;
  auto room = room_field(ev, options);
  auto username = claimed_name(s, ev, options);
  if (!room || !username) return s.emit("error", invalid_message);
  s.leave(*room);
  chat_user& user = user_of(s, options);
  if (auto joined = user.rooms.find(*room); joined != user.rooms.end()) {
    state->people.leave(s.executor(), std::string(*room), joined->second, users_to(s, *room));
    user.rooms.erase(joined);
    remember(s, user);
  }
  s.broadcast(true)
      .to(std::string(*room))
      .emit("status", json::status(fmt::format("{} left room {}", *username, *room)));
}

void on_room_message(socket& s, const event& ev, const state_ptr& state) {
  const chat_options& options = state->options;
  auto room = room_field(ev, options);
  auto message = text_field(ev, "message", options.max_message);
  if (!room || !message) return s.emit("error", invalid_message);
  std::string time = timestamp();
  std::string_view username = display_name(s, options);
  store_and_send(s, ev, *state, *room, username, *message, time,
                 s.broadcast(true).to(std::string(*room)),
                 json::room_message(*message, username, *room, time));
}

// Volatile, to the room without the sender, under the name given in that room when there is one.
// Past the typing rate it is dropped without an answer (before validation, so a flood of bad
// ones gets no flood of errors either).
void on_typing(socket& s, const event& ev, const state_ptr& state) {
  const chat_options& options = state->options;
  chat_user& user = user_of(s, options);
  if (!user.typing_bucket.try_take()) return;
  auto room = room_field(ev, options);
  if (!room) return s.emit("error", invalid_message);
  auto joined = user.rooms.find(*room);
  std::string_view username =
      joined != user.rooms.end() ? std::string_view(joined->second) : display_name(s, options);
  s.to(std::string(*room)).as_volatile().emit("typing", json::typing(*room, username));
}

// To every socket signed in under `to` (on any shard), from the sender's `join` name.
void on_private_message(socket& s, const event& ev, const state_ptr& state) {
  const chat_options& options = state->options;
  auto to = text_field(ev, "to", options.max_username);
  auto message = text_field(ev, "message", options.max_message);
  if (!to || !message) return s.emit("error", invalid_message);
  std::string time = timestamp();
  // Sent once `to` is known to be online (in a cluster, on some node: an answer from Redis).
  state->people.online(
      s.executor(), std::string(*to),
      [weak = s.weak_from_this(), audience = s.broadcast(true).to(user_room(*to)),
       payload = json::private_message(display_name(s, options), *to, *message, time),
       ack = ev.ack_sender_ref(), time](std::optional<bool> online) {
        auto alive = weak.lock();
        if (!alive || !alive->connected()) return;
        if (!online) return alive->emit("error", server_busy);
        if (!*online) return alive->emit("error", user_not_found);
        audience.emit("private_message", payload);
        if (ack) ack(json::sent_ack(time), {});
      });
}

void on_connection(socket& s, const state_ptr& state) {
  if (!s.recovered()) return s.emit("status", R"({"msg":"Connected to chat!"})");
  // Back within the recovery window with its name and rooms, which the page does not send again;
  // the disconnect handler signed it out and left its rooms, so presence comes back here.
  chat_user& user = user_of(s, state->options);
  if (!user.username.empty())
    state->people.sign_in(
        s.executor(), user.username,
        [audience = s.broadcast(), status = json::status(fmt::format("{} is back", user.username))](
            bool) { audience.emit("status", status); });
  for (const auto& [room, username] : user.rooms)
    state->people.enter(s.executor(), room, username, users_to(s, room));
}

void on_disconnect(socket& s, const state_ptr& state) {
  chat_user& user = user_of(s, state->options);
  if (!user.username.empty()) {
    // Announced once signed out (in a cluster: once no node finds the user through this one).
    state->people.sign_out(s.executor(), user.username,
                           [audience = s.broadcast(), payload = json::user_left(user.username)](
                               bool) { audience.emit("user_left", payload); });
  }
  for (const auto& [room, username] : user.rooms)
    state->people.leave(s.executor(), room, username, users_to(s, room));
  user.rooms.clear();
}

// With a JWT secret, a CONNECT gets in only with a valid HS256 token in auth.token naming a
// user (sub or name, at most max_username bytes); the client learns nothing of what was wrong.
socketio::namespace_handlers::middleware require_jwt(const chat_options& options) {
  return [options](socket& s, simdjson::dom::element auth) -> std::optional<std::string> {
    std::string_view token;
    if (auth["token"].get_string().get(token)) return not_authorized;
    auto verified = guard::verify_jwt_hs256(token, options.jwt_secret, std::time(nullptr));
    if (!verified.ok() || verified.subject.empty() ||
        verified.subject.size() > options.max_username)
      return not_authorized;
    user_of(s, options).verified_name = std::move(verified.subject);
    return std::nullopt;
  };
}

// Binds a handler to the shared state (a plain function, so no capturing coroutine lambdas).
template <class Handler>
auto with_state(const state_ptr& state, Handler handler) {
  return [state, handler](socket& s, const event& ev) { handler(s, ev, state); };
}

void register_main(socketio::namespace_handlers& ns, const state_ptr& state) {
  const chat_options& options = state->options;
  ns.on_connection([state](socket& s) { on_connection(s, state); });
  ns.on_disconnect([state](socket& s, disconnect_reason) { on_disconnect(s, state); });
  ns.on_error(
      [](socket& s, const event&, const std::exception&) { s.emit("error", handler_failed); });
  ns.on("join", limited(options, with_state(state, on_join)));
  ns.on("message", limited(options, with_state(state, on_message)));
  ns.on("join_room", limited(options, with_state(state, on_join_room)));
  ns.on("leave_room", limited(options, with_state(state, on_leave_room)));
  ns.on("room_message", limited(options, with_state(state, on_room_message)));
  ns.on("private_message", limited(options, with_state(state, on_private_message)));
  ns.on("typing", with_state(state, on_typing));
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

void register_chat(socketio::application& app, const chat_options& options, chat::history& history,
                   presence_service& people) {
  auto state = std::make_shared<chat_state>(options, history, people);
  register_main(app.of("/"), state);
  register_echo_namespace(app.of("/chat"), "response", options);
  register_echo_namespace(app.of("/notifications"), "alert", options);
  if (!options.jwt_secret.empty())
    for (const char* nsp : {"/", "/chat", "/notifications"}) app.of(nsp).use(require_jwt(options));
}

}  // namespace chorus::server::chat
