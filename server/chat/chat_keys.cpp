#include "server/chat/chat_keys.hpp"

#include <fmt/format.h>

namespace chorus::server::chat::keys {

std::string history(std::string_view prefix, std::string_view room) {
  return fmt::format("{}#chat#history#{}", prefix, room);
}

std::string message_id(std::string_view prefix) {
  return fmt::format("{}#chat#message-id", prefix);
}

std::string room_presence(std::string_view prefix, std::string_view room) {
  return fmt::format("{}#chat#room#{}", prefix, room);
}

std::string user_presence(std::string_view prefix, std::string_view username) {
  return fmt::format("{}#chat#user#{}", prefix, username);
}

std::string presence_version(std::string_view prefix) {
  return fmt::format("{}#chat#presence-version", prefix);
}

std::string node_prefix(std::string_view prefix) {
  return fmt::format("{}#chat#node#", prefix);
}

std::string room_field(std::string_view node, std::string_view username) {
  return fmt::format("{}:{}", node, username);
}

}  // namespace chorus::server::chat::keys
