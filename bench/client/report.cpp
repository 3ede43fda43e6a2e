#include "bench/client/report.hpp"

#include <fmt/format.h>

#include <iterator>

namespace chorus::bench {

namespace {

double per_item(double us, std::uint64_t items) {
  return items ? us / static_cast<double>(items) : 0;
}
double us(std::uint64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}

template <typename T>
std::string json_or_null(const std::optional<T>& v, const char* format = "{}") {
  return v ? fmt::format(fmt::runtime(format), *v) : "null";
}

std::string workers(unsigned n) {
  return n == 1 ? "1 worker" : fmt::format("{} workers", n);
}

}  // namespace

namespace {

std::string scenario_headline(const run_report& r) {
  const auto& o = r.options;
  std::string transports =
      r.polling_connections ? fmt::format(", {} on polling", r.polling_connections) : "";
  switch (o.kind) {
    case scenario::fanout:
      return fmt::format(
          "fanout: {} rooms × {} subscribers, {} publishers, {} B payload, {} in flight{}{}, {}",
          o.rooms, o.subscribers, o.publishers, o.payload, o.in_flight,
          o.rate > 0 ? fmt::format(", {} msgs/s", o.rate) : "", transports, workers(o.workers));
    case scenario::echo:
      return fmt::format("echo: {} connections to {}{}, {} in flight, {} B payload, {}, {}",
                         o.connections, o.nsp, transports, o.in_flight, o.payload,
                         o.ack ? "acks" : fmt::format("replies as `{}`", o.reply_event),
                         workers(o.workers));
    case scenario::connect:
      return fmt::format("connect: {} to {}, {} in parallel per worker{}, {}",
                         o.duration > 0 ? fmt::format("{} s of handshakes", o.duration)
                                        : fmt::format("{} handshakes", o.connections),
                         o.nsp, o.connect_concurrency, transports, workers(o.workers));
    case scenario::idle:
      return fmt::format("idle: {} connections to {}{}{}, held {} s, {}", o.connections, o.nsp,
                         o.rooms ? fmt::format(" in {} rooms", o.rooms) : "", transports, o.hold,
                         workers(o.workers));
    case scenario::churn:
      return fmt::format(
          "churn: {} rooms × {} subscribers that stay, {} publishers at {} msgs/s, {} churners "
          "staying {} s{}, {}",
          o.rooms, o.subscribers, o.publishers, o.rate, o.churners, o.lifetime, transports,
          workers(o.workers));
  }
  return "";
}

}  // namespace

std::string headline(const run_report& r) {
  std::size_t servers = r.options.servers.size();
  return scenario_headline(r) + (servers > 1 ? fmt::format(", {} servers", servers) : "");
}

namespace {

std::string mib(unsigned long long kib) {
  return fmt::format("{:.1f} MiB", static_cast<double>(kib) / 1024.0);
}

// "start …, all up …, end …, max …" (start and end must be there).
std::string rss_text(std::optional<unsigned long long> start, std::optional<unsigned long long> up,
                     std::optional<unsigned long long> end, std::optional<unsigned long long> max) {
  std::string rss = fmt::format("start {}, ", mib(*start));
  if (up) rss += fmt::format("all up {}, ", mib(*up));
  rss += fmt::format("end {}", mib(*end));
  if (max) rss += fmt::format(", max {}", mib(*max));
  return rss;
}

// The per-server objects of the JSON report.
std::string servers_json(const run_report& r) {
  std::string out = "[";
  for (const auto& s : r.servers) {
    fmt::format_to(std::back_inserter(out),
                   "{}{{\"address\":\"{}\",\"pid\":{},\"connections\":{},\"received\":{},"
                   "\"cpu_us\":{},\"cpu_per_received_us\":{},\"rss_start_kib\":{},"
                   "\"rss_up_kib\":{},\"rss_end_kib\":{},\"rss_max_kib\":{}}}",
                   out.size() > 1 ? "," : "", s.address, s.pid ? std::to_string(s.pid) : "null",
                   s.connections, s.received, json_or_null(s.cpu_us, "{:.1f}"),
                   json_or_null(s.cpu_per_received_us(), "{:.4f}"), json_or_null(s.rss_start_kib),
                   json_or_null(s.rss_up_kib), json_or_null(s.rss_end_kib),
                   json_or_null(s.rss_max_kib));
  }
  return out + "]";
}

}  // namespace

std::optional<double> server_report::cpu_per_received_us() const {
  if (!cpu_us) return std::nullopt;
  return per_item(*cpu_us, received);
}

std::optional<double> run_report::rss_per_connection_bytes() const {
  if (options.kind == scenario::connect || !rss_start_kib || !rss_up_kib || connections == 0) {
    return std::nullopt;
  }
  double grown = (static_cast<double>(*rss_up_kib) - static_cast<double>(*rss_start_kib)) * 1024;
  return grown / static_cast<double>(connections);
}

namespace {

// What one scenario counts and times, in the reports' words.
struct scenario_words {
  const char* plural;
  const char* singular;
  const char* latency;
};

scenario_words words_of(scenario s) {
  switch (s) {
    case scenario::fanout:
    case scenario::churn:
      return {"deliveries", "delivery", "latency"};
    case scenario::echo:
      return {"round trips", "round trip", "round trip"};
    case scenario::connect:
      return {"handshakes", "handshake", "handshake"};
    case scenario::idle:
      return {"connections", "connection", "connect+join"};
  }
  return {"", "", ""};
}

}  // namespace

const char* received_label(scenario s) {
  return words_of(s).plural;
}

const char* received_singular(scenario s) {
  return words_of(s).singular;
}

const char* latency_label(scenario s) {
  return words_of(s).latency;
}

std::string format_text(const run_report& r) {
  const auto& o = r.options;
  const auto& h = r.latency_ns;
  const char* unit = received_label(o.kind);
  std::string out = headline(r) + "\n";
  auto line = [&](std::string_view label, const std::string& value) {
    fmt::format_to(std::back_inserter(out), "{:<18}{}\n", label, value);
  };
  if (r.connect_seconds > 0) {
    line("connect+join",
         fmt::format("{:.2f} s ({} connections)", r.connect_seconds, r.connections));
  }
  line("measured", fmt::format("{:.3f} s", r.seconds));
  if (o.kind == scenario::fanout || o.kind == scenario::echo || o.kind == scenario::churn) {
    line("messages sent", fmt::format("{}", r.sent));
  }
  line(unit, fmt::format("{} of {} expected", r.received, r.expected));
  line(fmt::format("{}/s", unit), fmt::format("{:.0f}", r.per_second()));
  line("lost", fmt::format("{}", r.lost));
  if (o.kind != scenario::connect && o.kind != scenario::idle) {
    line("out of order", fmt::format("{}", r.out_of_order));
  }
  if (o.kind == scenario::churn) {
    line("churn", fmt::format("{} connections came and went ({:.0f}/s)", r.cycles,
                              r.seconds > 0 ? r.cycles / r.seconds : 0));
  }
  line(fmt::format("{} µs", latency_label(o.kind)),
       fmt::format("p50 {:.0f}  p90 {:.0f}  p99 {:.0f}  p99.9 {:.0f}  max {:.0f}",
                   us(h.percentile(50)), us(h.percentile(90)), us(h.percentile(99)),
                   us(h.percentile(99.9)), us(h.max())));
  const char* singular = received_singular(o.kind);
  line("bench CPU", fmt::format("{:.3f} s ({:.3f} µs per {}; WebSocket reads: {})",
                                r.bench_cpu_us / 1e6, per_item(r.bench_cpu_us, r.received),
                                singular, r.client_io.empty() ? "-" : r.client_io));
  if (r.receives_out_of_buffers > 0) {
    line("out of buffers", fmt::format("{} receives found every buffer in use and were re-armed "
                                       "(more --recv-buffers would spare them)",
                                       r.receives_out_of_buffers));
  }
  const bool several = r.servers.size() > 1;
  const std::string summed =
      several ? fmt::format(", summed over {} servers", r.servers.size()) : "";
  if (r.server_cpu_us) {
    line("server CPU", fmt::format("{:.3f} s ({:.3f} µs per {}{})", *r.server_cpu_us / 1e6,
                                   per_item(*r.server_cpu_us, r.received), singular, summed));
  }
  if (r.rss_start_kib && r.rss_end_kib) {
    line("server RSS", rss_text(r.rss_start_kib, r.rss_up_kib, r.rss_end_kib, r.rss_max_kib) +
                           (several ? " (summed)" : ""));
  }
  if (several) {
    for (std::size_t i = 0; i < r.servers.size(); ++i) {
      const auto& s = r.servers[i];
      std::string text = fmt::format("{}{}: {} connections, {} {}", s.address,
                                     s.pid ? fmt::format(" (pid {})", s.pid) : "", s.connections,
                                     s.received, s.received == 1 ? singular : unit);
      if (s.cpu_us) {
        text += fmt::format("; CPU {:.3f} s ({:.3f} µs per {})", *s.cpu_us / 1e6,
                            *s.cpu_per_received_us(), singular);
      }
      if (s.rss_start_kib && s.rss_end_kib) {
        text += "; RSS " + rss_text(s.rss_start_kib, s.rss_up_kib, s.rss_end_kib, s.rss_max_kib);
      }
      line(fmt::format("server {}", i + 1), text);
    }
  }
  if (o.kind == scenario::churn && r.rss_up_kib && r.rss_end_kib) {
    // What the churn left behind: flat means connections that come and go cost nothing lasting.
    line("RSS drift",
         fmt::format(
             "{:+.1f} MiB from all up to the end",
             (static_cast<double>(*r.rss_end_kib) - static_cast<double>(*r.rss_up_kib)) / 1024.0));
  }
  if (auto per = r.rss_per_connection_bytes()) {
    line("RSS/connection", fmt::format("{:.0f} B ({:.2f} KiB)", *per, *per / 1024));
  }
  return out;
}

std::string format_json(const run_report& r) {
  const auto& o = r.options;
  const auto& h = r.latency_ns;
  std::string out;
  auto add = [&](std::string_view key, const std::string& value) {
    fmt::format_to(std::back_inserter(out), "{}\"{}\":{}", out.empty() ? "{" : ",", key, value);
  };
  auto num = [](auto v) { return fmt::format("{}", v); };
  add("scenario", fmt::format("\"{}\"", to_string(o.kind)));
  add("namespace", fmt::format("\"{}\"", o.nsp));
  add("workers", num(o.workers));
  // Before every top-level field it shares a name with, so that the last "connections" or
  // "received" in the text is the run's own.
  add("servers", servers_json(r));
  add("client_io", fmt::format("\"{}\"", r.client_io));
  add("receives_out_of_buffers", num(r.receives_out_of_buffers));
  add("connections", num(r.connections));
  add("polling_share", num(o.polling_share));
  add("polling_connections", num(r.polling_connections));
  add("connect_seconds", fmt::format("{:.3f}", r.connect_seconds));
  add("seconds", fmt::format("{:.4f}", r.seconds));
  add("sent", num(r.sent));
  add("received", num(r.received));
  add("expected", num(r.expected));
  add("per_second", fmt::format("{:.1f}", r.per_second()));
  add("lost", num(r.lost));
  add("out_of_order", num(r.out_of_order));
  std::string per_second = fmt::format("{:.1f}", r.per_second());
  std::optional<double> server_per =
      r.server_cpu_us ? std::optional(per_item(*r.server_cpu_us, r.received)) : std::nullopt;
  switch (o.kind) {
    case scenario::fanout:
    case scenario::churn:
      add("rooms", num(o.rooms));
      add("subscribers", num(o.subscribers));
      add("publishers", num(o.publishers));
      add("payload", num(o.payload));
      add("rate", num(o.rate));
      add("deliveries", num(r.received));
      add("deliveries_per_second", per_second);
      add("server_cpu_per_delivery_us", json_or_null(server_per, "{:.4f}"));
      if (o.kind == scenario::fanout) {
        add("in_flight", num(o.in_flight));
      } else {
        add("churners", num(o.churners));
        add("lifetime", num(o.lifetime));
        add("cycles", num(r.cycles));
      }
      break;
    case scenario::echo:
      add("in_flight", num(o.in_flight));
      add("payload", num(o.payload));
      add("ack", o.ack ? "true" : "false");
      add("round_trips", num(r.received));
      add("round_trips_per_second", per_second);
      add("server_cpu_per_round_trip_us", json_or_null(server_per, "{:.4f}"));
      break;
    case scenario::connect:
      add("handshakes", num(r.received));
      add("handshakes_per_second", per_second);
      add("server_cpu_per_handshake_us", json_or_null(server_per, "{:.4f}"));
      break;
    case scenario::idle:
      add("rooms", num(o.rooms));
      add("held", num(r.received));
      add("hold_seconds", num(o.hold));
      break;
  }
  add("latency_us",
      fmt::format("{{\"p50\":{:.1f},\"p90\":{:.1f},\"p99\":{:.1f},\"p999\":{:.1f},\"max\":{:.1f},"
                  "\"mean\":{:.1f}}}",
                  us(h.percentile(50)), us(h.percentile(90)), us(h.percentile(99)),
                  us(h.percentile(99.9)), us(h.max()), h.mean() / 1000.0));
  add("bench_cpu_us", fmt::format("{:.1f}", r.bench_cpu_us));
  add("bench_cpu_per_received_us", fmt::format("{:.4f}", per_item(r.bench_cpu_us, r.received)));
  add("server_cpu_us", json_or_null(r.server_cpu_us, "{:.1f}"));
  add("server_cpu_per_received_us", json_or_null(server_per, "{:.4f}"));
  add("server_rss_start_kib", json_or_null(r.rss_start_kib));
  add("server_rss_up_kib", json_or_null(r.rss_up_kib));
  add("server_rss_end_kib", json_or_null(r.rss_end_kib));
  add("server_rss_max_kib", json_or_null(r.rss_max_kib));
  add("rss_per_connection_bytes", json_or_null(r.rss_per_connection_bytes(), "{:.0f}"));
  std::string samples = "[";
  for (const auto& s : r.samples) {
    fmt::format_to(std::back_inserter(samples),
                   "{}{{\"t\":{:.3f},\"total\":{},\"total_sent\":{},\"rss_kib\":{}}}",
                   samples.size() > 1 ? "," : "", s.t, s.received, s.sent,
                   json_or_null(s.server_rss_kib));
  }
  add("samples", samples + "]");
  out += "}\n";
  return out;
}

}  // namespace chorus::bench
