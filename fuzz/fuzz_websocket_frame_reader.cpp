// The WebSocket client-frame reader fed as a connection feeds it: bytes appended to a read
// buffer in chunks, the consumed prefix erased after each call.
//
// Input: byte 0 picks the message size limit, byte 1 the number of chunk boundaries (0-15), then
// one byte per boundary (the chunk's length); the rest is the byte stream from the client.
//
// Invariants:
//   - the events are the same however the stream is cut (as given, whole, one byte at a time);
//   - consumed never exceeds the bytes offered; on need_more at most one control frame
//     (header + 125 bytes) is left unconsumed;
//   - no message exceeds the limit, no control payload 125 bytes, and text messages and close
//     reasons are valid UTF-8 (the close code a valid one);
//   - after a close or an error the reader only reports an error and consumes nothing.

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "protocol/websocket/frame_reader.hpp"

namespace {

using namespace chorus::protocol::websocket;
using kind = reader_event::kind;

void check(bool ok) {
  if (!ok) std::abort();
}

struct seen {
  kind what;
  opcode op;
  std::string payload;
  std::uint16_t code;
  bool operator==(const seen&) const = default;
};

constexpr std::size_t max_control_frame = 6 + max_control_payload_size;

seen record(const reader_event& e, const reader_limits& lim) {
  seen s{e.what, opcode::text, "", 0};
  switch (e.what) {
    case kind::message:
      check(e.payload.size() <= lim.max_message_size);
      check(e.message_opcode == opcode::text || e.message_opcode == opcode::binary);
      if (e.message_opcode == opcode::text)
        check(simdjson::validate_utf8(e.payload.data(), e.payload.size()));
      s.op = e.message_opcode;
      s.payload = e.payload;
      break;
    case kind::ping:
    case kind::pong:
      check(e.payload.size() <= max_control_payload_size);
      s.payload = e.payload;
      break;
    case kind::close:
      check(e.payload.size() <= max_close_reason_size);
      check(simdjson::validate_utf8(e.payload.data(), e.payload.size()));
      check(e.close_code >= 1000 && e.close_code < 5000);
      s.payload = e.payload;
      s.code = e.close_code;
      break;
    case kind::error:
      check(e.error_reason != nullptr && e.error_reason[0] != '\0');
      s.code = static_cast<std::uint16_t>(e.error_code);
      break;
    case kind::need_more:
      break;
  }
  return s;
}

// Feeds `stream` in chunks of the given lengths (then the rest) until a close or an error.
std::vector<seen> run(std::span<const std::uint8_t> stream, const std::vector<std::size_t>& chunks,
                      reader_limits lim) {
  frame_reader reader(lim);
  std::vector<seen> events;
  std::vector<std::uint8_t> pending;
  std::size_t offered = 0;
  for (std::size_t c = 0; c <= chunks.size(); ++c) {
    const std::size_t n =
        c < chunks.size() ? std::min(chunks[c], stream.size() - offered) : stream.size() - offered;
    pending.insert(pending.end(), stream.begin() + offered, stream.begin() + offered + n);
    offered += n;
    for (;;) {
      std::size_t consumed = 0;
      const reader_event e = reader.next(pending, consumed);
      check(consumed <= pending.size());
      if (e.what == kind::need_more) check(pending.size() - consumed <= max_control_frame);
      if (e.what != kind::need_more) events.push_back(record(e, lim));
      pending.erase(pending.begin(), pending.begin() + consumed);
      if (e.what == kind::close || e.what == kind::error) {
        // Stays failed: an error, nothing consumed, whatever follows.
        std::vector<std::uint8_t> more(pending);
        more.push_back(0x81);
        std::size_t after = 1;
        check(reader.next(more, after).what == kind::error && after == 0);
        return events;
      }
      if (e.what == kind::need_more) break;
    }
  }
  return events;
}

reader_limits limits_for(std::uint8_t selector) {
  static constexpr std::size_t sizes[] = {1'000'000, 0, 1, 10, 125, 126, 200, 70'000};
  return reader_limits{sizes[selector & 7]};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const reader_limits lim = limits_for(data[0]);
  const std::size_t cuts = data[1] & 15;
  if (size < 2 + cuts) return 0;
  std::vector<std::size_t> chunks(data + 2, data + 2 + cuts);
  const std::span<const std::uint8_t> stream(data + 2 + cuts, size - 2 - cuts);

  const std::vector<seen> as_cut = run(stream, chunks, lim);
  check(run(stream, {}, lim) == as_cut);
  if (stream.size() <= 512) {
    const std::vector<std::size_t> bytes(stream.size(), 1);
    check(run(stream, bytes, lim) == as_cut);
  }
  return 0;
}
