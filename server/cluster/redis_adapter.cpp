#include "server/cluster/redis_adapter.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <random>

#include "protocol/cluster/redis_messages.hpp"
#include "protocol/json/escape.hpp"
#include "server/cluster/redis_connection.hpp"
#include "server/server.hpp"

namespace chorus::server::cluster {

namespace wire = protocol::cluster;

namespace {

// uid2(6): the Node adapter's node and request ids.
std::string random_id() {
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string id(6, ' ');
  for (char& c : id) c = alphabet[pick(generator)];
  return id;
}

wire::broadcast_options options_of(const rooms::broadcast_target& target,
                                   const rooms::broadcast_flags& flags = {}) {
  wire::broadcast_options opts;
  opts.rooms = target.rooms;
  opts.except = target.except_rooms;
  opts.is_volatile = flags.is_volatile;
  return opts;
}

rooms::broadcast_target target_of(const wire::broadcast_options& opts) {
  return {opts.rooms, opts.except};
}

// socket.io's RemoteSocket list, as a fetch response carries it.
std::string sockets_json(const std::vector<fanout::socket_description>& sockets) {
  std::string out = "[";
  for (const auto& s : sockets) {
    if (out.size() > 1) out += ',';
    out += R"({"id":)";
    protocol::json::append_quoted(out, s.id);
    out += R"(,"handshake":)";
    out += s.handshake_json;
    out += R"(,"rooms":[)";
    for (std::size_t i = 0; i < s.rooms.size(); ++i) {
      if (i) out += ',';
      protocol::json::append_quoted(out, s.rooms[i]);
    }
    out += R"(],"data":)";
    out += s.data_json;
    out += '}';
  }
  out += ']';
  return out;
}

// The other way: a response's sockets array (bounded by the response's own size).
bool append_sockets(std::string_view json, std::vector<fanout::socket_description>& out) {
  simdjson::dom::parser parser;
  simdjson::dom::array array;
  if (parser.parse(json).get_array().get(array)) return false;
  for (simdjson::dom::element item : array) {
    simdjson::dom::object socket;
    std::string_view id;
    if (item.get_object().get(socket) || socket["id"].get_string().get(id)) return false;
    fanout::socket_description d;
    d.id = std::string(id);
    simdjson::dom::element handshake, data;
    d.handshake_json = socket["handshake"].get(handshake) ? "{}" : simdjson::minify(handshake);
    d.data_json = socket["data"].get(data) ? "{}" : simdjson::minify(data);
    simdjson::dom::array rooms;
    if (!socket["rooms"].get_array().get(rooms))
      for (simdjson::dom::element room : rooms) {
        std::string_view name;
        if (!room.get_string().get(name)) d.rooms.emplace_back(name);
      }
    out.push_back(std::move(d));
  }
  return true;
}

}  // namespace

// One request this node asked, until every node answered or the timeout.
struct redis_adapter::pending_request {
  wire::request_type type;
  std::size_t expected = 0;  // answers from other nodes
  std::size_t received = 0;
  std::vector<std::string> rooms;
  std::vector<fanout::socket_description> sockets;
  std::vector<std::string> replies;  // serverSideEmit's
  asio::steady_timer done;           // cancelled when the last answer arrives

