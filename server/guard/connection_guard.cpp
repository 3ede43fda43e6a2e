#include "server/guard/connection_guard.hpp"

#include <algorithm>
#include <functional>

namespace chorus::server::guard {

namespace ip = boost::asio::ip;

connection_slot& connection_slot::operator=(connection_slot&& other) noexcept {
  if (this != &other) {
    release();
    guard_ = std::exchange(other.guard_, nullptr);
    address_ = other.address_;
    per_address_ = other.per_address_;
  }
  return *this;
}

void connection_slot::release() {
  if (auto* guard = std::exchange(guard_, nullptr)) guard->release(*this);
}

ip::address canonical_address(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  return address;
}

connection_guard::stripe& connection_guard::stripe_of(const ip::address& address) {
  return stripes_[std::hash<ip::address>{}(address) % stripe_count];
}

connection_guard::address_state& connection_guard::entry(stripe& s, const ip::address& address,
                                                         clock::time_point now) {
  auto found = s.table.find(address);
  if (found != s.table.end()) return found->second;
  std::size_t idle_bound = std::max<std::size_t>(1, limits_.max_idle_addresses / stripe_count);
  if (s.table.size() >= idle_bound) {
    // An idle entry whose bucket is full again remembers nothing: drop those first.
    double rate = limits_.handshakes_per_second;
    auto refill = std::chrono::duration_cast<clock::duration>(
        std::chrono::duration<double>(rate > 0 ? std::max(1.0, 1.0 / rate) : 0.0));
    std::erase_if(s.table, [&](const auto& item) {
      return item.second.open == 0 && now - item.second.last_used >= refill;
    });
    if (s.table.size() >= idle_bound)
      std::erase_if(s.table, [](const auto& item) { return item.second.open == 0; });
    // Entries with connections open are kept: there are at most max_connections of them.
  }
  return s.table
      .emplace(address, address_state{0, token_bucket(limits_.handshakes_per_second, now), now})
      .first->second;
}

connection_slot connection_guard::admit(const ip::address& raw, admission& verdict) {
  connection_slot slot;
  std::size_t before = open_.fetch_add(1, std::memory_order_relaxed);
  if (limits_.max_connections && before >= limits_.max_connections) {
    open_.fetch_sub(1, std::memory_order_relaxed);
    verdict = admission::too_many_connections;
    return slot;
  }
  if (per_address()) {
    ip::address address = canonical_address(raw);
    stripe& s = stripe_of(address);
    std::lock_guard lock(s.mutex);
    auto now = clock::now();
    address_state& state = entry(s, address, now);
    if (limits_.max_per_address && state.open >= limits_.max_per_address) {
      open_.fetch_sub(1, std::memory_order_relaxed);
      verdict = admission::too_many_from_address;
      return slot;
    }
    ++state.open;
    state.last_used = now;
    slot.per_address_ = true;
  }
  slot.address_ = canonical_address(raw);
  slot.guard_ = this;
  verdict = admission::admitted;
  return slot;
}

bool connection_guard::allow_handshake(const ip::address& raw, clock::time_point now) {
  if (limits_.handshakes_per_second <= 0) return true;
  ip::address address = canonical_address(raw);
  stripe& s = stripe_of(address);
  std::lock_guard lock(s.mutex);
  address_state& state = entry(s, address, now);
  state.last_used = now;
  return state.handshakes.try_take(now);
}

void connection_guard::release(const connection_slot& slot) {
  open_.fetch_sub(1, std::memory_order_relaxed);
  if (!slot.per_address_) return;
  stripe& s = stripe_of(slot.address_);
  std::lock_guard lock(s.mutex);
  auto found = s.table.find(slot.address_);
  if (found == s.table.end()) return;  // cannot happen: an entry with connections open stays
  --found->second.open;
  found->second.last_used = clock::now();
}

std::size_t connection_guard::tracked_addresses() {
  std::size_t total = 0;
  for (auto& s : stripes_) {
    std::lock_guard lock(s.mutex);
    total += s.table.size();
  }
  return total;
}

}  // namespace chorus::server::guard
