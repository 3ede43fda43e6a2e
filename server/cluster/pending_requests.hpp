#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/asio.hpp"
#include "server/cluster/redis_link.hpp"
#include "server/fanout/socket_description.hpp"

namespace chorus::server::cluster {

// What a request gathers from the other nodes.
enum class answer_kind { rooms, sockets, replies };

// One request this node asked, until every other node answered or the timeout.
struct pending_request {
  answer_kind kind;
  std::size_t expected = 0;  // answers from other nodes
  std::size_t received = 0;
  std::vector<std::string> rooms;
  std::vector<fanout::socket_description> sockets;
  std::vector<std::string> replies;  // serverSideEmit's
  asio::steady_timer done;           // cancelled when the last answer arrives

  pending_request(answer_kind k, std::size_t n, asio::any_io_executor ex)
      : kind(k), expected(n), done(ex, asio::steady_timer::time_point::max()) {}
  // One more answer (already added to the lists); the last wakes the asker.
  void answered() {
    if (++received >= expected) done.cancel();
  }
};

// The requests this node asked and still waits on, by request id. Link thread only.
class pending_requests {
 public:
  pending_requests(redis_link& link, std::chrono::milliseconds timeout)
      : link_(link), timeout_(timeout) {}

  std::shared_ptr<pending_request> open(const std::string& id, answer_kind kind,
                                        std::size_t expected);
  // null when the id is not (or no longer) asked here.
  pending_request* find(const std::string& id);
  bool contains(const std::string& id) const { return requests_.contains(id); }

  // The request opened under `id`, once `sent` (false: it could not be published), waits for
  // its answers or the timeout, is closed and counted. Throws cluster_error unless every
  // answer came; the answers that did stay in the request.
  awaitable<void> wait(std::string id, bool sent);

 private:
  redis_link& link_;
  std::chrono::milliseconds timeout_;
  std::unordered_map<std::string, std::shared_ptr<pending_request>> requests_;
};

}  // namespace chorus::server::cluster
