#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/fanout/broadcast_job.hpp"
#include "server/fanout/broadcast_numbering.hpp"
#include "server/metrics/exposition.hpp"
#include "server/recovery/cluster_log.hpp"
#include "server/recovery/packet_log.hpp"
#include "server/recovery/recovery_options.hpp"
#include "server/recovery/session_store.hpp"

namespace chorus::server::recovery {

// Connection state recovery for the whole node (socket.io >= 4.6): a client whose connection
// dropped comes back within the window as the same socket (sid, rooms, data) and is sent every
// stored packet it missed, in order. Shared by every shard; any thread.
//
// Order: a client remembers the offset of the last packet it received and, coming back, gets
// every later one. That is only right if each socket receives stored packets in offset order.
// So numbering a packet and queueing it on every shard's inbox happen under one lock (each inbox
// is FIFO); the calling shard delivers at once only when its own inbox is empty, when nothing
// numbered earlier can still be waiting there.
class state_recovery final : public fanout::broadcast_numbering {
 public:
  explicit state_recovery(const recovery_options& options);

  const recovery_options& options() const { return options_; }

  // From now on sessions and stored packets live in `log` (the cluster's), not in this node's
  // memory: broadcast() and send_direct() are not used, save() persists there, and a client
  // comes back through log->take() and log->missed_since(). Called once, before the server runs
  // (nullptr again when the adapter that set it goes).
  void keep_in_cluster(cluster_log* log) { cluster_ = log; }
  cluster_log* cluster() const { return cluster_; }
  void note_recovered() { recovered_.fetch_add(1, std::memory_order_relaxed); }
  void note_failed() { failed_.fetch_add(1, std::memory_order_relaxed); }
  // What socket.io stores: events without an ack, not volatile.
  static bool stores(const fanout::broadcast_job& job) {
    return !job.acks && !job.flags.is_volatile;
  }

  // Stored broadcasts are numbered here unless the cluster's stream numbers them.
  bool numbers(const fanout::broadcast_job& job) const override { return !cluster_ && stores(job); }
  // Numbers a broadcast (stores(job)), stores it and hands it to every hub. `origin`: the hub
  // of the shard the caller runs on, or nullptr.
  void deliver_numbered(const fanout::broadcast_job& job, fanout::shard_hub* origin,
                        std::span<fanout::shard_hub* const> hubs) override;
  // The same for a direct emit, `job` naming one socket of `home` (the caller's shard's hub).
  // Returns the numbered job for the caller to deliver at once, or nullptr when it had to be
  // queued behind earlier ones on the shard's inbox (which then delivers it).
  std::shared_ptr<const fanout::broadcast_job> send_direct(const fanout::broadcast_job& job,
                                                           fanout::shard_hub& home);

  // A socket's connection dropped for a reason socket.io recovers from.
  void save(saved_session session);

  struct restored {
    saved_session session;
    std::vector<std::shared_ptr<const fanout::broadcast_job>> missed;  // oldest first
    // Every stored packet up to this offset is in `missed` or was sent before the disconnection:
    // the socket must skip any still queued on its shard.
    std::uint64_t through = 0;
  };
  // The session `pid` left in `nsp`, with what it missed after `offset`; nullopt (a failed
  // recovery) when either is unknown, malformed or expired. The session is used up either way.
  std::optional<restored> restore(const std::string& pid, std::string_view offset,
                                  const std::string& nsp);

  void append_metrics(std::vector<metrics::family>& families) const;

 private:
  recovery_options options_;
  cluster_log* cluster_ = nullptr;
  mutable std::mutex log_mutex_;
  packet_log log_;
  mutable std::mutex sessions_mutex_;
  session_store sessions_;
  std::atomic<std::uint64_t> saved_{0};
  std::atomic<std::uint64_t> recovered_{0};
  std::atomic<std::uint64_t> failed_{0};
};

}  // namespace chorus::server::recovery
