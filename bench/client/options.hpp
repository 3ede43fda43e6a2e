#pragma once

// chorus-bench's command line: `chorus-bench <scenario> [options]`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chorus::bench {

enum class scenario { fanout, echo, connect, idle, churn };

// How Socket.IO packets go on the wire, as the server's --parser: json (socket.io-parser's text)
// or msgpack (socket.io-msgpack-parser 3: one binary message per packet, msgpack_wire.hpp).
enum class packet_parser { json, msgpack };

// One server chorus-bench connects to.
struct server_address {
  std::string host;
  std::uint16_t port = 0;
  // "host:port" ("[host]:port" for an IPv6 address), for the Host header and the report.
  std::string authority() const;
  bool operator==(const server_address&) const = default;
};

// --servers takes at most this many (per-server counters live in the workers' shared slots).
constexpr unsigned max_servers = 32;

std::string_view to_string(scenario s);

// Every scenario's options in one struct; parse_cli starts each scenario from its own defaults
// (e.g. echo talks to "/chat") and accepts only the options that scenario uses.
struct bench_options {
  scenario kind = scenario::fanout;

  // Where and how to connect (all scenarios). --host/--port name one server, --servers several;
  // parse_cli fills `servers` either way (one entry for --host/--port).
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;
  std::vector<server_address> servers;
  std::string path = "/socket.io/";
  std::string nsp = "/";     // Socket.IO namespace every connection CONNECTs to
  double polling_share = 0;  // share of connections on Engine.IO long-polling (rest: WebSocket)
  packet_parser parser = packet_parser::json;  // msgpack: WebSocket only
  unsigned workers = 1;     // processes; connection c belongs to worker c % workers
  unsigned source_ips = 1;  // 127.0.0.1 … 127.0.0.N
  int server_pid = 0;       // for server CPU and RSS
  // --server-pids (or the one --server-pid): pid i is server i's; parse_cli fills it.
  std::vector<int> server_pids;
  bool json = false;
  std::string html;                    // write a self-contained HTML report here
  bool progress = true;                // a progress line, only when stdout is a terminal
  double connect_timeout = 60;         // seconds to connect and join every setup connection
  double handshake_timeout = 20;       // seconds from TCP connect to the CONNECT reply
  double drain_timeout = 10;           // seconds to wait for the last receipts (and stall bound)
  double max_time = 600;               // seconds of the measured phase at most
  unsigned connect_concurrency = 200;  // handshakes in progress per worker
  bool io_uring = true;                // WebSocket reads through io_uring (else epoll)
  unsigned recv_buffers = 4096;        // io_uring: 2 KiB receive buffers per worker (a power of 2)

  // Rooms (fanout, churn; idle joins room c % rooms when rooms > 0).
  unsigned rooms = 1;
  unsigned subscribers = 100;  // per room (churn: the ones that stay)
  unsigned publishers = 1;     // publisher p sends to room p % rooms
  // Empty: no join (e.g. the chat's lobby `message`, which every connection gets).
  std::string join_template = R"(42["join_room",{"room":"{room}","username":"{user}"}])";
  std::string joined_text = "{user} joined room {room}";  // in a `status` event: joined
  std::string event = "message";                          // the event a delivery arrives as

  // Sending (fanout, echo, churn).
  std::string send_template = R"(42["room_message",{"room":"{room}","message":"{payload}"}])";
  std::size_t payload = 100;   // bytes of the message string (at least its sequence header)
  unsigned in_flight = 200;    // fanout: per publisher; echo: per connection
  std::uint64_t messages = 0;  // total; 0 with duration 0 → the scenario's default count
  double duration = 0;         // seconds instead of a count
  double rate = 0;             // messages per second over all publishers; 0: as fast as allowed

  // echo
  std::string reply_event = "response";  // the event the server answers with
  bool ack = false;                      // expect an ack instead of reply_event

  // echo, connect, idle
  unsigned connections = 100;

  // idle
  double hold = 2;  // seconds to hold every connection once all are up

  // churn
  unsigned churners = 50;  // connections that connect, join, stay `lifetime`, leave, again
  double lifetime = 0.2;   // seconds a churner stays

  // Which of `servers` connection `id` goes to: round-robin by its index within its role, so the
  // subscribers of a room sit on every server, publisher p on server p % n, churner k on k % n.
  unsigned server_of(std::uint64_t id) const;

  // Connections that exist for the whole run (connect: those in progress at once, at most).
  std::uint64_t connection_count() const;
  // Sockets the busiest worker needs (a polling connection needs two).
  std::uint64_t sockets_per_worker() const;
};

// "host:port[,host:port...]" (a host may be "[v6 address]"); nullopt with `error` set when bad.
std::optional<std::vector<server_address>> parse_servers(std::string_view text, std::string& error);

// Whether connection id uses long-polling: ids spread evenly, floor(n × share) of the first n.
bool uses_polling(std::uint64_t id, double share);

// One process holds at most this many sockets (the machine allows 20,000 fds).
constexpr unsigned max_sockets_per_worker = 19'000;

struct cli_exit {
  int code = 0;         // 0 after --help, 2 for bad arguments
  std::string message;  // what to print (help text on stdout, errors on stderr)
};

// Parses argv (program name first). Returns the options, or how to exit.
std::variant<bench_options, cli_exit> parse_cli(const std::vector<std::string>& args);

}  // namespace chorus::bench
