#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "server/asio.hpp"
#include "server/config.hpp"
#include "server/engineio/session_registry.hpp"
#include "server/guard/connection_guard.hpp"
#include "server/http/site.hpp"
#include "server/node_services.hpp"
#include "server/shard.hpp"

namespace boost::asio::ssl {
class context;
}

namespace chorus::server::fanout {
class adapter;
}
namespace chorus::server::recovery {
class state_recovery;
}

namespace chorus::server {

// start() could not listen; what() says where and why, in the user's words ("cannot listen on
// 0.0.0.0:3000: address already in use").
struct listen_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A sharded Socket.IO/Engine.IO server: one thread per shard, each with its own io_context and
// its own SO_REUSEPORT acceptor.
class server final : public node_services {
 public:
  server(server_config config, session_handler_factory factory);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Requests outside the Engine.IO path and the operator endpoints go here (default: 404).
  void set_http_handler(http::http_handler handler) { site_.fallback = std::move(handler); }
  // With a context (tls::make_tls_context), every accepted connection speaks TLS. Before start().
  void set_tls_context(std::shared_ptr<boost::asio::ssl::context> tls) { tls_ = std::move(tls); }
  const std::shared_ptr<boost::asio::ssl::context>& tls_context() const { return tls_; }

  // Binds the acceptors (throws listen_error on failure) and starts one thread per shard.
  void start();
  // Graceful: stop accepting, close every session, let queued writes drain, then stop.
  void stop();
  // Blocks until every shard's thread has ended.
  void wait();

  // Graceful shutdown (SIGTERM), any thread: draining() from now on; every acceptor closes at
  // once (new connections are refused), every session ends with "server shutting down" (a
  // WebSocket gets a close frame, a polling client its close packet), and each shard's loop
  // ends once its sessions are gone and their last frames had a moment to leave.
  void begin_drain();
  // Waits at most `bound` for every shard's thread to end; false when some still run.
  bool wait_for(std::chrono::milliseconds bound);
  // Ends every shard's loop now, whatever is left (past the drain's bound). Any thread.
  void stop_now();

  // The HTTP access log (null: off). Before start().
  void set_access_log(std::shared_ptr<http::access_log> log) { site_.log = std::move(log); }

  // Readiness (/readyz): every shard's acceptor listens once start() returned; draining from the
  // moment stop() or begin_drain() is called. Any thread.
  bool accepting() const { return accepting_.load(std::memory_order_acquire); }
  bool draining() const { return draining_.load(std::memory_order_acquire); }

  std::uint16_t port() const { return port_; }
  unsigned shard_count() const override { return static_cast<unsigned>(shards_.size()); }
  shard& shard_at(unsigned index) override { return *shards_[index]; }
  // The Engine.IO sessions of the shard at `index`; read them on that shard's thread.
  engineio::session_registry& sessions_at(unsigned index) { return *sessions_[index]; }
  // Carries broadcasts and room questions: fanout::local_adapter (every shard of this process)
  // unless another was set. set_adapter: before start() (a cluster adapter, or a test's stub).
  fanout::adapter& adapter() override { return *adapter_; }
  // Every shard's hub, by shard index (what a local_adapter delivers to).
  std::vector<fanout::shard_hub*> hubs();
  void set_adapter(std::unique_ptr<fanout::adapter> adapter);
  // Connection state recovery, when config().recovery enables it (else null).
  recovery::state_recovery* recovery() override { return recovery_.get(); }
  const server_config& config() const { return config_; }
  // The process's connection counts and per-address limits, shared by every shard.
  guard::connection_guard& guard() { return *guard_; }
  // Places for connections over --max-connections that are still read (http/over_limit.hpp).
  guard::connection_guard& over_limit_reserve() { return *over_limit_reserve_; }
  // What every HTTP connection serves: Engine.IO's path and the operator endpoints on the
  // router, the rest to set_http_handler's handler, and the access log.
  const http::site& site() const { return site_; }

 private:
  // Sets draining(), then on every shard's thread closes its acceptor and its sessions and calls
  // `then` (how the shard's loop is to end).
  void close_every_shard(void (*then)(shard&, const engineio::session_registry&));

  server_config config_;
  http::site site_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::unique_ptr<guard::connection_guard> guard_;
  std::unique_ptr<guard::connection_guard> over_limit_reserve_;
  std::vector<std::unique_ptr<shard>> shards_;
  // Each shard's Engine.IO sessions, by shard index (let go of before the shards' loops).
  std::vector<std::unique_ptr<engineio::session_registry>> sessions_;
  // Before the adapter, which may keep recovery's log and lets go of it as it is destroyed.
  std::unique_ptr<recovery::state_recovery> recovery_;
  std::unique_ptr<fanout::adapter> adapter_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  std::atomic<bool> accepting_{false};
  std::atomic<bool> draining_{false};
  std::mutex finished_mutex_;
  std::condition_variable finished_changed_;
  std::size_t finished_ = 0;  // shard threads whose loop has ended
};

// --max-connections 0: the open-file soft limit less a reserve for what is not a client.
std::size_t default_max_connections();

// Raises this process's open-file soft limit to the hard limit (one fd per connection).
void raise_open_file_limit();

}  // namespace chorus::server
