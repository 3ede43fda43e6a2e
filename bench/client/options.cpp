#include "bench/client/options.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <optional>

#include "bench/client/event_template.hpp"

namespace chorus::bench {

namespace {

constexpr std::array all_scenarios = {scenario::fanout, scenario::echo, scenario::connect,
                                      scenario::idle, scenario::churn};

const char* description(scenario s) {
  switch (s) {
    case scenario::fanout:
      return "Rooms of subscribers, publishers sending to them: deliveries/s, loss, latency";
    case scenario::echo:
      return "Each connection emits and waits for the echo (or ack): round-trip latency";
    case scenario::connect:
      return "Connections opened and closed in parallel: handshakes/s, TCP connect → CONNECT "
             "reply latency";
    case scenario::idle:
      return "Hold N connections: server RSS per connection (with --server-pid)";
    case scenario::churn:
      return "Connect/disconnect continuously while broadcasting: nothing lost for those that "
             "stay, server RSS over time";
  }
  return "";
}

bench_options defaults_for(scenario s) {
  bench_options o;
  o.kind = s;
  switch (s) {
    case scenario::echo:
      o.nsp = "/chat";  // chorus's chat: `message` on /chat comes back as `response`
      o.send_template = R"(42["message",{"message":"{payload}"}])";
      o.in_flight = 1;
      o.connections = 100;
      break;
    case scenario::connect:
      o.connections = 1000;
      break;
    case scenario::idle:
      o.connections = 1000;
      o.rooms = 0;  // no join unless asked
      break;
    case scenario::churn:
      o.rate = 100;
      o.duration = 10;
      break;
    case scenario::fanout:
      break;
  }
  return o;
}

// Options every scenario has.
void add_common(CLI::App& cmd, bench_options& o) {
  auto* host = cmd.add_option("--host", o.host, "Server address")->capture_default_str();
  auto* port = cmd.add_option("--port", o.port, "Server port")->capture_default_str();
  cmd.add_option_function<std::string>(
         "--servers",
         [&o](const std::string& text) {
           std::string error;
           auto list = parse_servers(text, error);
           if (!list) throw CLI::ValidationError("--servers", error);
           o.servers = std::move(*list);
         },
         "Several servers, host:port[,host:port...]: connections go round-robin by their index "
         "within their role (instead of --host/--port)")
      ->excludes(host)
      ->excludes(port);
  cmd.add_option("--path", o.path, "Engine.IO path")->capture_default_str();
  cmd.add_option("--namespace", o.nsp, "Socket.IO namespace to CONNECT to")->capture_default_str();
  cmd.add_option("--polling-share", o.polling_share,
                 "Share of connections on Engine.IO long-polling, 0 … 1 (the rest: WebSocket)")
      ->capture_default_str();
  cmd.add_option("--parser", o.parser,
                 "Socket.IO packet encoding, as the server's --parser: json, or msgpack "
                 "(socket.io-msgpack-parser 3, binary WebSocket messages; WebSocket only)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, packet_parser>{
          {"json", packet_parser::json}, {"msgpack", packet_parser::msgpack}}))
      ->default_str("json");
  cmd.add_option("--workers", o.workers, "Worker processes")->capture_default_str();
  cmd.add_option("--io-uring", o.io_uring,
                 "Read WebSocket connections through io_uring (false: an epoll set; also used "
                 "when the kernel refuses io_uring)")
      ->capture_default_str();
  cmd.add_option("--recv-buffers", o.recv_buffers,
                 "io_uring reads: 2 KiB buffers per worker that the kernel receives into, a power "
                 "of two 1 … 32768 (too few only costs re-armed receives; the report counts them)")
      ->capture_default_str();
  cmd.add_option("--source-ips", o.source_ips, "Spread connections over 127.0.0.1 … 127.0.0.N")
      ->capture_default_str();
  auto* pid = cmd.add_option("--server-pid", o.server_pid, "Server process, for its CPU and RSS");
  cmd.add_option("--server-pids", o.server_pids,
                 "Server processes pid[,pid...], one per --servers entry in the same order: CPU "
                 "and RSS per server and summed")
      ->delimiter(',')
      ->excludes(pid);
  cmd.add_flag("--json", o.json, "Print the report as JSON");
  cmd.add_option("--html", o.html, "Write a self-contained HTML report to this file");
  cmd.add_flag("!--no-progress", o.progress, "No progress line (shown only on a terminal)");
  cmd.add_option("--connect-timeout", o.connect_timeout,
                 "Seconds to connect (and join) every connection before measuring")
      ->capture_default_str();
  cmd.add_option("--handshake-timeout", o.handshake_timeout,
                 "Seconds from a TCP connect to its Socket.IO CONNECT reply")
      ->capture_default_str();
  cmd.add_option("--drain-timeout", o.drain_timeout,
                 "Seconds to wait for the last receipts; also how long no progress may last")
      ->capture_default_str();
  cmd.add_option("--max-time", o.max_time, "Seconds of measuring at most")->capture_default_str();
  cmd.add_option("--connect-concurrency", o.connect_concurrency,
                 "Handshakes in progress per worker")
      ->capture_default_str();
}

