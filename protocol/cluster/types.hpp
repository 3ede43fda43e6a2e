#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chorus::protocol::cluster {

// What the Node.js adapters ship between nodes (SCALEOUT.md §0): broadcast options and an
// EVENT packet whose data is in chorus's form, JSON text with binary as placeholders.

struct broadcast_options {
  std::vector<std::string> rooms;   // empty: every socket of the namespace
  std::vector<std::string> except;  // minus the members of these rooms
  bool is_volatile = false;
  bool compress = false;
  bool local = false;
  std::optional<std::uint64_t> timeout_ms;
};

struct event_packet {
  std::string nsp = "/";
  // The whole data array, e.g. ["ev",1,{"_placeholder":true,"num":0}].
  std::string data_json;
  std::vector<std::string> attachments;
  // The packet has an ack id: socket.io with connection state recovery sends a socket's emit with
  // an ack through the adapter too (to the socket's own room), and never stores it.
  bool has_ack_id = false;
};

// Bounds: a message past them is refused with an error.
// Rooms in broadcast options (rooms, except) and in a join or leave.
inline constexpr std::size_t max_rooms = 10'000;
// Entries of a list that answers for a whole node: the rooms of an ALL_ROOMS answer (every
// socket's own room among them), the sids of a SOCKETS answer.
inline constexpr std::size_t max_node_entries = 1'000'000;

}  // namespace chorus::protocol::cluster
