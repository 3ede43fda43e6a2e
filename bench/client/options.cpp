#include "bench/client/options.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <optional>

#include "bench/client/event_template.hpp"

namespace chorus::bench {

namespace {

void add_fanout_options(CLI::App& cmd, fanout_options& o) {
  cmd.add_option("--host", o.host, "Server address")->capture_default_str();
  cmd.add_option("--port", o.port, "Server port")->capture_default_str();
  cmd.add_option("--path", o.path, "Engine.IO path")->capture_default_str();
  cmd.add_option("--rooms", o.rooms, "Rooms")->capture_default_str();
  cmd.add_option("--subscribers", o.subscribers, "Subscribers per room")->capture_default_str();
  cmd.add_option("--publishers", o.publishers, "Publishers (publisher p sends to room p % rooms)")
      ->capture_default_str();
  cmd.add_option("--payload", o.payload, "Message size in bytes")->capture_default_str();
  cmd.add_option("--in-flight", o.in_flight,
                 "Messages a publisher keeps outstanding (done once every subscriber has it)")
      ->capture_default_str();
  cmd.add_option("--messages", o.messages, "Messages in total (default 10000)");
  cmd.add_option("--duration", o.duration, "Seconds of sending, instead of --messages");
  cmd.add_option("--workers", o.workers, "Worker processes")->capture_default_str();
  cmd.add_option("--source-ips", o.source_ips, "Spread connections over 127.0.0.1 … 127.0.0.N")
      ->capture_default_str();
  cmd.add_option("--server-pid", o.server_pid, "Server process, for its CPU per delivery");
  cmd.add_flag("--json", o.json, "Print the report as JSON");
  cmd.add_option("--join-template", o.join_template, "Join packet ({room}, {user})")
      ->capture_default_str();
  cmd.add_option("--send-template", o.send_template, "Send packet ({room}, {user}, {payload})")
      ->capture_default_str();
  cmd.add_option("--joined-text", o.joined_text,
                 "Text in a `status` event that confirms a join ({room}, {user})")
      ->capture_default_str();
  cmd.add_option("--event", o.event, "Event name of a delivery")->capture_default_str();
  cmd.add_option("--connect-timeout", o.connect_timeout, "Seconds to connect and join everyone")
      ->capture_default_str();
  cmd.add_option("--drain-timeout", o.drain_timeout, "Seconds to wait for the last deliveries")
      ->capture_default_str();
  cmd.add_option("--max-time", o.max_time, "Seconds of sending at most")->capture_default_str();
  cmd.add_option("--connect-concurrency", o.connect_concurrency,
                 "Handshakes in progress per worker")
      ->capture_default_str();
}

std::optional<std::string> check_template(const std::string& flag, const std::string& text,
                                          const std::vector<std::string_view>& allowed) {
  if (auto name = unknown_placeholder(text, allowed)) {
    return fmt::format("{}: unknown placeholder {{{}}}", flag, *name);
  }
  return std::nullopt;
}

std::optional<std::string> validate(fanout_options& o) {
  if (o.rooms < 1) return "--rooms must be at least 1";
  if (o.subscribers < 1) return "--subscribers must be at least 1";
  if (o.publishers < 1) return "--publishers must be at least 1";
  if (o.in_flight < 1 || o.in_flight > 1'000'000) return "--in-flight must be 1 … 1000000";
  if (o.payload > 900'000) return "--payload must be at most 900000 bytes";
  if (o.messages > 0 && o.duration > 0) return "--messages and --duration exclude each other";
  if (o.duration < 0) return "--duration must be positive";
  if (o.messages == 0 && o.duration == 0) o.messages = 10'000;
  if (o.workers < 1 || o.workers > 64) return "--workers must be 1 … 64";
  if (o.source_ips < 1 || o.source_ips > 254) return "--source-ips must be 1 … 254";
  if (o.connect_concurrency < 1) return "--connect-concurrency must be at least 1";
  if (o.connect_timeout <= 0 || o.drain_timeout <= 0 || o.max_time <= 0) {
    return "timeouts must be positive";
  }
  if (o.event.empty()) return "--event must not be empty";
  std::uint64_t connections = std::uint64_t{o.rooms} * o.subscribers + o.publishers;
  if (connections > std::uint64_t{max_connections_per_worker} * o.workers) {
    return fmt::format("{} connections need at least {} --workers ({} per process at most)",
                       connections,
                       (connections + max_connections_per_worker - 1) / max_connections_per_worker,
                       max_connections_per_worker);
  }
  if (auto e = check_template("--join-template", o.join_template, {"room", "user"})) return e;
  if (auto e = check_template("--send-template", o.send_template, {"room", "user", "payload"})) {
    return e;
  }
  if (o.send_template.find("{payload}") == std::string::npos) {
    return "--send-template must contain {payload}";
  }
  if (auto e = check_template("--joined-text", o.joined_text, {"room", "user"})) return e;
  return std::nullopt;
}

}  // namespace

std::variant<fanout_options, cli_exit> parse_cli(const std::vector<std::string>& args) {
  fanout_options o;
  CLI::App app{"chorus-bench: a Socket.IO load client"};
  app.require_subcommand(1);
  auto* fanout = app.add_subcommand("fanout", "Rooms of subscribers, publishers sending to them");
  add_fanout_options(*fanout, o);

  if (args.size() > 1 && !args[1].starts_with("-") && args[1] != "fanout") {
    return cli_exit{2,
                    fmt::format("chorus-bench: unknown scenario '{}' (there is: fanout)", args[1])};
  }
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp&) {
    bool on_fanout = std::find(args.begin(), args.end(), "fanout") != args.end();
    return cli_exit{0, on_fanout ? fanout->help() : app.help()};
  } catch (const CLI::CallForAllHelp&) {
    return cli_exit{0, app.help("", CLI::AppFormatMode::All)};
  } catch (const CLI::ParseError& e) {
    return cli_exit{2, fmt::format("chorus-bench: {}\nRun with --help for the options.", e.what())};
  }
  if (auto error = validate(o)) return cli_exit{2, "chorus-bench: " + *error};
  return o;
}

}  // namespace chorus::bench
