#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/fanout/socket_description.hpp"

namespace chorus::server::admin {

// The JSON of @socket.io/admin-ui's messages (lib/typed-events.ts), built without I/O.

struct namespace_count {
  std::string name;
  std::size_t sockets = 0;
};

struct server_stats {
  std::string server_id;
  std::string hostname;
  long pid = 0;
  double uptime_seconds = 0;
  std::uint64_t clients = 0;          // Engine.IO connections on this node
  std::uint64_t polling_clients = 0;  // of them, on long-polling
  std::string aggregated_events_json;
  std::vector<namespace_count> namespaces;
};

std::string server_stats_json(const server_stats& stats);

// A socket as the UI lists it (SerializedSocket): {id, clientId, transport, nsp, data,
// handshake: {address, headers, query, issued, secure, time, url, xdomain}, rooms}. From what
// fetchSockets gives on any node: clientId and transport come from data._admin, which is then
// left out of data; the address prefers cf-connecting-ip, then x-forwarded-for's first entry,
// as the UI's server does. Fields the socket lacks are left out.
std::string serialized_socket_json(std::string_view nsp, const fanout::socket_description& s);

// The event arguments of the development-mode reports: a date is JSON.stringify of a Date.
std::string iso_date_json(std::int64_t ms_since_epoch);

}  // namespace chorus::server::admin
