#include "server/metrics/families.hpp"

#include <map>
#include <set>
#include <string>

namespace chorus::server::metrics {
namespace {

constexpr std::string_view transport_names[transport_count] = {"polling", "websocket"};

// One unlabelled counter, summed over shards.
family counter(std::string name, std::string help, std::span<const shard_metrics* const> shards,
               owned_counter shard_metrics::*which) {
  std::uint64_t total = 0;
  for (const shard_metrics* m : shards) total += (m->*which).value();
  return {std::move(name),
          std::move(help),
          metric_type::counter,
          {{{}, static_cast<double>(total)}},
          {}};
}

family disconnects(std::string name, std::string help, std::span<const shard_metrics* const> shards,
                   bool socket_level) {
  family f{std::move(name), std::move(help), metric_type::counter, {}, {}};
  for (std::size_t r = 0; r < disconnect_reason_count; ++r) {
    auto reason = static_cast<disconnect_reason>(r);
    // Only a Socket.IO socket leaves a namespace; an Engine.IO session never ends that way.
    bool namespace_only = reason == disconnect_reason::client_namespace_disconnect ||
                          reason == disconnect_reason::server_namespace_disconnect;
    if (namespace_only && !socket_level) continue;
    std::uint64_t total = 0;
    for (const shard_metrics* m : shards)
      total += (socket_level ? m->socket_disconnects[r] : m->session_closes[r]).value();
    f.samples.push_back({{{"reason", std::string(to_string(reason))}}, static_cast<double>(total)});
  }
  return f;
}

family histogram(std::string name, std::string help, std::span<const shard_metrics* const> shards,
                 const latency_histogram shard_metrics::*which) {
  histogram_sample h;
  h.upper_bounds.assign(latency_histogram::upper_bounds_seconds.begin(),
                        latency_histogram::upper_bounds_seconds.end());
  h.bucket_counts.assign(latency_histogram::bucket_count, 0);
  for (const shard_metrics* m : shards) {
    auto counts = (m->*which).bucket_counts();
    for (std::size_t i = 0; i < counts.size(); ++i) h.bucket_counts[i] += counts[i];
    h.sum += (m->*which).sum_seconds();
  }
  return {std::move(name), std::move(help), metric_type::histogram, {}, {std::move(h)}};
}

family connections_open(std::span<const shard_metrics* const> shards) {
  family f{"chorus_connections_open",
           "Engine.IO sessions open, by current transport and by shard (an upgraded session "
           "counts as websocket)",
           metric_type::gauge,
           {},
           {}};
  for (std::size_t s = 0; s < shards.size(); ++s)
    for (std::size_t t = 0; t < transport_count; ++t)
      f.samples.push_back(
          {{{"transport", std::string(transport_names[t])}, {"shard", std::to_string(s)}},
           static_cast<double>(shards[s]->sessions_open[t].value())});
  return f;
}

family connections_accepted(std::span<const shard_metrics* const> shards) {
  family f{"chorus_connections_accepted_total",
           "Engine.IO sessions opened (handshakes), by the transport they started on",
           metric_type::counter,
           {},
           {}};
  for (std::size_t t = 0; t < transport_count; ++t) {
    std::uint64_t total = 0;
    for (const shard_metrics* m : shards) total += m->sessions_opened[t].value();
    f.samples.push_back(
        {{{"transport", std::string(transport_names[t])}}, static_cast<double>(total)});
  }
  return f;
}

// Namespaces, sockets per namespace and distinct rooms per namespace, over every shard.
std::vector<family> namespace_families(std::span<const shard_census> census) {
  std::map<std::string, std::size_t, std::less<>> sockets;
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> rooms;
  for (const shard_census& shard : census) {
    for (const namespace_census& n : shard.namespaces) {
      sockets[n.nsp] += n.sockets;
      auto& names = rooms[n.nsp];
      names.insert(n.rooms.begin(), n.rooms.end());
    }
  }
  family nsps{"chorus_socketio_namespaces",
              "Socket.IO namespaces with at least one socket",
              metric_type::gauge,
              {{{}, static_cast<double>(sockets.size())}},
              {}};
  family per_nsp{"chorus_socketio_sockets",
                 "Socket.IO sockets connected, by namespace",
                 metric_type::gauge,
                 {},
                 {}};
  family room_count{"chorus_socketio_rooms",
                    "Rooms with at least one member, by namespace (each socket's own room, named "
                    "by its id, not counted)",
                    metric_type::gauge,
                    {},
                    {}};
  for (const auto& [nsp, count] : sockets) {
    per_nsp.samples.push_back({{{"namespace", nsp}}, static_cast<double>(count)});
    room_count.samples.push_back({{{"namespace", nsp}}, static_cast<double>(rooms[nsp].size())});
  }
  return {std::move(nsps), std::move(per_nsp), std::move(room_count)};
}

// The unlabelled counters, in the order they are exposed.
struct counter_spec {
  std::string_view name;
  std::string_view help;
  owned_counter shard_metrics::*member;
};
const counter_spec plain_counters[] = {
    {"chorus_socketio_events_received_total",
     "Socket.IO EVENT and BINARY_EVENT packets received from clients", &shard_metrics::events_in},
    {"chorus_engineio_packets_received_total",
     "Engine.IO packets read from clients (each packet of a polling body, each WebSocket message)",
     &shard_metrics::packets_in},
    {"chorus_engineio_packets_sent_total",
     "Engine.IO packets written to clients (messages, attachments, pings)",
     &shard_metrics::packets_out},
    {"chorus_broadcast_passes_total",
     "Broadcasts delivered by a shard (a broadcast counts once per shard)",
     &shard_metrics::broadcast_passes},
    {"chorus_broadcast_deliveries_total", "Sockets a broadcast was queued for (one per recipient)",
     &shard_metrics::broadcast_deliveries},
    {"chorus_transport_received_bytes_total",
     "Bytes received: WebSocket frames as read, polling POST bodies", &shard_metrics::bytes_in},
    {"chorus_transport_sent_bytes_total",
     "Bytes sent: WebSocket frames as written, polling GET bodies", &shard_metrics::bytes_out},
    {"chorus_volatile_dropped_total",
     "Volatile packets dropped because the connection's queue was full",
     &shard_metrics::volatile_dropped},
    {"chorus_queue_over_bound_total",
     "Connections whose queue passed --max-queued-bytes (then closed: write queue full)",
     &shard_metrics::queue_over_bound},
};

}  // namespace

std::vector<family> make_families(std::span<const shard_metrics* const> shards,
                                  std::span<const shard_census> census) {
  std::vector<family> all;
  all.push_back({"chorus_shards",
                 "Shards (threads) serving connections",
                 metric_type::gauge,
                 {{{}, static_cast<double>(shards.size())}},
                 {}});
  all.push_back(connections_open(shards));
  all.push_back(connections_accepted(shards));
  all.push_back(counter("chorus_tcp_connections_accepted_total",
                        "TCP connections accepted (HTTP, polling and WebSocket alike)", shards,
                        &shard_metrics::tcp_accepted));
  for (family& f : namespace_families(census)) all.push_back(std::move(f));
  for (const counter_spec& c : plain_counters)
    all.push_back(counter(std::string(c.name), std::string(c.help), shards, c.member));
  all.push_back(disconnects("chorus_socketio_disconnects_total",
                            "Socket.IO sockets disconnected, by reason", shards, true));
  all.push_back(disconnects("chorus_engineio_disconnects_total",
                            "Engine.IO sessions closed, by reason", shards, false));
  all.push_back(histogram("chorus_event_handler_duration_seconds",
                          "Time spent running one Socket.IO event handler", shards,
                          &shard_metrics::handler_latency));
  all.push_back(histogram("chorus_fanout_inbox_latency_seconds",
                          "Time from a broadcast being issued to its delivery pass on another "
                          "shard (the cross-shard inbox wait)",
                          shards, &shard_metrics::fanout_latency));
  all.push_back(histogram("chorus_fanout_write_latency_seconds",
                          "Time from a broadcast being issued to the end of the write pass that "
                          "sent it to this shard's WebSocket recipients (one per shard reached)",
                          shards, &shard_metrics::fanout_write_latency));
  return all;
}

}  // namespace chorus::server::metrics