  pending_request(wire::request_type t, std::size_t n, asio::any_io_executor ex)
      : type(t), expected(n), done(ex, asio::steady_timer::time_point::max()) {}
};

redis_adapter::redis_adapter(server& srv, redis_adapter_options options,
                             std::vector<std::string> namespaces, fanout::server_event_sink sink)
    : server_(srv),
      options_(std::move(options)),
      namespaces_(std::move(namespaces)),
      sink_(std::move(sink)),
      uid_(random_id()),
      local_(srv) {
  if (std::find(namespaces_.begin(), namespaces_.end(), "/") == namespaces_.end())
    namespaces_.push_back("/");
  for (const auto& nsp : namespaces_) {
    broadcast_prefixes_.emplace_back(nsp, broadcast_channel(nsp));
    channels_[request_channel(nsp)] = {channel_kind::request, nsp};
    channels_[response_channel(nsp)] = {channel_kind::response, nsp};
    channels_[wire::specific_response_channel(options_.key, nsp, uid_)] = {channel_kind::response,
                                                                           nsp};
  }
  redis_connection::options link;
  link.endpoint = options_.endpoint;
  link.name = "redis publish";
  publisher_ = redis_connection::create(link_.get_executor(), link);
  link.name = "redis subscribe";
  subscriber_ = redis_connection::create(link_.get_executor(), link);
  publisher_->on_state = [this](bool up) {
    counters_.up.store(up && subscriber_->up(), std::memory_order_relaxed);
  };
  subscriber_->on_state = [this](bool up) {
    counters_.up.store(up && publisher_->up(), std::memory_order_relaxed);
  };
  subscriber_->on_message = [this](std::string_view channel, std::string_view payload) {
    on_message(channel, payload);
  };
  subscribe_all();
  publisher_->start();
  subscriber_->start();
  thread_ = std::thread([this] { link_.run(); });
}

redis_adapter::~redis_adapter() {
  asio::post(link_, [this] {
    publisher_->stop();
    subscriber_->stop();
    link_.stop();
  });
  thread_.join();
}

std::string redis_adapter::broadcast_channel(std::string_view nsp) const {
  return wire::broadcast_channel(options_.key, nsp);
}
std::string redis_adapter::request_channel(std::string_view nsp) const {
  return wire::request_channel(options_.key, nsp);
}
std::string redis_adapter::response_channel(std::string_view nsp) const {
  return wire::response_channel(options_.key, nsp);
}

void redis_adapter::subscribe_all() {
  for (const auto& nsp : namespaces_)
    subscriber_->subscribe(subscription_kind::psubscribe, broadcast_channel(nsp) + "*");
  for (const auto& [channel, what] : channels_)
    subscriber_->subscribe(subscription_kind::subscribe, channel);
}

// ---- broadcasts -------------------------------------------------------------------------

void redis_adapter::broadcast(std::shared_ptr<const fanout::broadcast_job> job, shard* origin) {
  if (job->acks) {
    local_.deliver(job, origin);
    if (job->flags.local)
      job->acks->seal();
    else
      asio::co_spawn(link_, publish_with_acks(std::move(job)), asio::detached);
    return;
  }
  local_.broadcast(job, origin);
  if (job->flags.local) return;
  asio::post(link_, [this, job = std::move(job)] { publish_broadcast(*job); });
}

namespace {
wire::event_packet packet_of(const fanout::broadcast_job& job) {
  wire::event_packet packet;
  packet.nsp = job.nsp;
  packet.data_json = std::string(job.packets.front()->payload().substr(job.data_offset));
  for (std::size_t i = 1; i < job.packets.size(); ++i)
    packet.attachments.emplace_back(job.packets[i]->payload());
  return packet;
}
}  // namespace

awaitable<void> redis_adapter::publish_with_acks(std::shared_ptr<const fanout::broadcast_job> job) {
  std::size_t servers = 0;
  try {
    auto counted = count_servers(job->nsp);
    servers = co_await std::move(counted);
  } catch (const cluster_error&) {
    // The other nodes cannot be counted: wait for one report that will not come, so the
    // result says incomplete at the timeout rather than passing for the whole cluster's.
    job->acks->expect(1);
    job->acks->seal();
    co_return;
  }
  if (servers <= 1) {
    job->acks->seal();
    co_return;
  }
  std::string id = random_id();
  job->acks->expect(servers - 1);
  ack_broadcasts_[id] = job->acks;
  wire::broadcast_options opts = options_of(job->target, job->flags);
  opts.timeout_ms = static_cast<std::uint64_t>(job->ack_timeout.count());
  if (!publish(request_channel(job->nsp),
               wire::encode_broadcast_with_ack_request(uid_, id, packet_of(*job), opts)))
    job->acks->expect(1);  // not sent: incomplete at the timeout
  job->acks->seal();
  asio::steady_timer until(link_, job->ack_timeout);
  boost::system::error_code ec;
  co_await until.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  ack_broadcasts_.erase(id);
}

// Sums the shards' counts of a type 7 into the one type 8 the asking node expects; each client
// ack becomes a type 9. Called from shard threads: everything hops to the link thread.
class redis_adapter::remote_acks final : public fanout::ack_gatherer {
 public:
  remote_acks(redis_adapter& adapter, std::string nsp, std::string request_id)
      : adapter_(adapter), nsp_(std::move(nsp)), request_id_(std::move(request_id)) {}
  void delivered(std::size_t clients) override {
    asio::post(adapter_.link_, [this, self = self_.lock(), clients] {
      if (!self) return;
      clients_ += clients;
      if (++reports_ == adapter_.server_.shard_count())
        adapter_.publish(adapter_.response_channel(nsp_),
                         wire::encode_client_count_response(request_id_, clients_));
    });
  }
  void acked(std::string first_arg_json) override {
    asio::post(adapter_.link_, [this, self = self_.lock(), json = std::move(first_arg_json)] {
      if (!self) return;
      adapter_.publish(adapter_.response_channel(nsp_),
                       wire::encode_broadcast_ack_response(request_id_, json, {}));
    });
  }
  std::weak_ptr<remote_acks> self_;

