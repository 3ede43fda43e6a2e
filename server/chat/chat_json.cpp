#include "server/chat/chat_json.hpp"

#include <fmt/format.h>

#include <iterator>

#include "protocol/json/escape.hpp"

namespace chorus::server::chat::json {
namespace {

using protocol::json::append_quoted;

// `"name":` then the quoted text.
void field(std::string& out, std::string_view name, std::string_view text) {
  out += '"';
  out += name;
  out += "\":";
  append_quoted(out, text);
}

void append_lobby_message(std::string& out, std::string_view username, std::string_view message,
                          std::string_view timestamp) {
  field(out, "username", username);
  out += ',';
  field(out, "message", message);
  out += ',';
  field(out, "timestamp", timestamp);
}

void append_room_message(std::string& out, std::string_view message, std::string_view username,
                         std::string_view room, std::string_view timestamp) {
  field(out, "message", message);
  out += ',';
  field(out, "username", username);
  out += ',';
  field(out, "room", room);
  out += ',';
  field(out, "timestamp", timestamp);
}

}  // namespace

std::string status(std::string_view msg) {
  std::string out = "{";
  field(out, "msg", msg);
  out += '}';
  return out;
}

std::string user_left(std::string_view username) {
  std::string out = "{";
  field(out, "username", username);
  out += '}';
  return out;
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
    field(out, "room", room);
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
  field(out, "room", room);
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
  std::string out = "{";
  field(out, "room", room);
  out += ',';
  field(out, "username", username);
  out += '}';
  return out;
}

std::string private_message(std::string_view from, std::string_view to, std::string_view message,
                            std::string_view timestamp) {
  std::string out = "{";
  field(out, "from", from);
  out += ',';
  field(out, "to", to);
  out += ',';
  field(out, "message", message);
  out += ',';
  field(out, "timestamp", timestamp);
  out += '}';
  return out;
}

std::string stored_ack(std::int64_t id, std::string_view timestamp) {
  std::string out = fmt::format(R"({{"id":{},)", id);
  field(out, "timestamp", timestamp);
  out += '}';
  return out;
}

std::string sent_ack(std::string_view timestamp) {
  std::string out = "{";
  field(out, "timestamp", timestamp);
  out += '}';
  return out;
}

}  // namespace chorus::server::chat::json
