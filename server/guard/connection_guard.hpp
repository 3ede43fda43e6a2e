#pragma once

#include <array>
#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <unordered_map>

#include "server/guard/token_bucket.hpp"

namespace chorus::server::guard {

struct connection_limits {
  std::size_t max_connections = 0;          // open TCP connections, whole process; 0: no limit
  std::size_t max_per_address = 0;          // open TCP connections from one IP address; 0: no limit
  double handshakes_per_second = 0;         // Engine.IO handshakes per IP address; 0: no limit
  std::size_t max_idle_addresses = 65'536;  // per-address entries kept with nothing open
};

enum class admission { admitted, too_many_connections, too_many_from_address };

class connection_guard;

// An admitted TCP connection's place in the counts. It travels with the socket (across shards,
// into the WebSocket connection) and gives the place back exactly once: on release() or when
// destroyed, whichever comes first.
class connection_slot {
 public:
  connection_slot() = default;
  connection_slot(connection_slot&& other) noexcept { *this = std::move(other); }
  connection_slot& operator=(connection_slot&& other) noexcept;
  ~connection_slot() { release(); }

  void release();
  explicit operator bool() const { return guard_ != nullptr; }
  // The client's address (unspecified for an empty slot).
  const boost::asio::ip::address& address() const { return address_; }

 private:
  friend class connection_guard;
  connection_guard* guard_ = nullptr;
  boost::asio::ip::address address_;
  bool per_address_ = false;
};

// The process's connection counts, shared by every shard: one atomic for the total, and a table
// of IP addresses (split into locked stripes) for the per-address limits. One table for all
// shards keeps the limits exact wherever SO_REUSEPORT lands a connection.
//
// The table is bounded: an address is kept while it has a connection open (at most
// max_connections of those) and, idle, at most max_idle_addresses of them; beyond that the idle
// ones whose bucket has refilled go first, then any idle one.
class connection_guard {
 public:
  using clock = std::chrono::steady_clock;

  explicit connection_guard(connection_limits limits) : limits_(limits) {}
  connection_guard(const connection_guard&) = delete;
  connection_guard& operator=(const connection_guard&) = delete;

  // Counts a new connection from `address`; an empty slot when it is over a limit.
  connection_slot admit(const boost::asio::ip::address& address, admission& verdict);
  // Takes a handshake token for `address`; false when it is over the rate.
  bool allow_handshake(const boost::asio::ip::address& address,
                       clock::time_point now = clock::now());

  std::size_t open_connections() const { return open_.load(std::memory_order_relaxed); }
  std::size_t tracked_addresses();
  const connection_limits& limits() const { return limits_; }

 private:
  friend class connection_slot;
  struct address_state {
    std::size_t open = 0;
    token_bucket handshakes;
    clock::time_point last_used;
  };
  struct stripe {
    std::mutex mutex;
    std::unordered_map<boost::asio::ip::address, address_state> table;
  };

  bool per_address() const { return limits_.max_per_address || limits_.handshakes_per_second > 0; }
  stripe& stripe_of(const boost::asio::ip::address& address);
  // The entry for `address` in its (locked) stripe, making room for it if need be.
  address_state& entry(stripe& s, const boost::asio::ip::address& address, clock::time_point now);
  void release(const connection_slot& slot);

  connection_limits limits_;
  std::atomic<std::size_t> open_{0};
  static constexpr std::size_t stripe_count = 16;
  std::array<stripe, stripe_count> stripes_;
};

// An address as counted: an IPv4-mapped IPv6 address is its IPv4 address.
boost::asio::ip::address canonical_address(const boost::asio::ip::address& address);

}  // namespace chorus::server::guard
