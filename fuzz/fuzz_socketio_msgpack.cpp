// socket.io-msgpack-parser packets as a connection receives them: one Engine.IO binary message
// through decode_msgpack.
//
// Input: byte 0 picks the limits (attachment bytes and count, nesting depth); the rest is the
// message.
//
// Invariants:
//   - a decoded packet is within the limits: type 0-4, at most lim.max_attachments binaries of
//     at most lim.max_attachment_bytes in all, an ack id on EVENT/ACK only (always on ACK), and
//     as_header(packet) passes parse_payload;
//   - re-encoded (append_msgpack_packet; for an EVENT also append_msgpack_event from the event
//     name and args_after_name) it decodes to the same packet.

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"
#include "protocol/socketio/event_args.hpp"
#include "protocol/socketio/msgpack_codec.hpp"

namespace {

using chorus::fuzz::check;
using chorus::fuzz::json_parser;
using namespace chorus::protocol::socketio;

void check_same(const msgpack_packet& a, const msgpack_packet& b) {
  check(a.type == b.type && a.nsp == b.nsp && a.ack_id == b.ack_id && a.has_data == b.has_data &&
        a.data == b.data && a.attachments == b.attachments);
}

void redecode(const std::string& bytes, const msgpack_packet& original, const limits& lim) {
  msgpack_packet again;
  parsed_payload parsed;
  check(decode_msgpack(bytes, lim, json_parser(), again, parsed) == parse_error::ok);
  check_same(again, original);
}

void check_decoded(const msgpack_packet& p, const parsed_payload& parsed, const limits& lim) {
  check(static_cast<int>(p.type) <= static_cast<int>(packet_type::connect_error));
  check(p.attachments.size() <= lim.max_attachments);
  std::size_t bytes = 0;
  for (const auto& a : p.attachments) bytes += a.size();
  check(bytes <= lim.max_attachment_bytes);
  const bool may_have_id = p.type == packet_type::event || p.type == packet_type::ack;
  check(may_have_id || !p.ack_id);
  check(p.type != packet_type::ack || p.ack_id);
  check(parsed.has_payload == p.has_data);

  // Copy out what the next parse would invalidate.
  std::string name;
  if (p.type == packet_type::event) {
    std::string_view view;
    check(parsed.root.at(0).get_string().get(view) == simdjson::SUCCESS);
    name = view;
  }

  std::string same;
  const auto data = p.has_data ? std::optional<std::string_view>(p.data) : std::nullopt;
  check(append_msgpack_packet(same, json_parser(), p.type, p.nsp, p.ack_id, data, p.attachments,
                              lim.max_depth));
  redecode(same, p, lim);

  if (p.type == packet_type::event) {
    std::string rebuilt;
    check(append_msgpack_event(rebuilt, json_parser(), p.nsp, name, args_after_name(p.data),
                               p.attachments, p.ack_id, lim.max_depth));
    check(rebuilt == same);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const limits lim = chorus::fuzz::socketio_limits(data[0]);
  const std::string_view message(reinterpret_cast<const char*>(data) + 1, size - 1);
  msgpack_packet packet;
  parsed_payload parsed;
  const parse_error error = decode_msgpack(message, lim, json_parser(), packet, parsed);
  check(to_string(error) != nullptr);
  if (error == parse_error::ok) check_decoded(packet, parsed, lim);
  return 0;
}