void add_rooms(CLI::App& cmd, bench_options& o, bool with_sending) {
  cmd.add_option("--rooms", o.rooms, "Rooms")->capture_default_str();
  cmd.add_option("--join-template", o.join_template, "Join packet ({room}, {user}); empty: none")
      ->capture_default_str();
  cmd.add_option("--joined-text", o.joined_text,
                 "Text in a `status` event that confirms a join ({room}, {user}); empty: none")
      ->capture_default_str();
  if (!with_sending) return;
  cmd.add_option("--subscribers", o.subscribers, "Subscribers per room")->capture_default_str();
  cmd.add_option("--publishers", o.publishers, "Publishers (publisher p sends to room p % rooms)")
      ->capture_default_str();
  cmd.add_option("--event", o.event, "Event name of a delivery")->capture_default_str();
}

void add_sending(CLI::App& cmd, bench_options& o, const char* placeholders) {
  cmd.add_option("--send-template", o.send_template, fmt::format("Send packet ({})", placeholders))
      ->capture_default_str();
  cmd.add_option("--payload", o.payload, "Message size in bytes")->capture_default_str();
  cmd.add_option("--duration", o.duration, "Seconds of sending, instead of --messages");
}

void add_scenario_options(CLI::App& cmd, bench_options& o) {
  add_common(cmd, o);
  switch (o.kind) {
    case scenario::fanout:
      add_rooms(cmd, o, true);
      add_sending(cmd, o, "{room}, {user}, {payload}");
      cmd.add_option("--in-flight", o.in_flight,
                     "Messages a publisher keeps outstanding (done once every subscriber has it)")
          ->capture_default_str();
      cmd.add_option("--messages", o.messages, "Messages in total (default 10000)");
      cmd.add_option("--rate", o.rate, "Messages per second over all publishers (0: no pacing)")
          ->capture_default_str();
      break;
    case scenario::echo:
      add_sending(cmd, o, "{user}, {payload}");
      cmd.add_option("--connections", o.connections, "Connections")->capture_default_str();
      cmd.add_option("--in-flight", o.in_flight, "Messages a connection keeps outstanding")
          ->capture_default_str();
      cmd.add_option("--messages", o.messages, "Round trips in total (default 10000)");
      cmd.add_option("--reply-event", o.reply_event, "Event the server answers with")
          ->capture_default_str();
      cmd.add_flag("--ack", o.ack, "Send with an ack id and wait for the ack instead");
      break;
    case scenario::connect:
      cmd.add_option("--connections", o.connections, "Handshakes in total")->capture_default_str();
      cmd.add_option("--duration", o.duration, "Seconds of connecting, instead of --connections");
      break;
    case scenario::idle:
      add_rooms(cmd, o, false);
      cmd.add_option("--connections", o.connections, "Connections to hold")->capture_default_str();
      cmd.add_option("--hold", o.hold, "Seconds to hold them once all are up")
          ->capture_default_str();
      break;
    case scenario::churn:
      add_rooms(cmd, o, true);
      add_sending(cmd, o, "{room}, {user}, {payload}");
      cmd.add_option("--rate", o.rate, "Messages per second over all publishers")
          ->capture_default_str();
      cmd.add_option("--churners", o.churners,
                     "Connections that connect, join, stay --lifetime and leave, over and over")
          ->capture_default_str();
      cmd.add_option("--lifetime", o.lifetime, "Seconds a churner stays connected")
          ->capture_default_str();
      break;
  }
}