 private:
  redis_adapter& adapter_;
  std::string nsp_;
  std::string request_id_;
  std::size_t clients_ = 0;
  std::size_t reports_ = 0;
};

void redis_adapter::deliver_for_node(const std::string& nsp, wire::redis_request& request) {
  auto acks = std::make_shared<remote_acks>(*this, nsp, request.request_id);
  acks->self_ = acks;
  std::uint64_t id = fanout::next_broadcast_ack_id();
  auto job = fanout::make_event_job(nsp, id, request.packet.attachments, request.packet.data_json);
  job->target = target_of(request.opts);
  job->flags.local = true;
  job->acks = acks;
  job->ack_id = id;
  job->ack_timeout = request.opts.timeout_ms ? std::chrono::milliseconds(*request.opts.timeout_ms)
                                             : options_.requests_timeout;
  local_.deliver(job, nullptr);
}

void redis_adapter::publish_broadcast(const fanout::broadcast_job& job) {
  std::string channel = job.target.rooms.size() == 1
                            ? wire::room_channel(options_.key, job.nsp, job.target.rooms.front())
                            : broadcast_channel(job.nsp);
  publish(channel,
          wire::encode_redis_broadcast(uid_, packet_of(job), options_of(job.target, job.flags)));
}

bool redis_adapter::publish(const std::string& channel, const std::string& payload) {
  std::string_view argv[] = {"PUBLISH", channel, payload};
  if (publisher_->send(argv)) {
    counters_.published.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  counters_.dropped.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void redis_adapter::on_message(std::string_view channel, std::string_view payload) {
  if (auto it = channels_.find(channel); it != channels_.end()) {
    if (it->second.first == channel_kind::request)
      on_request(it->second.second, payload);
    else
      on_response(payload);
    return;
  }
  // A broadcast: "<key>#<nsp>#" or "<key>#<nsp>#<room>#". The room needs no check of its own:
  // the packet's options name it too.
  for (const auto& [nsp, prefix] : broadcast_prefixes_)
    if (channel.starts_with(prefix)) return on_broadcast(nsp, payload);
}

void redis_adapter::on_broadcast(const std::string& nsp, std::string_view payload) {
  std::string error;
  auto message = wire::decode_redis_broadcast(payload, error);
  if (!message) return note_malformed("broadcast", error);
  if (message->uid == uid_ || message->packet.nsp != nsp) return;
  auto job = fanout::make_event_job(nsp, std::nullopt, message->packet.attachments,
                                    message->packet.data_json);
  job->target = target_of(message->opts);
  job->flags.is_volatile = message->opts.is_volatile;
  job->flags.local = true;
  counters_.received.fetch_add(1, std::memory_order_relaxed);
  local_.broadcast(std::move(job), nullptr);
}

void redis_adapter::note_malformed(std::string_view what, std::string_view error) {
  counters_.malformed.fetch_add(1, std::memory_order_relaxed);
  auto now = std::chrono::steady_clock::now();
  if (now - last_malformed_log_ < std::chrono::seconds(1)) return;  // at most one line a second
  last_malformed_log_ = now;
  spdlog::warn("cluster: dropped a malformed {} from Redis: {} ({} so far)", what, error,
               counters_.malformed.load(std::memory_order_relaxed));
}

// ---- requests from other nodes (and this node's own, echoed) -------------------------------

void redis_adapter::on_request(const std::string& nsp, std::string_view payload) {
  std::string error;
  auto request = wire::decode_redis_request(payload, error);
  if (!request) return note_malformed("request", error);
  using type = wire::request_type;
  switch (request->type) {
    case type::all_rooms:
      if (pending_.contains(request->request_id)) return;  // our own
      asio::co_spawn(link_, answer_all_rooms(nsp, request->request_id), asio::detached);
      return;
    case type::remote_fetch:
      if (pending_.contains(request->request_id)) return;
      asio::co_spawn(link_, answer_fetch(nsp, request->request_id, target_of(request->opts), false),
                     asio::detached);
      return;
    case type::sockets:  // legacy (socket.io < 4): the ids in some rooms
      if (pending_.contains(request->request_id)) return;
      asio::co_spawn(link_, answer_fetch(nsp, request->request_id, {request->rooms, {}}, true),
                     asio::detached);
      return;
    // Applied when they come back, the sender's own included, exactly once (not filtered).
    case type::remote_join:
    case type::remote_leave: {
      bool join = request->type == type::remote_join;
      rooms::broadcast_target target = target_of(request->opts);
      std::vector<std::string> rooms = request->rooms;
      if (request->legacy) {  // {requestId, sid, room}: one socket
        target = {{request->sid}, {}};
        rooms = {request->room};
      }
      if (join)
        local_.sockets_join(nsp, std::move(target), std::move(rooms));
      else
        local_.sockets_leave(nsp, std::move(target), std::move(rooms));
      return;
    }
    case type::remote_disconnect: {
      rooms::broadcast_target target = target_of(request->opts);
      if (request->legacy) target = {{request->sid}, {}};
      local_.disconnect_sockets(nsp, std::move(target), request->close);
      return;
    }
    case type::server_side_emit: {
      if (request->uid == uid_ || !sink_) return;
      std::function<void(std::string)> reply;
      if (!request->request_id.empty())
        reply = [this, nsp, id = request->request_id](std::string json) {
          asio::post(link_, [this, nsp, id, json = std::move(json)] {
            publish(response_channel(nsp), wire::encode_server_side_emit_response(id, json));
          });
        };
      sink_(nsp, std::move(request->data_json), std::move(reply));
      return;
    }
    case type::broadcast:                                         // with acks
      if (ack_broadcasts_.contains(request->request_id)) return;  // our own
      deliver_for_node(nsp, *request);
      return;
    default:
      return;
  }
}

awaitable<void> redis_adapter::answer_all_rooms(std::string nsp, std::string request_id) {
  auto asked = local_.room_names(nsp);
  std::vector<std::string> rooms = co_await std::move(asked);
  publish(response_channel(nsp), wire::encode_all_rooms_response(request_id, rooms));
}

awaitable<void> redis_adapter::answer_fetch(std::string nsp, std::string request_id,
                                            rooms::broadcast_target target, bool ids_only) {
  auto asked = local_.fetch_sockets(nsp, std::move(target));
  std::vector<fanout::socket_description> found = co_await std::move(asked);
  std::string sockets;
  if (ids_only) {  // the legacy SOCKETS answer: {requestId, sockets: [sid, ...]}
    sockets = "[";
    for (const auto& s : found) {
      if (sockets.size() > 1) sockets += ',';
      protocol::json::append_quoted(sockets, s.id);
    }
    sockets += ']';
  } else {
    sockets = sockets_json(found);
  }
  publish(response_channel(nsp), wire::encode_fetch_response(request_id, sockets));
}

void redis_adapter::on_response(std::string_view payload) {
  std::string error;
  auto response = wire::decode_redis_response(payload, error);
  if (!response) return note_malformed("response", error);
  if (response->type == wire::request_type::broadcast_client_count ||
      response->type == wire::request_type::broadcast_ack) {
    auto found = ack_broadcasts_.find(response->request_id);
    if (found == ack_broadcasts_.end()) return;  // another node's, or after the timeout
    if (response->type == wire::request_type::broadcast_client_count)
      found->second->delivered(response->client_count);
    else
      found->second->acked(response->data_json.empty() ? "null" : response->data_json);
    return;
  }
  auto it = pending_.find(response->request_id);
  if (it == pending_.end()) return;  // another node's, or too late
  pending_request& pending = *it->second;
  if (pending.type == wire::request_type::all_rooms) {
    pending.rooms.insert(pending.rooms.end(), response->rooms.begin(), response->rooms.end());
  } else if (pending.type == wire::request_type::server_side_emit) {
    pending.replies.push_back(std::move(response->data_json));
  } else if (pending.type == wire::request_type::remote_fetch) {
    if (!append_sockets(response->sockets_json, pending.sockets))
      return note_malformed("fetch response", "sockets is not an array of sockets");
  }
  if (++pending.received >= pending.expected) pending.done.cancel();
}

// ---- requests this node asks ---------------------------------------------------------------

template <class T>
awaitable<T> redis_adapter::on_link(awaitable<T> work) {
  auto running = asio::co_spawn(link_.get_executor(), std::move(work), asio::use_awaitable);
  co_return co_await std::move(running);
}

awaitable<std::size_t> redis_adapter::count_servers(std::string nsp) {
  auto asked =
      publisher_->command({"PUBSUB", "NUMSUB", request_channel(nsp)}, options_.requests_timeout);
  redis_reply reply = co_await std::move(asked);
  if (reply.type == redis_reply::kind::error) throw cluster_error(reply.str);
  if (reply.type != redis_reply::kind::array || reply.elements.size() != 2 ||
      reply.elements[1].type != redis_reply::kind::integer)
    throw cluster_error("redis: unexpected answer to PUBSUB NUMSUB");
  co_return static_cast<std::size_t>(std::max<long long>(reply.elements[1].integer, 0));
}

awaitable<std::shared_ptr<redis_adapter::pending_request>> redis_adapter::ask_nodes(
    std::string nsp, std::string request_id, std::string payload) {
  auto started = std::chrono::steady_clock::now();
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  auto pending = pending_.at(request_id);
  pending->done.expires_after(options_.requests_timeout);
  bool sent = publish(request_channel(nsp), payload);
  boost::system::error_code ec;
  if (sent) co_await pending->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  pending_.erase(request_id);
  counters_.request_micros.fetch_add(std::chrono::duration_cast<std::chrono::microseconds>(
                                         std::chrono::steady_clock::now() - started)
                                         .count(),
                                     std::memory_order_relaxed);
  if (!sent || pending->received < pending->expected) {
    counters_.request_failures.fetch_add(1, std::memory_order_relaxed);
    if (!sent) throw cluster_error("redis: not connected");
    throw cluster_error(fmt::format("cluster: timed out after {} ms ({} of {} nodes answered)",
                                    options_.requests_timeout.count(), pending->received,
                                    pending->expected));
  }
  co_return pending;
}

awaitable<std::vector<std::string>> redis_adapter::all_rooms_on_link(std::string nsp) {
  auto counted = count_servers(nsp);
  std::size_t servers = co_await std::move(counted);
  auto local = local_.room_names(nsp);
  std::vector<std::string> rooms = co_await std::move(local);
  if (servers > 1) {
    std::string id = random_id();
    pending_[id] = std::make_shared<pending_request>(wire::request_type::all_rooms, servers - 1,
                                                     link_.get_executor());
    auto asked = ask_nodes(nsp, id, wire::encode_all_rooms_request(uid_, id));
    auto answered = co_await std::move(asked);
    rooms.insert(rooms.end(), answered->rooms.begin(), answered->rooms.end());
  }
  std::sort(rooms.begin(), rooms.end());
  rooms.erase(std::unique(rooms.begin(), rooms.end()), rooms.end());
  co_return rooms;
}

awaitable<std::vector<fanout::socket_description>> redis_adapter::fetch_on_link(
    std::string nsp, rooms::broadcast_target target) {
  auto counted = count_servers(nsp);
  std::size_t servers = co_await std::move(counted);
  auto local = local_.fetch_sockets(nsp, target);
  std::vector<fanout::socket_description> sockets = co_await std::move(local);
  if (servers > 1) {
    std::string id = random_id();
    pending_[id] = std::make_shared<pending_request>(wire::request_type::remote_fetch, servers - 1,
                                                     link_.get_executor());
    auto asked = ask_nodes(nsp, id, wire::encode_fetch_request(uid_, id, options_of(target)));
    auto answered = co_await std::move(asked);
    std::move(answered->sockets.begin(), answered->sockets.end(), std::back_inserter(sockets));
  }
  co_return sockets;
}

awaitable<std::vector<std::string>> redis_adapter::room_names(std::string nsp) {
  return on_link(all_rooms_on_link(std::move(nsp)));
}

awaitable<std::vector<fanout::socket_description>> redis_adapter::fetch_sockets(
    std::string nsp, rooms::broadcast_target target) {
  return on_link(fetch_on_link(std::move(nsp), std::move(target)));
}

awaitable<std::vector<std::string>> redis_adapter::room_members(std::string nsp, std::string room) {
  auto fetched = fetch_sockets(std::move(nsp), {{std::move(room)}, {}});
  std::vector<fanout::socket_description> sockets = co_await std::move(fetched);
  std::vector<std::string> ids;
  ids.reserve(sockets.size());
  for (auto& s : sockets) ids.push_back(std::move(s.id));
  co_return ids;
}

awaitable<std::size_t> redis_adapter::room_size(std::string nsp, std::string room) {
  auto fetched = room_members(std::move(nsp), std::move(room));
  std::vector<std::string> ids = co_await std::move(fetched);
  co_return ids.size();
}

awaitable<std::size_t> redis_adapter::server_count(std::string nsp) {
  return on_link(count_servers(std::move(nsp)));
}

void redis_adapter::server_side_emit(std::string nsp, std::string data_json) {
  asio::post(link_, [this, nsp = std::move(nsp), data_json = std::move(data_json)] {
    publish(request_channel(nsp), wire::encode_server_side_emit(uid_, data_json, ""));
  });
}

awaitable<fanout::server_replies> redis_adapter::emit_with_ack_on_link(std::string nsp,
                                                                       std::string data_json) {
  auto counted = count_servers(nsp);
  std::size_t servers = co_await std::move(counted);
  fanout::server_replies result;
  if (servers <= 1) co_return result;
  std::string id = random_id();
  auto pending = std::make_shared<pending_request>(wire::request_type::server_side_emit,
                                                   servers - 1, link_.get_executor());
  pending_[id] = pending;
  try {
    auto asked = ask_nodes(nsp, id, wire::encode_server_side_emit(uid_, data_json, id));
    co_await std::move(asked);
  } catch (const cluster_error&) {
    result.complete = false;  // socket.io too hands over the replies that came
  }
  result.replies = std::move(pending->replies);
  co_return result;
}

awaitable<fanout::server_replies> redis_adapter::server_side_emit_with_ack(std::string nsp,
                                                                           std::string data_json) {
  return on_link(emit_with_ack_on_link(std::move(nsp), std::move(data_json)));
}

void redis_adapter::publish_or_apply(std::string nsp, std::string payload,
                                     std::function<void()> apply) {
  asio::post(link_,
             [this, nsp = std::move(nsp), payload = std::move(payload), apply = std::move(apply)] {
               if (!publish(request_channel(nsp), payload)) apply();
             });
}

void redis_adapter::sockets_join(std::string nsp, rooms::broadcast_target target,
                                 std::vector<std::string> rooms) {
  std::string payload =
      wire::encode_rooms_request(wire::request_type::remote_join, uid_, options_of(target), rooms);
  publish_or_apply(nsp, std::move(payload),
                   [this, nsp, target, rooms] { local_.sockets_join(nsp, target, rooms); });
}

void redis_adapter::sockets_leave(std::string nsp, rooms::broadcast_target target,
                                  std::vector<std::string> rooms) {
  std::string payload =
      wire::encode_rooms_request(wire::request_type::remote_leave, uid_, options_of(target), rooms);
  publish_or_apply(nsp, std::move(payload),
                   [this, nsp, target, rooms] { local_.sockets_leave(nsp, target, rooms); });
}

void redis_adapter::disconnect_sockets(std::string nsp, rooms::broadcast_target target,
                                       bool close_connection) {
  std::string payload = wire::encode_disconnect_request(uid_, options_of(target), close_connection);
  publish_or_apply(nsp, std::move(payload), [this, nsp, target, close_connection] {
    local_.disconnect_sockets(nsp, target, close_connection);
  });
}

awaitable<void> redis_adapter::close_room(std::string nsp, std::string room) {
  sockets_leave(std::move(nsp), {{room}, {}}, {room});
  co_return;
}

void redis_adapter::append_metrics(std::vector<metrics::family>& families) const {
  auto counter = [&families](std::string name, std::string help, double value) {
    families.push_back(
        {std::move(name), std::move(help), metrics::metric_type::counter, {{{}, value}}, {}});
  };
  auto read = [](const std::atomic<std::uint64_t>& c) {
    return static_cast<double>(c.load(std::memory_order_relaxed));
  };
  families.push_back({"chorus_cluster_redis_up",
                      "1 while both Redis connections (publish and subscribe) are up",
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
