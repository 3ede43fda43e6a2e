#include "bench/client/room_traffic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "bench/client/event_template.hpp"
#include "bench/client/sio_packet.hpp"

namespace chorus::bench {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string room_name(unsigned room) {
  return fmt::format("room-{}", room);
}

void assign_room(const bench_options& o, connection& c, unsigned room) {
  c.room = room;
  c.user = fmt::format("u{}", c.id);
  c.joined_text = expand_template(o.joined_text, {{"room", room_name(room)}, {"user", c.user}});
}

bool send_join(worker_api& api, const connection_ptr& c) {
  const bench_options& o = api.options();
  if (o.join_template.empty()) return true;  // no join: in the room as connected
  std::string room = room_name(c->room);
  std::string packet = expand_template(o.join_template, {{"room", room}, {"user", c->user}});
  api.send(c, with_namespace(packet, o.nsp));
  return c->joined_text.empty();
}

bool confirms_join(const connection& c, std::string_view data) {
  return !c.joined && is_event_named(data, "status") &&
         data.find(c.joined_text) != std::string_view::npos;
}

std::optional<delivery_header> parse_delivery(std::string_view data) {
  std::size_t hash = data.find('#');
  if (hash == std::string_view::npos) return std::nullopt;
  delivery_header d;
  const char* p = data.data() + hash + 1;
  const char* end = data.data() + data.size();
  auto r1 = std::from_chars(p, end, d.publisher);
  if (r1.ec != std::errc() || r1.ptr == end || *r1.ptr != ':') return std::nullopt;
  auto r2 = std::from_chars(r1.ptr + 1, end, d.seq);
  if (r2.ec != std::errc() || r2.ptr == end || *r2.ptr != ':') return std::nullopt;
  auto r3 = std::from_chars(r2.ptr + 1, end, d.sent_ns);
  if (r3.ec != std::errc() || r3.ptr == end || *r3.ptr != '#') return std::nullopt;
  return d;
}

void make_payload(std::string& out, std::uint64_t publisher, std::uint64_t seq, std::size_t size) {
  out.clear();
  fmt::format_to(std::back_inserter(out), "#{}:{}:{}#", publisher, seq, now_ns());
  if (out.size() < size) out.append(size - out.size(), 'x');
}

bool record_delivery(worker_api& api, connection& c, const delivery_header& d) {
  const bench_options& o = api.options();
  if (d.publisher >= o.publishers || d.publisher % o.rooms != c.room ||
      d.publisher / o.rooms >= c.expected.size()) {
    api.fail(
        fmt::format("delivery from publisher {} at a subscriber of room {}", d.publisher, c.room));
    return false;
  }
  api.latency().record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, now_ns() - d.sent_ns)));
  api.count_received(c);
  std::uint64_t& next = c.expected[d.publisher / o.rooms];
  if (d.seq >= next) {
    next = d.seq + 1;
  } else {
    api.slot().out_of_order.fetch_add(1, std::memory_order_relaxed);
  }
  return true;
}

}  // namespace chorus::bench
