#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/fanout/broadcast_job.hpp"

namespace chorus::server::recovery {

// The packets a reconnecting client may have missed (connection state recovery): every stored
// broadcast and direct emit of the node, oldest first, each numbered (its offset) and kept for
// `window` and while the log holds at most `max_bytes`. Not thread-safe: state_recovery locks.
class packet_log {
 public:
  using clock = std::chrono::steady_clock;

  packet_log(std::chrono::milliseconds window, std::size_t max_bytes);

  // Numbers `job`, stores it, and returns the copy every recipient gets: the same packets but
  // the first, whose data array ends with the offset as one more argument (encoded once, here).
  std::shared_ptr<const fanout::broadcast_job> append(const fanout::broadcast_job& job,
                                                      clock::time_point now);

  // What a member of `member_rooms` in `nsp` was sent after packet `after`, oldest first; nullopt
  // when `after` is no longer (or never was) in the log: then what was missed cannot be known.
  std::optional<std::vector<std::shared_ptr<const fanout::broadcast_job>>> missed_since(
      std::uint64_t after, const std::string& nsp, const std::vector<std::string>& member_rooms,
      clock::time_point now);

  // The offset of the newest packet (0: none yet).
  std::uint64_t last_seq() const { return next_seq_ - 1; }
  std::size_t bytes() const { return bytes_; }
  std::size_t size() const { return entries_.size(); }
  // Drops what is older than the window.
  void expire(clock::time_point now);

  // What one stored packet costs: its frames and the job around them.
  static std::size_t footprint(const fanout::broadcast_job& job);

 private:
  struct entry {
    std::uint64_t seq;
    clock::time_point stored;
    std::size_t bytes;
    std::shared_ptr<const fanout::broadcast_job> job;
  };

  std::chrono::milliseconds window_;
  std::size_t max_bytes_;
  std::deque<entry> entries_;  // seq ascending, consecutive
  std::uint64_t next_seq_ = 1;
  std::size_t bytes_ = 0;
};

}  // namespace chorus::server::recovery
