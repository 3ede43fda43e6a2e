#pragma once

// chorus-bench's command line: `chorus-bench fanout [options]`.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace chorus::bench {

struct fanout_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;
  std::string path = "/socket.io/";
  unsigned rooms = 1;
  unsigned subscribers = 100;  // per room
  unsigned publishers = 1;     // publisher p sends to room p % rooms
  std::size_t payload = 100;   // bytes of the message string (at least its sequence header)
  unsigned in_flight = 200;    // per publisher
  std::uint64_t messages = 0;  // total over all publishers; 0 with duration 0 → 10,000
  double duration = 0;         // seconds of sending instead of a message count
  unsigned workers = 1;
  unsigned source_ips = 1;  // 127.0.0.1 … 127.0.0.N
  int server_pid = 0;
  bool json = false;
  std::string join_template = R"(42["join_room",{"room":"{room}","username":"{user}"}])";
  std::string send_template = R"(42["room_message",{"room":"{room}","message":"{payload}"}])";
  std::string joined_text = "{user} joined room {room}";  // in a `status` event: joined
  std::string event = "message";
  double connect_timeout = 60;         // seconds to connect and join everyone
  double drain_timeout = 10;           // seconds to wait for deliveries once sending stops
  double max_time = 600;               // seconds of sending at most (with --messages)
  unsigned connect_concurrency = 200;  // handshakes in progress per worker

  unsigned connections() const { return rooms * subscribers + publishers; }
};

// One process holds at most this many connections (the machine allows 20,000 fds).
constexpr unsigned max_connections_per_worker = 19'000;

struct cli_exit {
  int code = 0;         // 0 after --help, 2 for bad arguments
  std::string message;  // what to print (help text on stdout, errors on stderr)
};

// Parses argv (program name first). Returns the options, or how to exit.
std::variant<fanout_options, cli_exit> parse_cli(const std::vector<std::string>& args);

}  // namespace chorus::bench
