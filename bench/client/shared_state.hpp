#pragma once

// What the parent and its worker processes share: one anonymous shared mapping made before
// fork. Workers report progress and results in their own slot; publishers' in-flight windows
// live here so a subscriber in any worker can mark a message delivered.

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "bench/client/histogram.hpp"
#include "bench/client/options.hpp"

namespace chorus::bench {

// One more on a counter only this process writes (others only read it): no locked instruction.
inline void add_one(std::atomic<std::uint64_t>& counter) {
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

struct control_block {
  std::atomic<int> start{0};         // parent → workers: the measured phase begins
  std::atomic<int> stop_sending{0};  // parent → workers: duration over (or no progress)
  std::atomic<int> stop{0};          // parent → workers: report and exit
  std::atomic<int> abort{0};         // parent → workers: something failed, exit now
};

struct alignas(64) worker_slot {
  std::atomic<std::uint64_t> connected{0};  // TCP connections made, over the run
  std::atomic<std::uint64_t> joined{0};     // setup connections ready (CONNECTed and joined)
  std::atomic<int> ready{0};                // every setup connection of this worker is ready
  std::atomic<std::uint64_t> sent{0};
  std::atomic<int> active_done{0};  // this worker's publishers / echoers / connectors finished
  // What the scenario counts: deliveries (fanout, churn), round trips (echo), handshakes
  // (connect), connections up (idle).
  alignas(64) std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> out_of_order{0};
  std::atomic<std::uint64_t> cycles{0};  // churn: churner connections opened and closed again
  // Per --servers entry, written only by this worker: Socket.IO CONNECTs accepted over the run,
  // and what `received` counts, by the server of the connection that counted it.
  alignas(64) std::atomic<std::uint64_t> connections_per_server[max_servers]{};
  std::atomic<std::uint64_t> received_per_server[max_servers]{};
  alignas(64) std::atomic<std::uint64_t> failures{0};
  std::atomic<int> error_claimed{0};
  char error[240]{};
  // Written once before `finished` is set.
  std::atomic<int> finished{0};
  double cpu_us = 0;     // during the measured interval
  char client_io[16]{};  // how the worker read its WebSocket connections (websocket_io::name)
  std::uint64_t receives_out_of_buffers = 0;  // websocket_io::receives_out_of_buffers
  histogram latency_ns;
};

// The mapping: control, one slot per worker, then publishers × in_flight delivery counters
// (how many workers have seen every local subscriber of the room receive that message).
class shared_state {
 public:
  shared_state(unsigned workers, unsigned publishers, unsigned in_flight);
  ~shared_state();
  shared_state(const shared_state&) = delete;
  shared_state& operator=(const shared_state&) = delete;

  control_block& control() { return *control_; }
  worker_slot& worker(unsigned i) { return slots_[i]; }
  std::atomic<std::uint32_t>* window(unsigned publisher) {
    return windows_ + std::size_t{publisher} * in_flight_;
  }
  unsigned workers() const { return workers_; }

 private:
  void* memory_ = nullptr;
  std::size_t size_ = 0;
  unsigned workers_, in_flight_;
  std::size_t window_count_;
  control_block* control_;
  worker_slot* slots_;
  std::atomic<std::uint32_t>* windows_;
};

}  // namespace chorus::bench