std::optional<std::string> check_template(const std::string& flag, const std::string& text,
                                          const std::vector<std::string_view>& allowed) {
  if (auto name = unknown_placeholder(text, allowed)) {
    return fmt::format("{}: unknown placeholder {{{}}}", flag, *name);
  }
  return std::nullopt;
}

std::optional<std::string> check_event_packet(const std::string& flag, const std::string& text) {
  if (!text.starts_with("42")) {
    return fmt::format("{} must be a Socket.IO EVENT packet starting with 42", flag);
  }
  return std::nullopt;
}

// Fills `servers` from --host/--port and `server_pids` from --server-pid when not given as lists.
std::optional<std::string> validate_servers(bench_options& o) {
  if (o.servers.empty()) o.servers.push_back({o.host, o.port});
  if (o.servers.size() > max_servers) return fmt::format("--servers: {} at most", max_servers);
  const char* flag = o.server_pids.empty() ? "--server-pid" : "--server-pids";
  if (o.server_pid < 0) return "--server-pid must be a process id";
  if (o.server_pid > 0) o.server_pids = {o.server_pid};
  for (int pid : o.server_pids) {
    if (pid <= 0) return fmt::format("{}: {} is not a process id", flag, pid);
    struct stat st {};
    if (::stat(fmt::format("/proc/{}/stat", pid).c_str(), &st) != 0) {
      return fmt::format("{} {}: no such process", flag, pid);
    }
  }
  if (!o.server_pids.empty() && o.server_pids.size() != o.servers.size()) {
    return fmt::format("{} needs one process id per server ({} given for {} server{})", flag,
                       o.server_pids.size(), o.servers.size(), o.servers.size() == 1 ? "" : "s");
  }
  return std::nullopt;
}

std::optional<std::string> validate_common(bench_options& o) {
  if (o.nsp.empty() || o.nsp[0] != '/' || o.nsp.find_first_of(",?#") != std::string::npos) {
    return "--namespace must start with '/' and hold no ',', '?' or '#'";
  }
  if (!(o.polling_share >= 0 && o.polling_share <= 1)) return "--polling-share must be 0 … 1";
  // Long-polling would carry each msgpack message base64-encoded ("b…"), which the polling
  // transport does not write or read.
  if (o.parser == packet_parser::msgpack && o.polling_share > 0)
    return "--parser msgpack is WebSocket only: --polling-share must be 0";
  if (o.workers < 1 || o.workers > 64) return "--workers must be 1 … 64";
  if (o.source_ips < 1 || o.source_ips > 254) return "--source-ips must be 1 … 254";
  // io_uring's provided-buffer rings hold a power of two entries, 32768 at most.
  if (o.recv_buffers < 1 || o.recv_buffers > 32768 || (o.recv_buffers & (o.recv_buffers - 1)))
    return "--recv-buffers must be a power of two 1 … 32768";
  if (o.connect_concurrency < 1) return "--connect-concurrency must be at least 1";
  if (!(o.connect_timeout > 0 && o.handshake_timeout > 0 && o.drain_timeout > 0 &&
        o.max_time > 0)) {
    return "timeouts must be positive";
  }
  if (auto e = validate_servers(o)) return e;
  if (!o.html.empty() && o.html.back() == '/') return "--html must name a file";
  if (o.sockets_per_worker() > max_sockets_per_worker) {
    std::uint64_t needed = o.sockets_per_worker() * o.workers;
    return fmt::format(
        "{} sockets need at least {} --workers ({} per process at most; a polling connection "
        "needs two)",
        needed, (needed + max_sockets_per_worker - 1) / max_sockets_per_worker,
        max_sockets_per_worker);
  }
  return std::nullopt;
}

