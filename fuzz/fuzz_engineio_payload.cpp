// Engine.IO v4 polling bodies: decode_payload on any bytes, then the invariants
//   - decoding stops at the first error and never delivers a packet after it;
//   - the delivered packets re-encode (append_payload_packet) to a body that decodes to the
//     same packets, and a body decoded whole re-encodes byte for byte to the input when every
//     binary segment's base64 was canonical;
//   - a single segment decodes as decode_text_packet does;
//   - base64 of the input decodes back to the input.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/base64.hpp"
#include "protocol/engineio/packet.hpp"
#include "protocol/engineio/payload.hpp"

namespace {

using namespace chorus::protocol::engineio;

struct owned_packet {
  packet_type type;
  bool binary;
  std::string data;
  bool operator==(const owned_packet&) const = default;
};

payload_error decode_all(std::string_view body, std::vector<owned_packet>& out) {
  std::string scratch;
  return decode_payload(
      body,
      [&](const packet_view& p) {
        out.push_back({p.type, p.binary, std::string(p.data)});
      },
      scratch);
}

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  std::vector<owned_packet> packets;
  const payload_error error = decode_all(body, packets);
  check(to_string(error) != nullptr);
  if (error == payload_error::too_many_packets) check(packets.empty());

  // The packets delivered (before any error) survive a re-encode and decode.
  std::string encoded;
  for (const auto& p : packets) append_payload_packet(encoded, {p.type, p.binary, p.data});
  if (!packets.empty()) {
    std::vector<owned_packet> again;
    check(decode_all(encoded, again) == payload_error::ok);
    check(again == packets);
  }
  // A valid body is its own encoding, up to non-canonical base64 (ignored padding bits).
  if (error == payload_error::ok && encoded != body) {
    bool has_binary = false;
    for (const auto& p : packets) has_binary = has_binary || p.binary;
    check(has_binary);
  }

  // A body without separators is one packet: the text form agrees with decode_text_packet.
  if (body.find(record_separator) == std::string_view::npos && !body.empty() && body[0] != 'b') {
    const auto single = decode_text_packet(body);
    check(single.has_value() == (error == payload_error::ok));
    if (single) check(packets.size() == 1 && packets[0].data == single->data);
  }

  std::string text, bytes;
  chorus::protocol::append_base64(text, body);
  check(chorus::protocol::decode_base64(text, bytes) && bytes == body);
  return 0;
}
