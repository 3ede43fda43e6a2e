#pragma once

// What the room scenarios (fanout, churn, idle with rooms) share: room names, the join and its
// confirmation, and the header every message's payload starts with, "#<publisher>:<seq>:<send
// time ns>#", from which a receiver counts, orders and times deliveries.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bench/client/connection.hpp"
#include "bench/client/scenario.hpp"

namespace chorus::bench {

std::int64_t now_ns();  // steady clock

std::string room_name(unsigned room);

// Names the connection ("u<id>"), puts it in `room` and prepares its join confirmation text.
void assign_room(const bench_options& o, connection& c, unsigned room);

// Sends the join template for the connection's room. True when no confirmation is awaited
// (empty --joined-text, or no join at all: empty --join-template): the connection is in the room
// now.
bool send_join(worker_api& api, const connection_ptr& c);

// Whether `data` is the `status` event that confirms this connection's join.
bool confirms_join(const connection& c, std::string_view data);

struct delivery_header {
  std::uint64_t publisher = 0;
  std::uint64_t seq = 0;
  std::int64_t sent_ns = 0;
};

// The header of the first "#…#" in `data`, if well-formed.
std::optional<delivery_header> parse_delivery(std::string_view data);

// A payload of `size` bytes (at least the header) carrying the header.
void make_payload(std::string& out, std::uint64_t publisher, std::uint64_t seq, std::size_t size);

// Records a delivery at subscriber `c`: latency, count, order (against c.expected, indexed by
// the publisher's position in its room). False (after fail()) when it names no publisher of
// the room.
bool record_delivery(worker_api& api, connection& c, const delivery_header& d);

}  // namespace chorus::bench
