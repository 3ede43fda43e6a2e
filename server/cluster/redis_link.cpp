#include "server/cluster/redis_link.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace chorus::server::cluster {

redis_link::redis_link(redis_endpoint endpoint, redis_pubsub_verbs verbs)
    : verbs_(verbs), endpoint_(std::move(endpoint)) {
  redis_connection::options link;
  link.endpoint = endpoint_;
  link.name = "redis publish";
  publisher_ = redis_connection::create(context_.get_executor(), link);
  link.name = "redis subscribe";
  subscriber_ = redis_connection::create(context_.get_executor(), link);
  publisher_->on_state = [this](bool) { note_state(); };
  subscriber_->on_state = [this](bool) { note_state(); };
}

std::shared_ptr<redis_connection> redis_link::open_reader(std::string name) {
  redis_connection::options link;
  link.endpoint = endpoint_;
  link.name = std::move(name);
  auto reader = redis_connection::create(context_.get_executor(), link);
  reader->on_state = [this](bool) { note_state(); };
  readers_.push_back(reader);
  return reader;
}

void redis_link::note_state() {
  bool up = publisher_->up() && subscriber_->up();
  for (const auto& reader : readers_) up = up && reader->up();
  counters_.up.store(up, std::memory_order_relaxed);
}

void redis_link::stop() {
  if (!thread_.joinable()) return;
  asio::post(context_, [this] {
    publisher_->stop();
    subscriber_->stop();
    for (const auto& reader : readers_) reader->stop();
    context_.stop();
  });
  thread_.join();
}

void redis_link::start(
    std::function<void(std::string_view channel, std::string_view payload)> on_message) {
  subscriber_->on_message = std::move(on_message);
  publisher_->start();
  subscriber_->start();
  for (const auto& reader : readers_) reader->start();
  thread_ = std::thread([this] { context_.run(); });
}

void redis_link::subscribe(subscription_kind kind, std::string channel) {
  subscriber_->subscribe(kind, std::move(channel));
}

void redis_link::unsubscribe(subscription_kind kind, std::string channel) {
  subscriber_->unsubscribe(kind, std::move(channel));
}

bool redis_link::publish(std::string_view channel, std::string_view payload) {
  std::string_view argv[] = {verbs_.publish, channel, payload};
  if (publisher_->send(argv)) {
    counters_.published.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  counters_.dropped.fetch_add(1, std::memory_order_relaxed);
  return false;
}

bool redis_link::send(std::span<const std::string_view> argv,
                      std::function<void(const redis_reply&)> on_reply) {
  if (publisher_->send(argv, std::move(on_reply))) {
    counters_.published.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  counters_.dropped.fetch_add(1, std::memory_order_relaxed);
  return false;
}

awaitable<std::size_t> redis_link::count_subscribers(std::string channel,
                                                     std::chrono::milliseconds timeout) {
  auto asked =
      publisher_->command({"PUBSUB", std::string(verbs_.numsub), std::move(channel)}, timeout);
  redis_reply reply = co_await std::move(asked);
  if (reply.type == redis_reply::kind::error) throw cluster_error(reply.str);
  if (reply.type != redis_reply::kind::array || reply.elements.size() != 2 ||
      reply.elements[1].type != redis_reply::kind::integer)
    throw cluster_error(fmt::format("redis: unexpected answer to PUBSUB {}", verbs_.numsub));
  co_return static_cast<std::size_t>(std::max<long long>(reply.elements[1].integer, 0));
}

void redis_link::note_malformed(std::string_view what, std::string_view error) {
  counters_.malformed.fetch_add(1, std::memory_order_relaxed);
  auto now = std::chrono::steady_clock::now();
  if (now - last_malformed_log_ < std::chrono::seconds(1)) return;  // at most one line a second
  last_malformed_log_ = now;
  spdlog::warn("cluster: dropped a malformed {} from Redis: {} ({} so far)", what, error,
               counters_.malformed.load(std::memory_order_relaxed));
}

void redis_link::note_request(std::chrono::steady_clock::duration took, bool failed) {
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  counters_.request_micros.fetch_add(
      std::chrono::duration_cast<std::chrono::microseconds>(took).count(),
      std::memory_order_relaxed);
  if (failed) counters_.request_failures.fetch_add(1, std::memory_order_relaxed);
}

void redis_link::append_metrics(std::vector<metrics::family>& families) const {
  auto counter = [&families](std::string name, std::string help, double value) {
    families.push_back(
        {std::move(name), std::move(help), metrics::metric_type::counter, {{{}, value}}, {}});
  };
  auto read = [](const std::atomic<std::uint64_t>& c) {
    return static_cast<double>(c.load(std::memory_order_relaxed));
  };
  families.push_back({"chorus_cluster_redis_up",
                      "1 while every Redis connection (publish, subscribe, stream reader) is up",
                      metrics::metric_type::gauge,
                      {{{}, counters_.up.load(std::memory_order_relaxed) ? 1.0 : 0.0}},
                      {}});
  counter("chorus_cluster_messages_published_total",
          "Broadcasts, requests and responses handed to Redis", read(counters_.published));
  counter("chorus_cluster_messages_received_total",
          "Broadcasts from other nodes delivered to this node's sockets", read(counters_.received));
  counter("chorus_cluster_messages_dropped_total",
          "Messages not published because the Redis link was down or backed up",
          read(counters_.dropped));
  counter("chorus_cluster_messages_malformed_total",
          "Messages on the cluster's channels that could not be decoded",
          read(counters_.malformed));
  counter("chorus_cluster_requests_total",
          "Cluster requests this node asked (fetchSockets, allRooms, ...)",
          read(counters_.requests));
  counter("chorus_cluster_request_failures_total",
          "Cluster requests that timed out or found Redis down", read(counters_.request_failures));
  counter("chorus_cluster_request_seconds_total",
          "Time spent waiting for cluster requests (divide by requests_total for the mean)",
          read(counters_.request_micros) / 1e6);
}

}  // namespace chorus::server::cluster
