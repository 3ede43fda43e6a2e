#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "server/chat/history.hpp"
#include "server/chat/presence.hpp"

// The chat's payloads, as JSON text for socket::emit. Field order is the seed's where it had the
// event; every string is escaped.
namespace chorus::server::chat::json {

// {"msg":…}
std::string status(std::string_view msg);
// `user_left`: {"username"}.
std::string user_left(std::string_view username);
// The main `message` event: {"username","message","timestamp"}.
std::string lobby_message(std::string_view username, std::string_view message,
                          std::string_view timestamp);
// `message` in a room: {"message","username","room","timestamp"}.
std::string room_message(std::string_view message, std::string_view username, std::string_view room,
                         std::string_view timestamp);
// `history`: {"messages":[…]} for the lobby (room ""), {"room","messages":[…]} for a room; each
// message as its live event plus "id", oldest first.
std::string history(std::string_view room, const std::vector<message_ptr>& messages);
// `users`: {"room","users":[…],"count","version"}.
std::string users(std::string_view room, const presence::roster& roster);
// `typing`: {"room","username"}.
std::string typing(std::string_view room, std::string_view username);
// `private_message`: {"from","to","message","timestamp"}.
std::string private_message(std::string_view from, std::string_view to, std::string_view message,
                            std::string_view timestamp);
// The ack of a stored message: {"id","timestamp"}.
std::string stored_ack(std::int64_t id, std::string_view timestamp);
// The ack of a private message: {"timestamp"}.
std::string sent_ack(std::string_view timestamp);
// What a connection keeps as socket.data, for connection state recovery on another node (and
// fetchSockets): {"username","rooms":{room: name given there}}.
std::string socket_data(std::string_view username,
                        const std::map<std::string, std::string, std::less<>>& rooms);

}  // namespace chorus::server::chat::json
