#include "server/cluster/pending_requests.hpp"

#include <fmt/format.h>

#include <boost/asio/redirect_error.hpp>

namespace chorus::server::cluster {

std::shared_ptr<pending_request> pending_requests::open(const std::string& id, answer_kind kind,
                                                        std::size_t expected) {
  auto request = std::make_shared<pending_request>(kind, expected, link_.executor());
  requests_[id] = request;
  return request;
}

pending_request* pending_requests::find(const std::string& id) {
  auto it = requests_.find(id);
  return it == requests_.end() ? nullptr : it->second.get();
}

awaitable<void> pending_requests::wait(std::string id, bool sent) {
  auto started = std::chrono::steady_clock::now();
  auto request = requests_.at(id);
  boost::system::error_code ec;
  if (sent) {
    request->done.expires_after(timeout_);
    if (request->received < request->expected)
      co_await request->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  requests_.erase(id);
  bool complete = sent && request->received >= request->expected;
  link_.note_request(std::chrono::steady_clock::now() - started, !complete);
  if (!sent) throw cluster_error("redis: not connected");
  if (!complete)
    throw cluster_error(fmt::format("cluster: timed out after {} ms ({} of {} nodes answered)",
                                    timeout_.count(), request->received, request->expected));
}

}  // namespace chorus::server::cluster
