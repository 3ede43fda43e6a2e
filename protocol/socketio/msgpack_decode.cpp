#include "protocol/socketio/msgpack_decode.hpp"

#include <msgpuck.h>

#include <cmath>
#include <cstdint>
#include <numeric>

#include "protocol/json/utf8_repair.hpp"
#include "protocol/msgpack/json_bridge.hpp"

namespace chorus::protocol::socketio {
namespace {

using msgpack::bridge_error;

constexpr double max_safe_integer = 9007199254740991.0;  // 2^53 - 1, JS Number.MAX_SAFE_INTEGER

std::size_t left(const char* p, const char* end) {
  return static_cast<std::size_t>(end - p);
}

// A str at *p, its length checked against the bytes left; nullopt when *p holds no whole str.
std::optional<std::string_view> read_str(const char** p, const char* end) {
  if (*p >= end || mp_typeof(**p) != MP_STR || mp_check_strl(*p, end) > 0) return std::nullopt;
  const char* q = *p;
  const std::uint32_t length = mp_decode_strl(&q);
  if (length > left(q, end)) return std::nullopt;
  *p = q + length;
  return std::string_view(q, length);
}

// Where each field's value starts, the last one of a repeated key; nullptr when absent. A field
// holding notepack 2's undefined counts as absent, as `decoded.x === undefined` reads it.
struct fields {
  const char* type = nullptr;
  const char* nsp = nullptr;
  const char* id = nullptr;
  const char* data = nullptr;
};

// The number `value` is an integer as JS's Number.isInteger says (index.js isInteger).
bool is_integer(double value) {
  return std::isfinite(value) && std::floor(value) == value;
}

parse_error read_type(const char* at, const char* end, packet_type& type) {
  if (!at) return parse_error::unknown_type;
  const std::optional<double> n = msgpack::read_js_number(&at, end);
  if (!n || !is_integer(*n) || *n < 0 || *n > 4) return parse_error::unknown_type;
  type = static_cast<packet_type>(static_cast<int>(*n));
  return parse_error::ok;
}

parse_error read_id(const char* at, const char* end, std::optional<std::uint64_t>& id) {
  id.reset();
  if (!at) return parse_error::ok;
  const std::optional<double> n = msgpack::read_js_number(&at, end);
  if (!n || !is_integer(*n) || *n < 0 || *n > max_safe_integer) return parse_error::bad_ack_id;
  id = static_cast<std::uint64_t>(*n);
  return parse_error::ok;
}

// index.js isDataValid on the first byte of the data value (nullptr: absent): a msgpack map is
// the only value notepack makes a plain object of ("[object Object]"), an array the only one
// Array.isArray takes (json_bridge refuses the unknown ext that notepack makes [type, Buffer]).
bool data_valid(packet_type type, const char* data) {
  const mp_type kind = data ? mp_typeof(*data) : MP_NIL;
  switch (type) {
    case packet_type::connect:
      return !data || kind == MP_MAP;
    case packet_type::disconnect:
      return !data;
    case packet_type::connect_error:
      return data && (kind == MP_STR || kind == MP_MAP);
    default:
      return data && kind == MP_ARRAY;
  }
}

parse_error from_bridge(bridge_error error) {
  return error == bridge_error::too_deep ? parse_error::too_deep : parse_error::invalid_msgpack;
}

// Reads the top map's entries into `f`, checking every value as notepack would decode it.
// The data is read into out.data and out.attachments on the way.
parse_error read_fields(const char** p, const char* end, std::size_t depth, fields& f,
                        msgpack_packet& out) {
  if (*p >= end) return parse_error::empty_packet;
  if (mp_typeof(**p) != MP_MAP || mp_check_map(*p, end) > 0) return parse_error::invalid_msgpack;
  const std::uint32_t count = mp_decode_map(p);
  if (count > left(*p, end) / 2) return parse_error::invalid_msgpack;  // two bytes an entry
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::optional<std::string_view> key = read_str(p, end);
    if (!key || *key == "__proto__") return parse_error::invalid_msgpack;
    const char* value = *p;
    if (*key == "data") {
      // Read into JSON as it comes (one walk); a repeated "data" starts over.
      out.data.clear();
      out.attachments.clear();
      if (auto error = msgpack::append_json(p, end, out.data, out.attachments, depth)) {
        return from_bridge(*error);
      }
    } else if (auto error = msgpack::skip_value(p, end, depth)) {
      return from_bridge(*error);
    }
    if (msgpack::is_undefined(value, end)) value = nullptr;
    if (*key == "type") {
      f.type = value;
    } else if (*key == "nsp") {
      f.nsp = value;
    } else if (*key == "id") {
      f.id = value;
    } else if (*key == "data") {
      f.data = value;
    }
  }
  return *p == end ? parse_error::ok : parse_error::invalid_msgpack;  // notepack: trailing bytes
}

}  // namespace

header as_header(const msgpack_packet& p) {
  header h;
  const bool binary = !p.attachments.empty();
  h.type = p.type;
  if (binary && p.type == packet_type::event) h.type = packet_type::binary_event;
  if (binary && p.type == packet_type::ack) h.type = packet_type::binary_ack;
  h.attachments = p.attachments.size();
  h.nsp = p.nsp;
  h.ack_id = p.ack_id;
  if (p.has_data) h.payload = p.data;
  return h;
}

parse_error decode_msgpack(std::string_view bytes, const limits& lim, simdjson::dom::parser& parser,
                           msgpack_packet& out, parsed_payload& parsed) {
  parsed = parsed_payload{};
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  fields f;
  out.data.clear();
  out.attachments.clear();
  // Values are bounded from their own level, the data's array or map being level 1 as in the
  // JSON codec.
  if (auto error = read_fields(&p, end, lim.max_depth, f, out); error != parse_error::ok) {
    return error;
  }

  if (auto error = read_type(f.type, end, out.type); error != parse_error::ok) return error;
  const char* nsp_at = f.nsp;
  const std::optional<std::string_view> nsp = nsp_at ? read_str(&nsp_at, end) : std::nullopt;
  if (!nsp) return parse_error::bad_namespace;
  if (!json::repair_utf8(*nsp, out.nsp)) out.nsp.assign(*nsp);
  if (!data_valid(out.type, f.data)) return parse_error::invalid_payload;
  if (auto error = read_id(f.id, end, out.ack_id); error != parse_error::ok) return error;
  const bool has_id = out.type == packet_type::event || out.type == packet_type::ack;
  if (!has_id) out.ack_id.reset();
  if (out.type == packet_type::ack && !out.ack_id) return parse_error::bad_ack_id;

  out.has_data = f.data != nullptr;  // undefined was read as "null": not data
  if (!out.has_data) {
    out.data.clear();
    out.attachments.clear();
  }
  if (out.attachments.size() > lim.max_attachments) return parse_error::too_many_attachments;
  const std::size_t attachment_bytes =
      std::accumulate(out.attachments.begin(), out.attachments.end(), std::size_t{0},
                      [](std::size_t sum, const std::string& a) { return sum + a.size(); });
  if (attachment_bytes > lim.max_attachment_bytes) return parse_error::attachments_too_large;

  if (auto error = parse_payload(parser, as_header(out), lim, parsed, true);
      error != parse_error::ok) {
    return error;
  }
  // A msgpack map that reads as a placeholder would be taken for a binary by the server; the
  // reference hands it on as a plain object. Refused: chorus's form cannot tell them apart.
  if (parsed.has_payload && parsed.placeholders != out.attachments.size()) {
    return parse_error::bad_placeholder;
  }
  return parse_error::ok;
}

}  // namespace chorus::protocol::socketio
