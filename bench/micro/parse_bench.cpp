// Packet parsing, as the server does it for every message a client sends: an Engine.IO text
// packet, its Socket.IO header and its JSON payload (simdjson, with the validity and bound
// checks), and a polling body of many packets. items/s = packets, bytes/s = input bytes.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <string>

#include "protocol/engineio/packet.hpp"
#include "protocol/engineio/payload.hpp"
#include "protocol/socketio/header.hpp"
#include "protocol/socketio/payload.hpp"

namespace {

namespace eio = chorus::protocol::engineio;
namespace sio = chorus::protocol::socketio;

// The chat's room_message with a message of `size` bytes, as a WebSocket text frame carries it.
std::string room_message(std::size_t size) {
  return R"(42["room_message",{"room":"lobby","message":")" + std::string(size, 'x') + R"("}])";
}

// Engine.IO packet -> Socket.IO header -> validated JSON payload.
void BM_Parse_event_packet(benchmark::State& state) {
  const std::string text = room_message(static_cast<std::size_t>(state.range(0)));
  simdjson::dom::parser parser;
  const sio::limits limits;
  for (auto _ : state) {
    auto packet = eio::decode_text_packet(text);
    sio::header header;
    if (!packet || sio::decode_header(packet->data, header, limits) != sio::parse_error::ok) {
      state.SkipWithError("header rejected");
      return;
    }
    sio::parsed_payload payload;
    if (sio::parse_payload(parser, header, limits, payload) != sio::parse_error::ok) {
      state.SkipWithError("payload rejected");
      return;
    }
    benchmark::DoNotOptimize(payload.root);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Parse_event_packet)->Arg(10)->Arg(100)->Arg(1000)->Arg(16 * 1024);

// A polling POST body of 100 event packets separated by \x1e, split and each parsed.
void BM_Parse_polling_body(benchmark::State& state) {
  constexpr int packets = 100;
  std::string body;
  for (int i = 0; i < packets; ++i) {
    if (!body.empty()) body += '\x1e';
    body += room_message(static_cast<std::size_t>(state.range(0)));
  }
  simdjson::dom::parser parser;
  const sio::limits limits;
  std::string scratch;
  std::size_t parsed = 0;
  for (auto _ : state) {
    auto error = eio::decode_payload(
        body,
        [&](const eio::packet_view& packet) {
          sio::header header;
          sio::parsed_payload payload;
          if (sio::decode_header(packet.data, header, limits) == sio::parse_error::ok &&
              sio::parse_payload(parser, header, limits, payload) == sio::parse_error::ok)
            ++parsed;
        },
        scratch);
    if (error != eio::payload_error::ok) {
      state.SkipWithError("body rejected");
      return;
    }
  }
  if (parsed != static_cast<std::size_t>(state.iterations()) * packets)
    state.SkipWithError("a packet was rejected");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * packets));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_Parse_polling_body)->Arg(100);

}  // namespace
