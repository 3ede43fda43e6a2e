#include "server/chat/chat_json.hpp"

#include <fmt/format.h>

#include <initializer_list>
#include <iterator>
#include <utility>

#include "protocol/json/escape.hpp"

namespace chorus::server::chat::json {
namespace {

using protocol::json::append_quoted;

using text_field = std::pair<std::string_view, std::string_view>;

// `"name":"text",…` for each field, every text escaped.
void append_fields(std::string& out, std::initializer_list<text_field> fields) {
  bool first = true;
  for (const auto& [name, text] : fields) {
    if (!first) out += ',';
    first = false;
    out += '"';
    out += name;
    out += "\":";
    append_quoted(out, text);
  }
}

// {"name":"text",…}
std::string object(std::initializer_list<text_field> fields) {
  std::string out = "{";
  append_fields(out, fields);
  out += '}';
  return out;
}

void append_lobby_message(std::string& out, std::string_view username, std::string_view message,
                          std::string_view timestamp) {
  append_fields(out, {{"username", username}, {"message", message}, {"timestamp", timestamp}});
}

void append_room_message(std::string& out, std::string_view message, std::string_view username,
                         std::string_view room, std::string_view timestamp) {
  append_fields(
      out,
      {{"message", message}, {"username", username}, {"room", room}, {"timestamp", timestamp}});
}

}  // namespace

std::string status(std::string_view msg) {
  return object({{"msg", msg}});
}

std::string user_left(std::string_view username) {
  return object({{"username", username}});
}

std::string lobby_message(std::string_view username, std::string_view message,
                          std::string_view timestamp) {
  std::string out = "{";
  append_lobby_message(out, username, message, timestamp);
  out += '}';
  return out;
}

std::string room_message(std::string_view message, std::string_view username, std::string_view room,
                         std::string_view timestamp) {
  std::string out = "{";
  append_room_message(out, message, username, room, timestamp);
  out += '}';
  return out;
}

std::string history(std::string_view room, const std::vector<message_ptr>& messages) {
  std::string out = "{";
  if (!room.empty()) {
    append_fields(out, {{"room", room}});
    out += ',';
  }
  out += "\"messages\":[";
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const stored_message& m = *messages[i];
    if (i) out += ',';
    fmt::format_to(std::back_inserter(out), R"({{"id":{},)", m.id);
    if (room.empty())
      append_lobby_message(out, m.username, m.message, m.timestamp);
    else
      append_room_message(out, m.message, m.username, m.room, m.timestamp);
    out += '}';
  }
  out += "]}";
  return out;
}

std::string users(std::string_view room, const presence::roster& roster) {
  std::string out = "{";
  append_fields(out, {{"room", room}});
  out += ",\"users\":[";
  for (std::size_t i = 0; i < roster.users.size(); ++i) {
    if (i) out += ',';
    append_quoted(out, roster.users[i]);
  }
  fmt::format_to(std::back_inserter(out), R"(],"count":{},"version":{}}})", roster.count,
                 roster.version);
  return out;
}

std::string typing(std::string_view room, std::string_view username) {
  return object({{"room", room}, {"username", username}});
}

std::string private_message(std::string_view from, std::string_view to, std::string_view message,
                            std::string_view timestamp) {
  return object({{"from", from}, {"to", to}, {"message", message}, {"timestamp", timestamp}});
}

std::string stored_ack(std::int64_t id, std::string_view timestamp) {
  std::string out = fmt::format(R"({{"id":{},)", id);
  append_fields(out, {{"timestamp", timestamp}});
  out += '}';
  return out;
}

std::string sent_ack(std::string_view timestamp) {
  return object({{"timestamp", timestamp}});
}

std::string socket_data(std::string_view username,
                        const std::map<std::string, std::string, std::less<>>& rooms) {
  std::string out = R"({"username":)";
  append_quoted(out, username);
  out += R"(,"rooms":{)";
  bool first = true;
  for (const auto& [room, name] : rooms) {
    if (!first) out += ',';
    first = false;
    append_quoted(out, room);
    out += ':';
    append_quoted(out, name);
  }
  out += "}}";
  return out;
}

}  // namespace chorus::server::chat::json
