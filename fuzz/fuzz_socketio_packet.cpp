// Socket.IO v5 packets as a connection receives them: text packets and binary attachments in
// order, through decode_header, binary_reassembler and parse_payload, the way
// server/socketio/client.cpp drives them.
//
// Input: byte 0 picks the limits (attachment bytes, nesting depth); the rest is split at NUL
// bytes into messages, a message starting with 'B' being a binary attachment (the rest of it),
// any other a text packet.
//
// Invariants:
//   - the reassembler completes exactly when the header's count of buffers is in, never holds
//     more than lim.max_attachment_bytes, and is inactive after take_text/take_buffers;
//   - a valid packet re-encoded from its parts (append_header + payload; append_event from the
//     event name and args_after_name; append_ack from array_elements) decodes to the same header
//     and an equally valid payload of the same array length.

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocol/socketio/binary_reassembler.hpp"
#include "protocol/socketio/event_args.hpp"
#include "protocol/socketio/packet.hpp"

namespace {

using chorus::fuzz::check;
using chorus::fuzz::json_parser;
using namespace chorus::protocol::socketio;

std::size_t array_size(const parsed_payload& p) {
  simdjson::dom::array array;
  if (!p.has_payload || p.root.get_array().get(array) != simdjson::SUCCESS) return 0;
  return array.size();
}

void check_same_header(const header& a, const header& b) {
  check(a.type == b.type && a.attachments == b.attachments && a.nsp == b.nsp &&
        a.ack_id == b.ack_id);
}

// Decodes `text` (an encoding of `original`) and checks it matches; returns its array length.
std::size_t redecode(const std::string& text, const header& original, const limits& lim) {
  header h;
  check(decode_header(text, h, lim) == parse_error::ok);
  check_same_header(h, original);
  parsed_payload payload;
  check(parse_payload(json_parser(), h, lim, payload) == parse_error::ok);
  return array_size(payload);
}

// A packet the connection would dispatch: its payload is checked, then its re-encodings.
void dispatch(const header& h, const limits& lim) {
  parsed_payload payload;
  const parse_error error = parse_payload(json_parser(), h, lim, payload);
  check(to_string(error) != nullptr);
  if (error != parse_error::ok) return;
  const std::size_t elements = array_size(payload);

  // Copy out what the next parse would invalidate.
  std::string name;
  if (h.type == packet_type::event || h.type == packet_type::binary_event) {
    std::string_view view;
    check(payload.root.at(0).get_string().get(view) == simdjson::SUCCESS);
    name = view;
  }

  std::string same;
  append_header(same, h.type, h.nsp, h.ack_id, h.attachments);
  same += h.payload;
  redecode(same, h, lim);

  if (h.type == packet_type::event || h.type == packet_type::binary_event) {
    std::string rebuilt;
    append_event(rebuilt, h.nsp, name, args_after_name(h.payload), h.ack_id, h.attachments);
    check(redecode(rebuilt, h, lim) == elements);
  } else if (h.type == packet_type::ack || h.type == packet_type::binary_ack) {
    std::string rebuilt;
    append_ack(rebuilt, h.nsp, *h.ack_id, array_elements(h.payload), h.attachments);
    check(redecode(rebuilt, h, lim) == elements);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const limits lim = chorus::fuzz::socketio_limits(data[0]);
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  binary_reassembler reassembler(lim);
  std::size_t held = 0;  // attachment bytes in the reassembler
  for (;;) {
    const std::size_t end = rest.find('\0');
    const std::string_view message = rest.substr(0, end);
    if (!message.empty() && message[0] == 'B') {
      const std::string_view bytes = message.substr(1);
      const bool room = reassembler.active() && !reassembler.complete();
      const parse_error error = reassembler.add(bytes);
      if (!room) {
        check(error == parse_error::unexpected_binary);
      } else if (held + bytes.size() > lim.max_attachment_bytes) {
        check(error == parse_error::attachments_too_large);
      } else {
        check(error == parse_error::ok);
        held += bytes.size();
      }
      if (error != parse_error::ok) {
        reassembler.reset();
        held = 0;
      } else if (reassembler.complete()) {
        const std::string text = reassembler.take_text();
        check(!reassembler.active());
        const std::vector<std::string> buffers = reassembler.take_buffers();
        check(!reassembler.active() && !reassembler.complete());
        header h;
        check(decode_header(text, h, lim) == parse_error::ok);
        check(buffers.size() == h.attachments);
        held = 0;
        dispatch(h, lim);
      }
    } else if (reassembler.active()) {
      // A text packet while attachments are expected ends the connection (unexpected_text).
      reassembler.reset();
      held = 0;
    } else {
      header h;
      const parse_error error = decode_header(message, h, lim);
      check(to_string(error) != nullptr);
      if (error == parse_error::ok) {
        check(h.attachments <= lim.max_attachments);
        check(is_binary(h.type) || h.attachments == 0);
        if (h.attachments > 0) {
          reassembler.start(std::string(message), h.attachments);
          check(reassembler.active() && !reassembler.complete());
        } else {
          dispatch(h, lim);
        }
      }
    }
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return 0;
}
