// idle: N connections CONNECT (and join room c % --rooms when --rooms > 0) and stay; the parent
// holds them --hold seconds once all are up and reads the server's RSS before and after.
#include "bench/client/room_traffic.hpp"

namespace chorus::bench {

namespace {

class idle final : public scenario_logic {
 public:
  explicit idle(worker_api& api) : api_(api), o_(api.options()) {}

  std::vector<connection_ptr> lay_out() override { return {}; }
  void on_connected(const connection_ptr& c) override;
  void on_event(const connection_ptr& c, std::string_view data) override;
  void start() override;

 private:
  void held(const connection_ptr& c);

  worker_api& api_;
  const bench_options& o_;
  std::vector<connection_ptr> connections_;
  std::size_t held_ = 0;
};

void idle::start() {
  for (std::uint64_t id = api_.index(); id < o_.connections; id += api_.workers()) {
    auto c = api_.make_connection(id);
    c->kind = role::holder;
    if (o_.rooms > 0) assign_room(o_, *c, static_cast<unsigned>(id % o_.rooms));
    connections_.push_back(c);
  }
  if (connections_.empty()) api_.active_done();
  api_.launch(connections_);
}

void idle::on_connected(const connection_ptr& c) {
  if (o_.rooms == 0) return held(c);
  if (send_join(api_, c)) held(c);
}

void idle::on_event(const connection_ptr& c, std::string_view data) {
  if (o_.rooms > 0 && confirms_join(*c, data)) held(c);
}

void idle::held(const connection_ptr& c) {
  if (c->joined) return;
  api_.up(c);
  api_.latency().record(
      static_cast<std::uint64_t>(std::max<std::int64_t>(0, now_ns() - c->started_ns)));
  api_.count_received(*c);
  if (++held_ == connections_.size()) api_.active_done();
}

}  // namespace

std::unique_ptr<scenario_logic> make_idle(worker_api& api) {
  return std::make_unique<idle>(api);
}

}  // namespace chorus::bench
