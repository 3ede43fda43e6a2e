#pragma once

#include <string_view>

#include "server/asio.hpp"
#include "server/guard/connection_guard.hpp"

namespace chorus::server::guard {

// What a refused client reads: "Too many connections", "Too many connections from this address".
std::string_view refusal_message(admission verdict);

// Answers a just-accepted connection that is over a limit with "503 Service Unavailable" and
// `message`, before reading anything, then closes it. What the client already sent is read and
// dropped for up to a second, so the close does not reset the answer away.
void refuse_connection(tcp::socket socket, std::string_view message);

}  // namespace chorus::server::guard