std::optional<std::string> validate_sending(bench_options& o, std::uint64_t default_messages) {
  if (o.payload > 900'000) return "--payload must be at most 900000 bytes";
  if (o.messages > 0 && o.duration > 0) return "--messages and --duration exclude each other";
  if (o.duration < 0) return "--duration must be positive";
  if (!(o.rate >= 0)) return "--rate must be positive";
  if (o.messages == 0 && o.duration == 0) o.messages = default_messages;
  if (o.in_flight < 1 || o.in_flight > 1'000'000) return "--in-flight must be 1 … 1000000";
  if (auto e = check_event_packet("--send-template", o.send_template)) return e;
  if (o.send_template.find("{payload}") == std::string::npos) {
    return "--send-template must contain {payload}";
  }
  return std::nullopt;
}

std::optional<std::string> validate_rooms(const bench_options& o) {
  if (o.kind != scenario::idle && o.rooms < 1) return "--rooms must be at least 1";
  if (o.subscribers < 1) return "--subscribers must be at least 1";
  if (o.publishers < 1) return "--publishers must be at least 1";
  if (o.event.empty()) return "--event must not be empty";
  if (o.join_template.empty() && !o.joined_text.empty())
    return "--joined-text needs a --join-template (empty: no join, nothing to confirm)";
  if (!o.join_template.empty()) {
    if (auto e = check_event_packet("--join-template", o.join_template)) return e;
  }
  if (auto e = check_template("--join-template", o.join_template, {"room", "user"})) return e;
  if (auto e = check_template("--joined-text", o.joined_text, {"room", "user"})) return e;
  return std::nullopt;
}

std::optional<std::string> validate(bench_options& o) {
  switch (o.kind) {
    case scenario::fanout:
      if (auto e = validate_rooms(o)) return e;
      if (auto e = validate_sending(o, 10'000)) return e;
      if (auto e = check_template("--send-template", o.send_template, {"room", "user", "payload"}))
        return e;
      break;
    case scenario::echo:
      if (o.connections < 1) return "--connections must be at least 1";
      if (auto e = validate_sending(o, 10'000)) return e;
      if (auto e = check_template("--send-template", o.send_template, {"user", "payload"}))
        return e;
      if (!o.ack && o.reply_event.empty()) return "--reply-event must not be empty";
      break;
    case scenario::connect:
      if (o.connections < 1) return "--connections must be at least 1";
      if (o.duration < 0) return "--duration must be positive";
      break;
    case scenario::idle:
      if (o.connections < 1) return "--connections must be at least 1";
      if (!(o.hold > 0)) return "--hold must be positive";
      if (auto e = validate_rooms(o)) return e;
      break;
    case scenario::churn:
      if (auto e = validate_rooms(o)) return e;
      if (!(o.rate > 0)) return "--rate must be positive";
      if (o.churners < 1) return "--churners must be at least 1";
      if (!(o.lifetime > 0)) return "--lifetime must be positive";
      if (auto e = validate_sending(o, 1'000)) return e;
      if (auto e = check_template("--send-template", o.send_template, {"room", "user", "payload"}))
        return e;
      break;
  }
  return validate_common(o);
}

std::string scenario_list() {
  std::string names;
  for (scenario s : all_scenarios) {
    if (!names.empty()) names += ", ";
    names += to_string(s);
  }
  return names;
}

}  // namespace

std::string_view to_string(scenario s) {
  switch (s) {
    case scenario::fanout:
      return "fanout";
    case scenario::echo:
      return "echo";
    case scenario::connect:
      return "connect";
    case scenario::idle:
      return "idle";
    case scenario::churn:
      return "churn";
  }
  return "?";
}

std::string server_address::authority() const {
  return host.find(':') == std::string::npos ? fmt::format("{}:{}", host, port)
                                             : fmt::format("[{}]:{}", host, port);
}

std::optional<std::vector<server_address>> parse_servers(std::string_view text,
                                                         std::string& error) {
  std::vector<server_address> list;
  for (std::size_t begin = 0; begin <= text.size();) {
    std::size_t end = std::min(text.find(',', begin), text.size());
    std::string_view item = text.substr(begin, end - begin);
    begin = end + 1;
    std::size_t colon = item.rfind(':');
    std::string_view host = colon == std::string_view::npos ? item : item.substr(0, colon);
    std::string_view port = colon == std::string_view::npos ? "" : item.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
      host = {};  // an IPv6 address needs its brackets
    }
    unsigned value = 0;
    auto [end_of_number, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (host.empty() || port.empty() || ec != std::errc() ||
        end_of_number != port.data() + port.size() || value < 1 || value > 65535) {
      error = fmt::format("'{}' is not host:port (a port 1 … 65535)", item);
      return std::nullopt;
    }
    list.push_back({std::string(host), static_cast<std::uint16_t>(value)});
  }
  return list;
}

unsigned bench_options::server_of(std::uint64_t id) const {
  std::uint64_t n = servers.empty() ? 1 : servers.size();
  std::uint64_t index = id;
  if (kind == scenario::fanout || kind == scenario::churn) {
    const std::uint64_t in_rooms = std::uint64_t{rooms} * subscribers;
    if (id >= in_rooms + publishers) {
      index = id - in_rooms - publishers;  // churner
    } else if (id >= in_rooms) {
      index = id - in_rooms;  // publisher
    }
  }
  return static_cast<unsigned>(index % n);
}

bool uses_polling(std::uint64_t id, double share) {
  if (share <= 0) return false;
  if (share >= 1) return true;
  auto before = static_cast<std::uint64_t>(std::floor(static_cast<double>(id) * share));
  auto after = static_cast<std::uint64_t>(std::floor(static_cast<double>(id + 1) * share));
  return after > before;
}

std::uint64_t bench_options::connection_count() const {
  switch (kind) {
    case scenario::fanout:
      return std::uint64_t{rooms} * subscribers + publishers;
    case scenario::churn:
      return std::uint64_t{rooms} * subscribers + publishers + churners;
    case scenario::echo:
    case scenario::idle:
      return connections;
    case scenario::connect:
      return std::uint64_t{connect_concurrency} * workers;
  }
  return 0;
}

std::uint64_t bench_options::sockets_per_worker() const {
  std::uint64_t per_worker = (connection_count() + workers - 1) / workers;
  auto polling = static_cast<std::uint64_t>(
      std::ceil(static_cast<double>(per_worker) * std::clamp(polling_share, 0.0, 1.0)));
  return per_worker + polling;
}

std::variant<bench_options, cli_exit> parse_cli(const std::vector<std::string>& args) {
  CLI::App app{"chorus-bench: a Socket.IO load client"};
  app.require_subcommand(1);
  std::vector<std::unique_ptr<bench_options>> parsed;
  std::vector<CLI::App*> commands;
  for (scenario s : all_scenarios) {
    parsed.push_back(std::make_unique<bench_options>(defaults_for(s)));
    commands.push_back(app.add_subcommand(std::string(to_string(s)), description(s)));
    add_scenario_options(*commands.back(), *parsed.back());
  }

  if (args.size() > 1 && !args[1].starts_with("-") &&
      std::none_of(all_scenarios.begin(), all_scenarios.end(),
                   [&](scenario s) { return args[1] == to_string(s); })) {
    return cli_exit{2, fmt::format("chorus-bench: unknown scenario '{}' (there is: {})", args[1],
                                   scenario_list())};
  }
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp&) {
    for (CLI::App* cmd : commands) {
      if (std::find(args.begin(), args.end(), cmd->get_name()) != args.end()) {
        return cli_exit{0, cmd->help()};
      }
    }
    return cli_exit{0, app.help()};
  } catch (const CLI::CallForAllHelp&) {
    return cli_exit{0, app.help("", CLI::AppFormatMode::All)};
  } catch (const CLI::ParseError& e) {
    return cli_exit{2, fmt::format("chorus-bench: {}\nRun with --help for the options.", e.what())};
  }
  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (!commands[i]->parsed()) continue;
    bench_options& o = *parsed[i];
    if (auto error = validate(o)) return cli_exit{2, "chorus-bench: " + *error};
    return o;
  }
  return cli_exit{2, "chorus-bench: a scenario is required"};
}

}  // namespace chorus::bench
