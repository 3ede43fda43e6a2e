#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/fanout/broadcast_job.hpp"
#include "server/recovery/session_store.hpp"

namespace chorus::server::recovery {

// Where connection state recovery keeps sessions and stored packets when the cluster holds them
// for every node (--redis-mode streams: the Redis stream is the log, its entry ids the offsets),
// so that a client is recovered on whichever node it reaches. Implemented by the cluster
// adapter; its calls answer on the adapter's own thread, never the caller's.
class cluster_log {
 public:
  virtual ~cluster_log() = default;

  // Keeps a disconnected socket's session for the window. Any thread.
  virtual void persist(saved_session session) = 0;

  using taken_handler = std::function<void(std::optional<saved_session>)>;
  // The session `pid` left, if it is still kept and `offset` still in the log (else nullopt: a
  // failed recovery); used up either way. Any thread.
  virtual void take(std::string pid, std::string offset, taken_handler done) = 0;

  using missed_packets = std::vector<std::shared_ptr<const fanout::broadcast_job>>;
  using missed_handler = std::function<void(std::optional<missed_packets>)>;
  // What a member of `rooms` in `nsp` was sent after `offset`, oldest first, each job ending with
  // its offset; nullopt when the log could not be read. Any thread.
  virtual void missed_since(std::string offset, std::string nsp, std::vector<std::string> rooms,
                            missed_handler done) = 0;
};

}  // namespace chorus::server::recovery
