// The connection counts: exact, given back once however a slot moves, bounded per-address table.
#include "server/guard/connection_guard.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace chorus::server::guard {
namespace {

namespace ip = boost::asio::ip;
using namespace std::chrono_literals;

const ip::address one = ip::make_address("10.0.0.1");
const ip::address two = ip::make_address("10.0.0.2");

TEST(connection_guard, counts_the_total_and_refuses_past_it) {
  connection_guard guard({.max_connections = 2});
  admission verdict{};
  auto a = guard.admit(one, verdict);
  auto b = guard.admit(two, verdict);
  EXPECT_EQ(verdict, admission::admitted);
  auto c = guard.admit(one, verdict);
  EXPECT_FALSE(c);
  EXPECT_EQ(verdict, admission::too_many_connections);
  EXPECT_EQ(guard.open_connections(), 2u);
  a.release();
  EXPECT_EQ(guard.open_connections(), 1u);
  EXPECT_TRUE(guard.admit(one, verdict));  // a temporary: given back at once
  EXPECT_EQ(guard.open_connections(), 1u);
}

TEST(connection_guard, a_slot_is_given_back_exactly_once_however_it_moves) {
  connection_guard guard({.max_connections = 10, .max_per_address = 10});
  admission verdict{};
  {
    auto first = guard.admit(one, verdict);
    connection_slot moved = std::move(first);
    connection_slot assigned;
    assigned = std::move(moved);
    EXPECT_FALSE(first);
    EXPECT_FALSE(moved);
    EXPECT_TRUE(assigned);
    EXPECT_EQ(guard.open_connections(), 1u);
    assigned.release();
    assigned.release();
    EXPECT_EQ(guard.open_connections(), 0u);
    auto second = guard.admit(one, verdict);
    second = guard.admit(two, verdict);  // the first is given back by the assignment
    EXPECT_EQ(guard.open_connections(), 1u);
  }
  EXPECT_EQ(guard.open_connections(), 0u);
  // Ten from one address fit again: nothing was given back twice or kept.
  std::vector<connection_slot> held;
  for (int i = 0; i < 10; ++i) held.push_back(guard.admit(one, verdict));
  EXPECT_FALSE(guard.admit(one, verdict));
  EXPECT_EQ(verdict, admission::too_many_connections);
}

TEST(connection_guard, limits_each_address_on_its_own) {
  connection_guard guard({.max_connections = 100, .max_per_address = 2});
  admission verdict{};
  auto a = guard.admit(one, verdict);
  auto b = guard.admit(one, verdict);
  auto c = guard.admit(one, verdict);
  EXPECT_FALSE(c);
  EXPECT_EQ(verdict, admission::too_many_from_address);
  EXPECT_TRUE(guard.admit(two, verdict));
  EXPECT_EQ(guard.open_connections(), 2u);
  // An IPv4-mapped IPv6 address is the same client.
  EXPECT_FALSE(guard.admit(ip::make_address("::ffff:10.0.0.1"), verdict));
  b.release();
  EXPECT_TRUE(guard.admit(ip::make_address("::ffff:10.0.0.1"), verdict));
}

TEST(connection_guard, rates_handshakes_per_address) {
  connection_guard guard({.handshakes_per_second = 2});
  auto t0 = connection_guard::clock::now();
  EXPECT_TRUE(guard.allow_handshake(one, t0));
  EXPECT_TRUE(guard.allow_handshake(one, t0));
  EXPECT_FALSE(guard.allow_handshake(one, t0));
  EXPECT_TRUE(guard.allow_handshake(two, t0));
  EXPECT_TRUE(guard.allow_handshake(one, t0 + 500ms));
  EXPECT_FALSE(guard.allow_handshake(one, t0 + 500ms));
}

TEST(connection_guard, keeps_a_bounded_table_of_idle_addresses) {
  connection_guard guard({.handshakes_per_second = 1, .max_idle_addresses = 64});
  auto t0 = connection_guard::clock::now();
  for (unsigned i = 0; i < 10'000; ++i)
    guard.allow_handshake(ip::address_v4(0x0a000000 + i), t0 + std::chrono::milliseconds(i));
  EXPECT_LE(guard.tracked_addresses(), 64u);
}

TEST(connection_guard, keeps_addresses_with_connections_open) {
  connection_guard guard({.max_per_address = 1, .max_idle_addresses = 16});
  admission verdict{};
  std::vector<connection_slot> held;
  for (unsigned i = 0; i < 100; ++i)
    held.push_back(guard.admit(ip::address_v4(0x0a000000 + i), verdict));
  // More than the idle bound, all with a connection open: none forgotten, each still limited.
  EXPECT_EQ(guard.tracked_addresses(), 100u);
  for (unsigned i = 0; i < 100; ++i)
    EXPECT_FALSE(guard.admit(ip::address_v4(0x0a000000 + i), verdict)) << i;
  held.clear();
  EXPECT_EQ(guard.open_connections(), 0u);
}

TEST(connection_guard, without_per_address_limits_keeps_no_table) {
  connection_guard guard({});
  admission verdict{};
  std::vector<connection_slot> held;
  for (int i = 0; i < 1000; ++i) held.push_back(guard.admit(one, verdict));
  EXPECT_EQ(guard.tracked_addresses(), 0u);
  EXPECT_EQ(guard.open_connections(), 1000u);
}

}  // namespace
}  // namespace chorus::server::guard
