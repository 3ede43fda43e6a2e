#pragma once

// The seam between a worker process and the scenario it runs. The worker owns the io_context,
// the transports and Socket.IO's framing (open, CONNECT, ping); a scenario decides which
// connections exist, what they send and what they count.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string_view>
#include <vector>

#include "bench/client/connection.hpp"
#include "bench/client/histogram.hpp"
#include "bench/client/options.hpp"
#include "bench/client/shared_state.hpp"

namespace chorus::bench {

// What a scenario may ask of its worker.
class worker_api {
 public:
  virtual ~worker_api() = default;
  virtual boost::asio::io_context& io() = 0;
  virtual const bench_options& options() const = 0;
  virtual unsigned index() const = 0;    // this worker
  virtual unsigned workers() const = 0;  // how many there are
  virtual shared_state& shared() = 0;
  virtual worker_slot& slot() = 0;  // this worker's counters
  virtual histogram& latency() = 0;
  virtual const std::vector<int>& wake_fds() const = 0;  // one eventfd per worker
  // Counts one of what the scenario counts (delivery, round trip, handshake, connection held)
  // at connection c: in total and for c's server.
  virtual void count_received(const connection& c) = 0;

  // A connection with this id (global: polling share, source address and server follow from it).
  virtual connection_ptr make_connection(std::uint64_t id) = 0;
  // TCP connect, transport, open, CONNECT; on_connected follows (or the run fails, also when
  // no CONNECT reply comes within --handshake-timeout).
  virtual void open(const connection_ptr& c) = 0;
  // open() for each, at most --connect-concurrency handshakes at a time (a handshake lasts until
  // up() or close()).
  virtual void launch(std::vector<connection_ptr> list) = 0;
  // The connection is ready (connected, joined): frees its handshake slot; counts towards the
  // worker's readiness when it was laid out for the setup phase.
  virtual void up(const connection_ptr& c) = 0;
  virtual void send(const connection_ptr& c, std::string_view engineio_packet) = 0;
  virtual void close(const connection_ptr& c) = 0;  // on purpose: no failure
  virtual void fail(std::string_view what) = 0;
  virtual void spawn(boost::asio::awaitable<void> task) = 0;
  virtual bool stop_sending() const = 0;  // the parent said so, or the worker is stopping
  virtual void active_done() = 0;         // this worker's sending/connecting has finished
};

class scenario_logic {
 public:
  virtual ~scenario_logic() = default;
  // Creates this worker's connections that must be up before the measured phase (may be none).
  virtual std::vector<connection_ptr> lay_out() = 0;
  // The namespace CONNECT was accepted.
  virtual void on_connected(const connection_ptr& c) = 0;
  // An EVENT in the namespace; `data` is its JSON array.
  virtual void on_event(const connection_ptr& c, std::string_view data) = 0;
  virtual void on_ack(const connection_ptr& c, std::uint64_t id, std::string_view data) {}
  // The measured phase begins.
  virtual void start() = 0;
  // The parent stopped the sending (duration over, or no progress).
  virtual void on_stop_sending() {}
};

std::unique_ptr<scenario_logic> make_fanout(worker_api& api);
std::unique_ptr<scenario_logic> make_echo(worker_api& api);
std::unique_ptr<scenario_logic> make_connect(worker_api& api);
std::unique_ptr<scenario_logic> make_idle(worker_api& api);
std::unique_ptr<scenario_logic> make_churn(worker_api& api);

}  // namespace chorus::bench
