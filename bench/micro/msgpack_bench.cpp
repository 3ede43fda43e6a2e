// The chat's packets under --parser json and --parser msgpack (issue 18): what the server does
// once for every packet a client sends (decode) and once for every broadcast (encode), each
// through the functions the server calls.
//   BM_Decode_json     the Engine.IO text packet (decode_text_packet, as engineio::session), the
//                      Socket.IO header and the JSON payload (decode_header, parse_payload, as
//                      socketio::client::on_text and dispatch); with a binary, its Engine.IO
//                      binary message through the binary_reassembler and the header read again
//                      (client::on_binary).
//   BM_Decode_msgpack  the Engine.IO binary message through decode_msgpack (client::on_msgpack):
//                      the map read, its data written as JSON text, that text checked by
//                      parse_payload as above.
//   BM_Encode_json     the JSON packet_writer's event_job (socketio::make_event_job), as
//                      broadcast_operator::emit calls it under --parser json.
//   BM_Encode_msgpack  the msgpack packet_writer's event_job, as under --parser msgpack: args_json
//                      parsed with simdjson and re-encoded as msgpack.
// Each case's decode input is what its encode writes (a msgpack client writes the same map but
// for the key order, which the decoder does not care about). items/s = packets; bytes/s = the
// packet's bytes on the wire in that parser (JSON: the text message and any attachment message;
// msgpack: the one binary message), so compare the two parsers by items/s.
//
// Each iteration calls one noinline function (decode_json_once, ...), so that callgrind's
// inclusive instruction count of that function divided by its call count is the instructions
// per packet, whatever number of iterations the library picks (bench/msgpack_instructions.sh).
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/engineio/packet.hpp"
#include "protocol/socketio/binary_reassembler.hpp"
#include "protocol/socketio/header.hpp"
#include "protocol/socketio/msgpack_decode.hpp"
#include "protocol/socketio/payload.hpp"
#include "server/chat/chat_json.hpp"
#include "server/chat/history.hpp"
#include "server/chat/presence.hpp"
#include "server/socketio/packet_writer.hpp"

