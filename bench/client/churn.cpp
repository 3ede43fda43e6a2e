// churn: R rooms × S subscribers that stay and P publishers sending --rate messages per second
// to them, while --churners connections connect, join a room, stay --lifetime and leave, over
// and over. Every subscriber that stays must get every message (lost = sent × S − deliveries);
// the parent samples the server's RSS every second, so a long run shows whether it stays flat.
#include <fmt/format.h>

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

class churn final : public scenario_logic {
 public:
  explicit churn(worker_api& api) : api_(api), o_(api.options()) {}

  std::vector<connection_ptr> lay_out() override;
  void on_connected(const connection_ptr& c) override;
  void on_event(const connection_ptr& c, std::string_view data) override;
  void start() override;

 private:
  awaitable<void> publish(connection_ptr c);
  void next_churner(unsigned chain);
  void stay(const connection_ptr& c);
  void ended();

  worker_api& api_;
  const bench_options& o_;
  std::vector<connection_ptr> connections_;
  std::vector<connection_ptr> publishers_;
  std::vector<std::uint64_t> cycles_;  // per local churner chain
  std::vector<unsigned> chains_;       // global churner indexes of this worker
  unsigned running_ = 0;               // publishers and chains still going
};

std::vector<connection_ptr> churn::lay_out() {
  const std::uint64_t in_rooms = std::uint64_t{o_.rooms} * o_.subscribers;
  const unsigned publishers_per_room = (o_.publishers + o_.rooms - 1) / o_.rooms;
  for (std::uint64_t id = api_.index(); id < in_rooms + o_.publishers; id += api_.workers()) {
    auto c = api_.make_connection(id);
    if (id < in_rooms) {
      assign_room(o_, *c, static_cast<unsigned>(id / o_.subscribers));
      c->expected.assign(publishers_per_room, 0);
    } else {
      c->kind = role::publisher;
      c->publisher = static_cast<int>(id - in_rooms);
      assign_room(o_, *c, static_cast<unsigned>(c->publisher) % o_.rooms);
      publishers_.push_back(c);
    }
    connections_.push_back(c);
  }
  for (unsigned j = api_.index(); j < o_.churners; j += api_.workers()) chains_.push_back(j);
  cycles_.assign(o_.churners, 0);
  return connections_;
}

void churn::start() {
  running_ = static_cast<unsigned>(publishers_.size() + chains_.size());
  if (running_ == 0) api_.active_done();
  for (const auto& p : publishers_) api_.spawn(publish(p));
  for (unsigned chain : chains_) next_churner(chain);
}

void churn::ended() {
  if (--running_ == 0) api_.active_done();
}

// The chain's next churner connection (ids after the stable ones, unique per cycle).
void churn::next_churner(unsigned chain) {
  if (api_.stop_sending()) return ended();
  const std::uint64_t base = std::uint64_t{o_.rooms} * o_.subscribers + o_.publishers;
  auto c = api_.make_connection(base + chain + cycles_[chain] * o_.churners);
  c->kind = role::churner;
  c->chain = chain;
  assign_room(o_, *c, chain % o_.rooms);
  api_.open(c);
}

void churn::on_connected(const connection_ptr& c) {
  bool in_room = send_join(api_, c);
  if (!in_room) return;  // the `status` confirming the join comes
  if (c->kind == role::churner) {
    c->joined = true;
    stay(c);
  } else {
    api_.up(c);
  }
}

void churn::on_event(const connection_ptr& c, std::string_view data) {
  if (is_event_named(data, o_.event)) {
    if (c->kind != role::subscriber) return;  // only the ones that stay count
    auto d = parse_delivery(data);
    if (!d) {
      api_.fail(fmt::format("unexpected delivery: {:.80}", data));
      return;
    }
    record_delivery(api_, *c, *d);
    return;
  }
  if (!confirms_join(*c, data)) return;
  if (c->kind == role::churner) {
    c->joined = true;
    stay(c);
  } else {
    api_.up(c);
  }
}

void churn::stay(const connection_ptr& c) {
  c->timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(o_.lifetime)));
  c->timer.async_wait([this, c](boost::system::error_code ec) {
    if (ec || c->closing) return;
    api_.close(c);
    ++cycles_[c->chain];
    api_.slot().cycles.fetch_add(1, std::memory_order_relaxed);
    next_churner(c->chain);
  });
}

awaitable<void> churn::publish(connection_ptr c) {
  using clock = std::chrono::steady_clock;
  const unsigned publisher = static_cast<unsigned>(c->publisher);
  const std::uint64_t limit =
      o_.messages == 0 ? ~std::uint64_t{0}
                       : o_.messages / o_.publishers + (publisher < o_.messages % o_.publishers);
  const double per_second = o_.rate / o_.publishers;
  const auto begin = clock::now();
  const std::string room = room_name(c->room);
  const std::string send_template = with_namespace(o_.send_template, o_.nsp);
  std::string payload, packet;
  for (std::uint64_t seq = 0; seq < limit && !api_.stop_sending();) {
    auto due = begin + std::chrono::duration_cast<clock::duration>(
                           std::chrono::duration<double>(static_cast<double>(seq) / per_second));
    if (clock::now() < due) {
      c->timer.expires_at(std::min(due, clock::now() + 20ms));  // re-checks stop_sending
      co_await c->timer.async_wait(use_nothrow);
      continue;
    }
    make_payload(payload, publisher, seq, o_.payload);
    packet.clear();
    append_expanded(packet, send_template,
                    {{"room", room}, {"user", c->user}, {"payload", payload}});
    api_.send(c, packet);
    ++seq;
    api_.slot().sent.fetch_add(1, std::memory_order_relaxed);
  }
  ended();
}

}  // namespace

std::unique_ptr<scenario_logic> make_churn(worker_api& api) {
  return std::make_unique<churn>(api);
}

}  // namespace chorus::bench
