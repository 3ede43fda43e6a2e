// connect: --connect-concurrency chains per worker, each opening a connection, timing TCP
// connect → Socket.IO CONNECT reply, closing it and opening the next, until --connections
// handshakes are done (over all workers) or --duration is over.
#include <fmt/format.h>

#include "bench/client/room_traffic.hpp"

namespace chorus::bench {

namespace {

class connect final : public scenario_logic {
 public:
  explicit connect(worker_api& api) : api_(api), o_(api.options()) {}

  std::vector<connection_ptr> lay_out() override { return {}; }
  void on_connected(const connection_ptr& c) override;
  void on_event(const connection_ptr&, std::string_view) override {}
  void start() override;

 private:
  void next();

  worker_api& api_;
  const bench_options& o_;
  std::uint64_t quota_ = 0;    // handshakes this worker makes (count mode)
  std::uint64_t started_ = 0;  // handshakes begun
  unsigned chains_ = 0;        // chains still running
};

void connect::start() {
  const std::uint64_t workers = api_.workers(), index = api_.index();
  quota_ = o_.duration > 0 ? ~std::uint64_t{0}
                           : o_.connections / workers + (index < o_.connections % workers ? 1 : 0);
  chains_ = static_cast<unsigned>(std::min<std::uint64_t>(o_.connect_concurrency, quota_));
  if (chains_ == 0) api_.active_done();
  for (unsigned i = 0, n = chains_; i < n; ++i) next();
}

// Starts the chain's next handshake, or ends the chain.
void connect::next() {
  if (started_ >= quota_ || api_.stop_sending()) {
    if (--chains_ == 0) api_.active_done();
    return;
  }
  // Global ids (worker + k × workers) spread polling and source addresses as elsewhere.
  auto c = api_.make_connection(api_.index() + started_ * api_.workers());
  c->kind = role::connector;
  ++started_;
  api_.open(c);
}

void connect::on_connected(const connection_ptr& c) {
  api_.latency().record(
      static_cast<std::uint64_t>(std::max<std::int64_t>(0, now_ns() - c->started_ns)));
  api_.count_received(*c);
  api_.close(c);
  next();
}

}  // namespace

std::unique_ptr<scenario_logic> make_connect(worker_api& api) {
  return std::make_unique<connect>(api);
}

}  // namespace chorus::bench
