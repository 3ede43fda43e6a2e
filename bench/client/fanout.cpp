// fanout: R rooms × S subscribers and P publishers (publisher p in room p % R). Each connection
// CONNECTs, sends the join template and waits for the `status` event that names it. Then every
// publisher keeps --in-flight messages outstanding (and keeps to --rate, if given): a message is
// done once every subscriber of its room has it, counted per worker and then across workers in
// shared memory (an eventfd wakes the publisher's worker). lost = sent × S − deliveries.
#include <fmt/format.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <chrono>

#include "bench/client/event_template.hpp"
#include "bench/client/room_traffic.hpp"
#include "bench/client/sio_packet.hpp"

namespace chorus::bench {

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

class fanout final : public scenario_logic {
 public:
  explicit fanout(worker_api& api) : api_(api), o_(api.options()) {}

  std::vector<connection_ptr> lay_out() override;
  void on_connected(const connection_ptr& c) override {
    if (send_join(api_, c)) api_.up(c);
  }
  void on_event(const connection_ptr& c, std::string_view data) override;
  void start() override;

 private:
  awaitable<void> publish(connection_ptr c);
  awaitable<void> wake_reader();
  void on_delivery(connection& c, const delivery_header& d);
  void wake_publisher(unsigned publisher);
  std::uint64_t quota(unsigned publisher) const;

  worker_api& api_;
  const bench_options& o_;
  std::vector<connection_ptr> connections_;
  std::vector<connection_ptr> local_publishers_;  // by global publisher index (null: remote)
  std::vector<std::uint32_t> local_subscribers_;  // per room, in this worker
  std::vector<std::uint32_t> workers_in_room_;    // per room: workers with a subscriber in it
  std::vector<std::uint32_t> local_counts_;       // publishers × in_flight
  unsigned publishers_running_ = 0;
};

std::vector<connection_ptr> fanout::lay_out() {
  const unsigned rooms = o_.rooms, subs = o_.subscribers, workers = api_.workers();
  local_subscribers_.assign(rooms, 0);
  workers_in_room_.assign(rooms, std::min(subs, workers));
  local_publishers_.assign(o_.publishers, nullptr);
  local_counts_.assign(std::size_t{o_.publishers} * o_.in_flight, 0);
  const unsigned publishers_per_room = (o_.publishers + rooms - 1) / rooms;
  for (std::uint64_t id = api_.index(); id < o_.connection_count(); id += workers) {
    auto c = api_.make_connection(id);
    if (id < std::uint64_t{rooms} * subs) {
      assign_room(o_, *c, static_cast<unsigned>(id / subs));
      ++local_subscribers_[c->room];
      c->expected.assign(publishers_per_room, 0);
    } else {
      c->kind = role::publisher;
      c->publisher = static_cast<int>(id - std::uint64_t{rooms} * subs);
      assign_room(o_, *c, static_cast<unsigned>(c->publisher) % rooms);
      local_publishers_[c->publisher] = c;
    }
    connections_.push_back(c);
  }
  return connections_;
}

void fanout::on_event(const connection_ptr& c, std::string_view data) {
  if (is_event_named(data, o_.event)) {
    if (c->kind != role::subscriber) return;  // publishers are in the room too; they do not count
    auto d = parse_delivery(data);
    if (!d) {
      api_.fail(fmt::format("unexpected delivery: {:.80}", data));
      return;
    }
    on_delivery(*c, *d);
    return;
  }
  if (confirms_join(*c, data)) api_.up(c);
}

void fanout::on_delivery(connection& c, const delivery_header& d) {
  if (!record_delivery(api_, c, d)) return;
  std::size_t slot_index = d.seq % o_.in_flight;
  std::uint32_t& local = local_counts_[d.publisher * o_.in_flight + slot_index];
  if (++local == local_subscribers_[c.room]) {
    local = 0;
    auto& shared = api_.shared().window(static_cast<unsigned>(d.publisher))[slot_index];
    if (shared.fetch_add(1, std::memory_order_acq_rel) + 1 == workers_in_room_[c.room]) {
      wake_publisher(static_cast<unsigned>(d.publisher));
    }
  }
}

void fanout::wake_publisher(unsigned publisher) {
  if (const auto& local = local_publishers_[publisher]) {
    local->wake.cancel();
    return;
  }
  unsigned owner = static_cast<unsigned>((std::uint64_t{o_.rooms} * o_.subscribers + publisher) %
                                         api_.workers());
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(api_.wake_fds()[owner], &one, sizeof one);
}

awaitable<void> fanout::wake_reader() {
  asio::posix::stream_descriptor fd(api_.io(), ::dup(api_.wake_fds()[api_.index()]));
  std::uint64_t value = 0;
  for (;;) {
    auto reading = fd.async_read_some(asio::buffer(&value, sizeof value), use_nothrow);
    auto [ec, n] = co_await std::move(reading);
    if (ec) co_return;
    for (const auto& p : local_publishers_) {
      if (p) p->wake.cancel();
    }
  }
}

std::uint64_t fanout::quota(unsigned publisher) const {
  if (o_.messages == 0) return ~std::uint64_t{0};
  return o_.messages / o_.publishers + (publisher < o_.messages % o_.publishers ? 1 : 0);
}

void fanout::start() {
  api_.spawn(wake_reader());
  for (const auto& p : local_publishers_) {
    if (!p) continue;
    ++publishers_running_;
    api_.spawn(publish(p));
  }
  if (publishers_running_ == 0) api_.active_done();
}

awaitable<void> fanout::publish(connection_ptr c) {
  using clock = std::chrono::steady_clock;
  const unsigned publisher = static_cast<unsigned>(c->publisher);
  auto* window = api_.shared().window(publisher);
  const std::uint32_t target = workers_in_room_[c->room];
  const std::uint64_t limit = quota(publisher);
  const double per_second = o_.rate > 0 ? o_.rate / o_.publishers : 0;
  const auto begin = clock::now();
  const std::string room = room_name(c->room);
  const std::string send_template = with_namespace(o_.send_template, o_.nsp);
  std::string payload, packet;
  for (std::uint64_t seq = 0; seq < limit;) {
    if (api_.stop_sending()) break;
    auto& slot = window[seq % o_.in_flight];
    if (seq >= o_.in_flight && slot.load(std::memory_order_acquire) != target) {
      c->wake.expires_after(20ms);
      co_await c->wake.async_wait(use_nothrow);
      continue;
    }
    if (per_second > 0) {
      auto due = begin + std::chrono::duration_cast<clock::duration>(
                             std::chrono::duration<double>(static_cast<double>(seq) / per_second));
      if (clock::now() < due) {
        c->timer.expires_at(std::min(due, clock::now() + 20ms));  // re-checks stop_sending
        co_await c->timer.async_wait(use_nothrow);
        continue;
      }
    }
    slot.store(0, std::memory_order_relaxed);
    make_payload(payload, publisher, seq, o_.payload);
    packet.clear();
    append_expanded(packet, send_template,
                    {{"room", room}, {"user", c->user}, {"payload", payload}});
    api_.send(c, packet);
    ++seq;
    api_.slot().sent.fetch_add(1, std::memory_order_relaxed);
  }
  if (--publishers_running_ == 0) api_.active_done();
}

}  // namespace

std::unique_ptr<scenario_logic> make_fanout(worker_api& api) {
  return std::make_unique<fanout>(api);
}

}  // namespace chorus::bench
