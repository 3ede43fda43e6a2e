#pragma once

#include <any>
#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace chorus::server::recovery {

// What a socket leaves behind when its connection drops (socket.io's SessionToPersist): enough
// to come back as the same socket.
struct saved_session {
  std::string pid;  // the private id the client presents to come back (never shown to others)
  std::string sid;
  std::string nsp;
  std::vector<std::string> rooms;  // its own room included
  std::any data;                   // the application's socket::data()
  std::string data_json;           // and what fetchSockets shows of it
};

// Sessions of disconnected sockets by pid, each kept for `window` after its disconnection. Not
// thread-safe: state_recovery locks.
class session_store {
 public:
  using clock = std::chrono::steady_clock;

  session_store(std::chrono::milliseconds window, std::size_t max_sessions)
      : window_(window), max_sessions_(max_sessions) {}

  // Over max_sessions the oldest is forgotten first.
  void save(saved_session session, clock::time_point now);
  // The session of `pid` in `nsp`, removed from the store (a pid comes back once); nullopt when
  // unknown, expired (then forgotten) or of another namespace (then kept for its owner).
  std::optional<saved_session> take(const std::string& pid, const std::string& nsp,
                                    clock::time_point now);
  std::size_t size() const { return sessions_.size(); }
  // Forgets the sessions older than the window.
  void expire(clock::time_point now);

 private:
  struct stored {
    saved_session session;
    clock::time_point disconnected_at;
  };

  // Drops the oldest entry of by_age_ and its session, if that entry is the session's latest save.
  void drop_oldest();

  std::chrono::milliseconds window_;
  std::size_t max_sessions_;
  std::unordered_map<std::string, stored> sessions_;
  // (pid, disconnected_at) in save order, so that expiry needs no scan; an entry whose session
  // was taken or saved again is skipped.
  std::deque<std::pair<std::string, clock::time_point>> by_age_;
};

}  // namespace chorus::server::recovery
