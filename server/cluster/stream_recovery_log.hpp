#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "protocol/cluster/cluster_messages.hpp"
#include "server/asio.hpp"
#include "server/recovery/cluster_log.hpp"

namespace chorus::server::cluster {

class redis_link;

// Connection state recovery as @socket.io/redis-streams-adapter 0.3.1 keeps it (SCALEOUT.md §3,
// §4), so that chorus and Node.js nodes recover each other's clients:
//   - a session is `SET sio:session:<pid> <base64 msgpack {sid,pid,rooms,data}> PX <window>`;
//   - the stream is the log: a stored packet is a BROADCAST entry (type 3, no request id), its
//     entry id the offset the client is sent (the last argument of the event);
//   - coming back: an offset that is not "<ms>-<seq>" fails at once (the session stays); else
//     GETDEL of the session and `XRANGE <stream> <offset> <offset>` (the offset must still be in
//     the stream); then `XRANGE <stream> <next id> + COUNT 100`, at most 100 times, keeping the
//     BROADCASTs of the namespace that reach the session's rooms.
// The Node adapter takes the session with MULTI GET DEL; GETDEL (Redis >= 6.2) does the same in
// one command, without a transaction on the connection every publish shares.
// Everything runs on the link's thread; the handlers are called there.
class stream_recovery_log final : public recovery::cluster_log {
 public:
  stream_recovery_log(redis_link& link, std::string stream, std::chrono::milliseconds window,
                      std::chrono::milliseconds timeout);

  void persist(recovery::saved_session session) override;
  void take(std::string pid, std::string offset, taken_handler done) override;
  void missed_since(std::string offset, std::string nsp, std::vector<std::string> rooms,
                    missed_handler done) override;

  // Entries read per XRANGE, and XRANGE calls per recovery at most (the Node adapter's readCount
  // and RESTORE_SESSION_MAX_XRANGE_CALLS).
  static constexpr int read_count = 100;
  static constexpr int max_reads = 100;

  // Whether socket.io stores the broadcast `message` (an EVENT without ack, not volatile): what
  // a recovering client gets again.
  static bool stores(const protocol::cluster::cluster_message& message);
  // The job that delivers the stored broadcast `message` of entry `id` (text `id_text`): its
  // event ends with the entry id, its offset.
  static std::shared_ptr<fanout::broadcast_job> stored_job(
      const protocol::cluster::cluster_message& message, std::string_view id_text,
      protocol::cluster::stream_id id);

 private:
  awaitable<void> take_session(std::string pid, std::string offset, taken_handler done);
  awaitable<void> read_missed(std::string offset, std::string nsp, std::vector<std::string> rooms,
                              missed_handler done);

  redis_link& link_;
  std::string stream_;
  std::chrono::milliseconds window_;
  std::chrono::milliseconds timeout_;
};

}  // namespace chorus::server::cluster