namespace {

namespace chat = chorus::server::chat;
namespace eio = chorus::protocol::engineio;
namespace sio = chorus::protocol::socketio;
namespace socketio = chorus::server::socketio;
using chorus::server::fanout::broadcast_job;

// An event as a chat handler emits it: name, comma-separated JSON arguments, binaries.
struct chat_case {
  std::string event;
  std::string args_json;
  std::vector<std::string> attachments;
};

std::string text_of(std::size_t size) {
  const std::string words = "Are we still on for the release review after lunch? ";
  std::string text;
  while (text.size() < size) text += words;
  text.resize(size);
  return text;
}

chat::message_ptr stored(std::int64_t id) {
  auto m = std::make_shared<chat::stored_message>();
  m->id = id;
  m->username = "user" + std::to_string(id % 7);
  m->message = text_of(40 + static_cast<std::size_t>(id % 5) * 10);
  m->timestamp = "12:34:56";
  return m;
}

enum class which { message, message_500, users, history_50, binary };

// The chat's own payload builders (server/chat/chat_json.hpp), so the field names, order and
// escaping are the chat's.
chat_case make_case(which w) {
  switch (w) {
    case which::message:  // the lobby `message`, 40 B of text
      return {"message", chat::json::lobby_message("alice", text_of(40), "12:34:56"), {}};
    case which::message_500:
      return {"message", chat::json::lobby_message("alice", text_of(500), "12:34:56"), {}};
    case which::users: {  // the roster a room gets on every join/leave, 20 people
      chat::presence::roster roster;
      for (int i = 0; i < 20; ++i) roster.users.push_back("user" + std::to_string(i));
      roster.count = roster.users.size();
      roster.version = 1234;
      return {"users", chat::json::users("lobby", roster), {}};
    }
    case which::history_50: {  // the lobby's `history` on join, 50 messages
      std::vector<chat::message_ptr> messages;
      for (int i = 1; i <= 50; ++i) messages.push_back(stored(i));
      return {"history", chat::json::history("", messages), {}};
    }
    case which::binary:  // not a chat event: a 10,000-byte file beside its name
      return {"file",
              R"({"name":"photo.jpg","type":"image/jpeg","data":{"_placeholder":true,"num":0}})",
              {std::string(10'000, '\x5a')}};
  }
  return {};
}

// The broadcast's EVENT as the server's writer for that --parser builds it.
std::shared_ptr<broadcast_job> job_of(const chat_case& c, bool msgpack) {
  using chorus::server::packet_parser;
  return socketio::packet_writer_for(msgpack ? packet_parser::msgpack : packet_parser::json)
      .event_job("/", std::nullopt, c.attachments, c.event, c.args_json);
}

// The Engine.IO packets a job sends, as the server's WebSocket carries them (frame payloads).
std::vector<std::string> wire_of(const broadcast_job& job) {
  std::vector<std::string> wire;
  for (const auto& packet : job.packets) wire.emplace_back(packet->payload());
  return wire;
}

std::size_t bytes_of(const std::vector<std::string>& wire) {
  std::size_t n = 0;
  for (const auto& message : wire) n += message.size();
  return n;
}

// The server's JSON path for one packet: text message, then any attachment messages.
[[gnu::noinline]] bool decode_json_once(const std::vector<std::string>& wire,
                                        simdjson::dom::parser& parser, const sio::limits& limits,
                                        sio::parsed_payload& payload) {
  auto packet = eio::decode_text_packet(wire[0]);
  sio::header h;
  if (!packet || sio::decode_header(packet->data, h, limits) != sio::parse_error::ok) return false;
  std::string text;
  std::vector<std::string> buffers;
  if (h.attachments > 0) {
    sio::binary_reassembler reassembler(limits);
    reassembler.start(std::string(packet->data), h.attachments);
    for (std::size_t i = 1; i < wire.size(); ++i)
      if (reassembler.add(wire[i]) != sio::parse_error::ok) return false;
    if (!reassembler.complete()) return false;
    text = reassembler.take_text();
    buffers = reassembler.take_buffers();
    if (sio::decode_header(text, h, limits) != sio::parse_error::ok) return false;
  }
  return sio::parse_payload(parser, h, limits, payload) == sio::parse_error::ok;
}

[[gnu::noinline]] bool decode_msgpack_once(const std::string& message,
                                           simdjson::dom::parser& parser, const sio::limits& limits,
                                           sio::msgpack_packet& packet,
                                           sio::parsed_payload& payload) {
  return sio::decode_msgpack(message, limits, parser, packet, payload) == sio::parse_error::ok;
}

[[gnu::noinline]] std::shared_ptr<broadcast_job> encode_json_once(const chat_case& c) {
  return job_of(c, false);
}

[[gnu::noinline]] std::shared_ptr<broadcast_job> encode_msgpack_once(const chat_case& c) {
  return job_of(c, true);
}

void set_counters(benchmark::State& state, std::size_t wire_bytes) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire_bytes));
  state.counters["wire_bytes"] = static_cast<double>(wire_bytes);
}

void BM_Decode_json(benchmark::State& state, which w) {
  const auto wire = wire_of(*job_of(make_case(w), false));
  simdjson::dom::parser parser;
  const sio::limits limits;
  sio::parsed_payload payload;
  for (auto _ : state) {
    if (!decode_json_once(wire, parser, limits, payload)) {
      state.SkipWithError("refused");
      return;
    }
    benchmark::DoNotOptimize(payload.root);
  }
  set_counters(state, bytes_of(wire));
}

void BM_Decode_msgpack(benchmark::State& state, which w) {
  const auto wire = wire_of(*job_of(make_case(w), true));
  simdjson::dom::parser parser;
  const sio::limits limits;
  sio::msgpack_packet packet;
  sio::parsed_payload payload;
  for (auto _ : state) {
    if (!decode_msgpack_once(wire[0], parser, limits, packet, payload)) {
      state.SkipWithError("refused");
      return;
    }
    benchmark::DoNotOptimize(payload.root);
    benchmark::DoNotOptimize(packet.data.data());
  }
  set_counters(state, bytes_of(wire));
}

void encode(benchmark::State& state, which w, bool msgpack) {
  const chat_case c = make_case(w);
  const std::size_t wire_bytes = bytes_of(wire_of(*job_of(c, msgpack)));
  for (auto _ : state) {
    auto job = msgpack ? encode_msgpack_once(c) : encode_json_once(c);
    if (!job) {
      state.SkipWithError("not encoded");
      return;
    }
    benchmark::DoNotOptimize(job->packets.front().get());
  }
  set_counters(state, wire_bytes);
}

void BM_Encode_json(benchmark::State& state, which w) {
  encode(state, w, false);
}

void BM_Encode_msgpack(benchmark::State& state, which w) {
  encode(state, w, true);
}

#define CHORUS_CHAT_CASES(bm)                             \
  BENCHMARK_CAPTURE(bm, message, which::message);         \
  BENCHMARK_CAPTURE(bm, message_500, which::message_500); \
  BENCHMARK_CAPTURE(bm, users, which::users);             \
  BENCHMARK_CAPTURE(bm, history_50, which::history_50);   \
  BENCHMARK_CAPTURE(bm, binary, which::binary)

CHORUS_CHAT_CASES(BM_Decode_json);
CHORUS_CHAT_CASES(BM_Decode_msgpack);
CHORUS_CHAT_CASES(BM_Encode_json);
CHORUS_CHAT_CASES(BM_Encode_msgpack);

}  // namespace
