// echo: N connections; each keeps --in-flight messages outstanding and waits for each to come
// back, as the --reply-event the server answers with (chorus's chat: `message` on /chat comes
// back as `response`) or, with --ack, as the ack of the emit. Round-trip time is send → reply
// (replies come back in order on a connection; an ack names its message). lost = sent − replies.
#include <fmt/format.h>

#include "bench/client/event_template.hpp"
#include "bench/client/room_traffic.hpp"
#include "bench/client/sio_packet.hpp"

namespace chorus::bench {

namespace {

class echo final : public scenario_logic {
 public:
  explicit echo(worker_api& api)
      : api_(api), o_(api.options()), template_(with_namespace(o_.send_template, o_.nsp)) {}

  std::vector<connection_ptr> lay_out() override;
  void on_connected(const connection_ptr& c) override { api_.up(c); }
  void on_event(const connection_ptr& c, std::string_view data) override;
  void on_ack(const connection_ptr& c, std::uint64_t id, std::string_view data) override;
  void start() override;
  void on_stop_sending() override;

 private:
  void reply(const connection_ptr& c, std::size_t slot, std::string_view data);
  void send_next(const connection_ptr& c);
  void done(connection& c);
  std::uint64_t quota(const connection& c) const;

  worker_api& api_;
  const bench_options& o_;
  std::string template_;
  std::vector<connection_ptr> connections_;
  std::size_t running_ = 0;
  std::string payload_, packet_;
};

std::vector<connection_ptr> echo::lay_out() {
  for (std::uint64_t id = api_.index(); id < o_.connections; id += api_.workers()) {
    auto c = api_.make_connection(id);
    c->kind = role::echoer;
    c->user = fmt::format("u{}", id);
    c->send_times.assign(o_.in_flight, 0);
    connections_.push_back(c);
  }
  return connections_;
}

std::uint64_t echo::quota(const connection& c) const {
  if (o_.messages == 0) return ~std::uint64_t{0};
  return o_.messages / o_.connections + (c.id < o_.messages % o_.connections ? 1 : 0);
}

void echo::start() {
  running_ = connections_.size();
  for (const auto& c : connections_) {
    if (quota(*c) == 0) {
      done(*c);
      continue;
    }
    for (unsigned i = 0; i < o_.in_flight && c->kind == role::echoer; ++i) send_next(c);
  }
  if (running_ == 0) api_.active_done();
}

void echo::send_next(const connection_ptr& c) {
  if (api_.stop_sending()) return done(*c);
  std::uint64_t seq = c->sent;
  make_payload(payload_, c->id, seq, o_.payload);
  packet_.clear();
  append_expanded(packet_, template_, {{"user", c->user}, {"payload", payload_}});
  if (o_.ack) packet_.insert(ack_id_position(packet_), std::to_string(seq));
  c->send_times[seq % o_.in_flight] = now_ns();
  api_.send(c, packet_);
  ++c->sent;
  api_.slot().sent.fetch_add(1, std::memory_order_relaxed);
  if (c->sent == quota(*c)) done(*c);
}

// A connection that will send no more (its replies may still be on the way).
void echo::done(connection& c) {
  if (c.kind != role::echoer) return;
  c.kind = role::holder;
  if (--running_ == 0) api_.active_done();
}

void echo::on_event(const connection_ptr& c, std::string_view data) {
  if (o_.ack || !is_event_named(data, o_.reply_event)) return;
  if (c->replies >= c->sent) {
    api_.fail(fmt::format("a `{}` nobody asked for: {:.80}", o_.reply_event, data));
    return;
  }
  reply(c, c->replies % o_.in_flight, data);
}

void echo::on_ack(const connection_ptr& c, std::uint64_t id, std::string_view data) {
  if (!o_.ack) return;
  if (id >= c->sent || id + o_.in_flight < c->sent) {
    api_.fail(fmt::format("an ack with id {} on a connection that sent {}", id, c->sent));
    return;
  }
  reply(c, id % o_.in_flight, data);
}

void echo::reply(const connection_ptr& c, std::size_t slot, std::string_view data) {
  std::int64_t rtt = now_ns() - c->send_times[slot];
  api_.latency().record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, rtt)));
  // The echo carries the payload back: its sequence shows the order.
  if (auto d = parse_delivery(data); d && (d->publisher != c->id || d->seq != c->replies)) {
    api_.slot().out_of_order.fetch_add(1, std::memory_order_relaxed);
  }
  ++c->replies;
  api_.count_received(*c);
  if (c->kind == role::echoer) send_next(c);
}

void echo::on_stop_sending() {
  for (const auto& c : connections_) done(*c);
}

}  // namespace

std::unique_ptr<scenario_logic> make_echo(worker_api& api) {
  return std::make_unique<echo>(api);
}

}  // namespace chorus::bench
