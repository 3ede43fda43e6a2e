#include "protocol/cluster/redis_messages.hpp"

#include <msgpuck.h>
#include <simdjson.h>

#include <cmath>

#include "protocol/cluster/wire.hpp"
#include "protocol/json/escape.hpp"
#include "protocol/json/js_number.hpp"
#include "protocol/msgpack/json_bridge.hpp"
#include "protocol/msgpack/writer.hpp"

namespace chorus::protocol::cluster {
namespace {

using simdjson::dom::element;

// Nesting around the data of a request or response: the message, the packet, then the data.
constexpr std::size_t envelope_depth = 2;

// ---- The broadcast, read straight from msgpack (the hot path: no JSON round trip).

class broadcast_reader {
 public:
  broadcast_reader(const char* p, const char* end, std::string& error)
      : p_(p), end_(end), error_(error) {}

  bool read(redis_broadcast& out) {
    const char* check = p_;
    if (p_ == end_ || mp_check(&check, end_) != 0) return fail("truncated msgpack");
    if (check != end_) return fail("trailing bytes after the msgpack value");
    if (mp_typeof(*p_) != MP_ARRAY || mp_check_array(p_, end_) > 0) {
      return fail("broadcast is not an array");
    }
    const std::uint32_t count = mp_decode_array(&p_);
    if (count < 3 || count > left()) return fail("broadcast is not [uid, packet, opts]");
    std::string_view uid;
    if (!read_str(uid)) return fail("uid is not a string");
    out.uid.assign(uid);
    if (!read_packet(out.packet) || !read_options(out.opts)) return false;
    for (std::uint32_t i = 3; i < count; ++i) {
      if (!skip()) return false;
    }
    return true;
  }

 private:
  std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }

  bool fail(std::string_view why) {
    error_.assign(why);
    return false;
  }

  bool skip() {
    if (auto e = msgpack::skip_value(&p_, end_)) return fail(msgpack::to_string(*e));
    return true;
  }

  bool read_str(std::string_view& text) {
    if (p_ >= end_ || mp_typeof(*p_) != MP_STR || mp_check_strl(p_, end_) > 0) return false;
    const char* p = p_;
    const std::uint32_t length = mp_decode_strl(&p);
    if (length > static_cast<std::size_t>(end_ - p)) return false;
    text = std::string_view(p, length);
    p_ = p + length;
    return true;
  }

  // notepack 2's undefined: as if the key were not there.
  bool skip_undefined() {
    if (!msgpack::is_undefined(p_, end_)) return false;
    p_ += 3;
    return true;
  }

  bool is_nil() const { return p_ < end_ && mp_typeof(*p_) == MP_NIL; }

  // A map's entries: calls on_entry(key) with the cursor at the value, for string keys; the
  // handler reads or skips the value. Other keys cannot name a field: skipped with their value.
  template <typename OnEntry>
  bool read_map(std::string_view what, OnEntry on_entry) {
    if (p_ >= end_ || mp_typeof(*p_) != MP_MAP || mp_check_map(p_, end_) > 0) {
      return fail(std::string(what) + " is not a map");
    }
    const std::uint32_t count = mp_decode_map(&p_);
    if (count > left() / 2) return fail("truncated msgpack");
    for (std::uint32_t i = 0; i < count; ++i) {
      std::string_view key;
      if (p_ < end_ && mp_typeof(*p_) == MP_STR) {
        if (!read_str(key)) return fail("truncated msgpack");
        if (!on_entry(key)) return false;
      } else if (!skip() || !skip()) {
        return false;
      }
    }
    return true;
  }

  bool read_packet(event_packet& packet) {
    std::optional<double> type;
    bool has_data = false;
    const bool ok = read_map("packet", [&](std::string_view key) {
      if (key == "type") {
        type.reset();
        if (skip_undefined()) return true;
        type = msgpack::read_js_number(&p_, end_);
        return type ? true : fail("packet type is not 2 or 5");
      }
      if (key == "data") {
        packet.data_json.clear();
        packet.attachments.clear();
        has_data = false;
        if (skip_undefined()) return true;
        if (p_ >= end_ || mp_typeof(*p_) != MP_ARRAY) return fail("packet data is not an array");
        if (auto e = msgpack::append_json(&p_, end_, packet.data_json, packet.attachments)) {
          return fail(msgpack::to_string(*e));
        }
        has_data = true;
        return true;
      }
      if (key == "nsp") {
        packet.nsp = "/";
        if (skip_undefined()) return true;
        std::string_view nsp;
        if (!read_str(nsp)) return fail("packet nsp is not a string");
        packet.nsp.assign(nsp);
        return true;
      }
      return skip();
    });
    if (!ok) return false;
    if (!type || (*type != 2 && *type != 5)) return fail("packet type is not 2 or 5");
    if (!has_data) return fail("packet data is not an array");
    return true;
  }

  bool read_rooms(std::vector<std::string>& rooms, std::string_view what) {
    rooms.clear();
    if (skip_undefined()) return true;
    if (is_nil()) return skip();
    if (p_ >= end_ || mp_typeof(*p_) != MP_ARRAY || mp_check_array(p_, end_) > 0) {
      return fail(std::string(what) + " is not an array");
    }
    const std::uint32_t count = mp_decode_array(&p_);
    if (count > left()) return fail("truncated msgpack");
    if (count > max_rooms) {
      return fail(std::string(what) + ": more than " + std::to_string(max_rooms) + " entries");
    }
    rooms.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
      std::string_view name;
      if (read_str(name)) {
        rooms.emplace_back(name);
      } else if (const std::optional<double> n = msgpack::read_js_number(&p_, end_)) {
        std::string text;
        json::append_js_number(text, *n);
        rooms.push_back(std::move(text));
      } else {
        return fail(std::string(what) + ": an entry is not a string or number");
      }
    }
    return true;
  }

  // JS truthiness of the value at the cursor, which it then skips.
  bool truthy(bool& value) {
    value = true;
    if (p_ < end_) {
      switch (mp_typeof(*p_)) {
        case MP_NIL:
          value = false;
          break;
        case MP_BOOL: {
          const char* p = p_;
          value = mp_decode_bool(&p);
          break;
        }
        case MP_UINT:
        case MP_INT:
        case MP_FLOAT:
        case MP_DOUBLE: {
          const char* p = p_;
          const std::optional<double> n = msgpack::read_js_number(&p, end_);
          value = n && *n != 0 && !std::isnan(*n);
          break;
        }
        case MP_STR: {
          const char* p = p_;
          value = !(p < end_ && mp_check_strl(p, end_) <= 0 && mp_decode_strl(&p) == 0);
          break;
        }
        case MP_EXT:
          value = !msgpack::is_undefined(p_, end_);
          break;
        default:
          break;
      }
    }
    return skip();
  }

  bool read_flags(broadcast_options& opts) {
    if (skip_undefined()) return true;
    if (is_nil()) return skip();
    return read_map("opts.flags", [&](std::string_view key) {
      if (key == "volatile") return truthy(opts.is_volatile);
      if (key == "compress") return truthy(opts.compress);
      if (key == "local") return truthy(opts.local);
      if (key == "timeout") {
        opts.timeout_ms.reset();
        if (skip_undefined()) return true;
        if (is_nil()) return skip();
        const std::optional<double> ms = msgpack::read_js_number(&p_, end_);
        if (!ms) return fail("opts.flags.timeout is not a number");
        if (!std::isnan(*ms)) {
          opts.timeout_ms = *ms <= 0                    ? 0
                            : *ms >= 9007199254740992.0 ? std::uint64_t{9007199254740992}
                                                        : static_cast<std::uint64_t>(*ms);
        }
        return true;
      }
      return skip();
    });
  }

  bool read_options(broadcast_options& opts) {
    return read_map("opts", [&](std::string_view key) {
      if (key == "rooms") return read_rooms(opts.rooms, "opts.rooms");
      if (key == "except") return read_rooms(opts.except, "opts.except");
      if (key == "flags") return read_flags(opts);
      return skip();
    });
  }

  const char* p_;
  const char* end_;
  std::string& error_;
};

// ---- Requests and responses: either form, read through the DOM.

simdjson::dom::parser& json_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

struct parsed {
  simdjson::dom::object object;
  std::vector<std::string> attachments;
  bool from_msgpack = false;
};

bool parse(std::string_view payload, parsed& out, std::string& error) {
  element root;
  if (!wire::parse_payload(payload, json_parser(), msgpack::max_depth + envelope_depth, root,
                           out.attachments, error)) {
    return false;
  }
  out.from_msgpack = payload.empty() || payload.front() != '{';
  if (root.get_object().get(out.object) != simdjson::SUCCESS) {
    error = "the message is not an object";
    return false;
  }
  return true;
}

bool read_type(simdjson::dom::object object, bool required, std::optional<request_type>& type,
               std::string& error) {
  type.reset();
  const std::optional<element> value = wire::field(object, "type");
  if (!value) {
    if (!required) return true;
    error = "missing type";
    return false;
  }
  const std::optional<std::int64_t> n = wire::js_integer(*value);
  if (!n || *n < 0 || *n > 9) {
    error = "unknown request type";
    return false;
  }
  type = static_cast<request_type>(*n);
  return true;
}

bool read_legacy(simdjson::dom::object object, redis_request& r, std::string& error) {
  r.legacy = true;
  if (!wire::read_string(object, "requestId", r.request_id, true, error) ||
      !wire::read_string(object, "sid", r.sid, true, error)) {
    return false;
  }
  if (r.type == request_type::remote_disconnect) {
    const std::optional<element> close = wire::field(object, "close");
    r.close = close && wire::js_truthy(*close);
    return true;
  }
  const std::optional<element> room = wire::field(object, "room");
  if (!room || !wire::room_name(*room, r.room)) {
    error = "room is not a string or number";
    return false;
  }
  return true;
}

bool read_request(const parsed& message, redis_request& r, std::string& error) {
  const simdjson::dom::object object = message.object;
  std::optional<request_type> type;
  if (!read_type(object, true, type, error)) return false;
  r.type = *type;
  if (!wire::read_string(object, "uid", r.uid, false, error)) return false;
  const std::optional<element> opts = wire::field(object, "opts");
  const auto options = [&] {
    if (opts) return wire::read_options(*opts, r.opts, error);
    error = "missing opts";
    return false;
  };
  switch (r.type) {
    case request_type::sockets:
      return wire::read_string(object, "requestId", r.request_id, true, error) &&
             wire::read_rooms(wire::field(object, "rooms"), max_rooms, r.rooms, "rooms", error);
    case request_type::all_rooms:
      return wire::read_string(object, "requestId", r.request_id, true, error);
    case request_type::remote_join:
    case request_type::remote_leave:
      if (!opts || !wire::js_truthy(*opts)) return read_legacy(object, r, error);
      if (!options()) return false;
      if (!wire::field(object, "rooms")) {
        error = "missing rooms";
        return false;
      }
      return wire::read_rooms(wire::field(object, "rooms"), max_rooms, r.rooms, "rooms", error);
    case request_type::remote_disconnect: {
      if (!opts || !wire::js_truthy(*opts)) return read_legacy(object, r, error);
      const std::optional<element> close = wire::field(object, "close");
      r.close = close && wire::js_truthy(*close);
      return options();
    }
    case request_type::remote_fetch:
      return wire::read_string(object, "requestId", r.request_id, true, error) && options();
    case request_type::server_side_emit: {
      if (!wire::read_string(object, "requestId", r.request_id, false, error)) return false;
      const std::optional<element> data = wire::field(object, "data");
      if (!data || !data->is_array()) {
        error = "data is not an array";
        return false;
      }
      std::vector<std::string> attachments;
      if (!wire::read_json(*data, msgpack::max_depth,
                           message.from_msgpack ? &message.attachments : nullptr, r.data_json,
                           attachments, "data", error)) {
        return false;
      }
      if (!attachments.empty()) {
        error = "binary data in a server-side emit";
        return false;
      }
      return true;
    }
    case request_type::broadcast: {
      if (!wire::read_string(object, "requestId", r.request_id, true, error)) return false;
      const std::optional<element> packet = wire::field(object, "packet");
      if (!packet) {
        error = "missing packet";
        return false;
      }
      return wire::read_packet(*packet, "/", message.from_msgpack ? &message.attachments : nullptr,
                               r.packet, error) &&
             options();
    }
    case request_type::broadcast_client_count:
    case request_type::broadcast_ack:
      break;
  }
  error = "a response type, not a request";
  return false;
}

bool read_response(const parsed& message, redis_response& r, std::string& error) {
  const simdjson::dom::object object = message.object;
  if (!read_type(object, false, r.type, error) ||
      !wire::read_string(object, "requestId", r.request_id, true, error)) {
    return false;
  }
  const std::vector<std::string>* binaries = message.from_msgpack ? &message.attachments : nullptr;
  if (const std::optional<element> rooms = wire::field(object, "rooms")) {
    if (!wire::read_rooms(rooms, max_node_entries, r.rooms, "rooms", error)) return false;
  }
  const bool carries_data =
      r.type == request_type::server_side_emit || r.type == request_type::broadcast_ack;
  const std::optional<element> sockets =
      carries_data ? std::nullopt : wire::field(object, "sockets");
  if (sockets) {
    simdjson::dom::array array;
    if (sockets->get_array().get(array) != simdjson::SUCCESS) {
      error = "sockets is not an array";
      return false;
    }
    if (array.size() > max_node_entries) {
      error = "sockets: more than " + std::to_string(max_node_entries) + " entries";
      return false;
    }
    if (!wire::read_json(*sockets, msgpack::max_depth, binaries, r.sockets_json, r.attachments,
                         "sockets", error)) {
      return false;
    }
    bool all_strings = true;
    for (const element entry : array) all_strings = all_strings && entry.is_string();
    if (all_strings) {
      for (const element entry : array) {
        r.socket_ids.emplace_back(entry.get_string().value_unsafe());
      }
    }
  }
  const char* data_key = r.type == request_type::server_side_emit ? "data"
                         : r.type == request_type::broadcast_ack  ? "packet"
                                                                  : nullptr;
  if (data_key) {
    if (const std::optional<element> data = wire::field(object, data_key)) {
      if (!wire::read_json(*data, msgpack::max_depth, binaries, r.data_json, r.attachments,
                           data_key, error)) {
        return false;
      }
    }
  }
  if (r.type == request_type::broadcast_client_count) {
    const std::optional<element> count = wire::field(object, "clientCount");
    const std::optional<std::int64_t> n = count ? wire::js_integer(*count) : std::nullopt;
    if (!n || *n < 0) {
      error = "clientCount is not an integer";
      return false;
    }
    r.client_count = static_cast<std::uint64_t>(*n);
  }
  return true;
}

// ---- Writing.

void append_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

void append_string_field(std::string& out, std::string_view key, std::string_view value) {
  append_key(out, key);
  json::append_quoted(out, value);
}

}  // namespace

std::string encode_redis_broadcast(std::string_view uid, const event_packet& packet,
                                   const broadcast_options& opts) {
  std::string out;
  msgpack::put_array(out, 3);
  msgpack::put_str(out, uid);
  if (!wire::append_packet_msgpack(out, packet, /*with_nsp=*/true)) return {};
  wire::append_options_msgpack(out, opts);
  return out;
}

std::optional<redis_broadcast> decode_redis_broadcast(std::string_view payload,
                                                      std::string& error) {
  redis_broadcast out;
  broadcast_reader reader(payload.data(), payload.data() + payload.size(), error);
  if (!reader.read(out)) return std::nullopt;
  return out;
}

std::optional<redis_request> decode_redis_request(std::string_view payload, std::string& error) {
  parsed message;
  redis_request r;
  if (!parse(payload, message, error) || !read_request(message, r, error)) return std::nullopt;
  return r;
}

std::optional<redis_response> decode_redis_response(std::string_view payload, std::string& error) {
  parsed message;
  redis_response r;
  if (!parse(payload, message, error) || !read_response(message, r, error)) return std::nullopt;
  return r;
}

std::string encode_all_rooms_request(std::string_view uid, std::string_view request_id) {
  std::string out = "{";
  append_string_field(out, "uid", uid);
  out += ',';
  append_string_field(out, "requestId", request_id);
  out += R"(,"type":1})";
  return out;
}

std::string encode_rooms_request(request_type join_or_leave, std::string_view uid,
                                 const broadcast_options& opts,
                                 const std::vector<std::string>& rooms) {
  std::string out = "{";
  append_string_field(out, "uid", uid);
  out += R"(,"type":)";
  out += std::to_string(static_cast<int>(join_or_leave));
  out += R"(,"opts":)";
  wire::append_options_json(out, opts, /*with_flags=*/false);
  out += R"(,"rooms":)";
  wire::append_rooms_json(out, rooms);
  out += '}';
  return out;
}

std::string encode_disconnect_request(std::string_view uid, const broadcast_options& opts,
                                      bool close) {
  std::string out = "{";
  append_string_field(out, "uid", uid);
  out += R"(,"type":4,"opts":)";
  wire::append_options_json(out, opts, /*with_flags=*/false);
  out += close ? R"(,"close":true})" : R"(,"close":false})";
  return out;
}

std::string encode_fetch_request(std::string_view uid, std::string_view request_id,
                                 const broadcast_options& opts) {
  std::string out = "{";
  append_string_field(out, "uid", uid);
  out += ',';
  append_string_field(out, "requestId", request_id);
  out += R"(,"type":5,"opts":)";
  wire::append_options_json(out, opts, /*with_flags=*/false);
  out += '}';
  return out;
}

std::string encode_server_side_emit(std::string_view uid, std::string_view data_json,
                                    std::string_view request_id) {
  std::string out = "{";
  append_string_field(out, "uid", uid);
  if (!request_id.empty()) {
    out += ',';
    append_string_field(out, "requestId", request_id);
  }
  out += R"(,"type":6,"data":)";
  out += data_json;
  out += '}';
  return out;
}

std::string encode_broadcast_with_ack_request(std::string_view uid, std::string_view request_id,
                                              const event_packet& packet,
                                              const broadcast_options& opts) {
  std::string out;
  msgpack::put_map(out, 5);
  msgpack::put_str(out, "uid");
  msgpack::put_str(out, uid);
  msgpack::put_str(out, "requestId");
  msgpack::put_str(out, request_id);
  msgpack::put_str(out, "type");
  msgpack::put_uint(out, 7);
  msgpack::put_str(out, "packet");
  if (!wire::append_packet_msgpack(out, packet, /*with_nsp=*/true)) return {};
  msgpack::put_str(out, "opts");
  wire::append_options_msgpack(out, opts);
  return out;
}

std::string encode_all_rooms_response(std::string_view request_id,
                                      const std::vector<std::string>& rooms) {
  std::string out = "{";
  append_string_field(out, "requestId", request_id);
  out += R"(,"rooms":)";
  wire::append_rooms_json(out, rooms);
  out += '}';
  return out;
}

std::string encode_fetch_response(std::string_view request_id, std::string_view sockets_json) {
  std::string out = "{";
  append_string_field(out, "requestId", request_id);
  out += R"(,"sockets":)";
  out += sockets_json;
  out += '}';
  return out;
}

std::string encode_server_side_emit_response(std::string_view request_id,
                                             std::string_view data_json) {
  std::string out = R"({"type":6,)";
  append_string_field(out, "requestId", request_id);
  if (!data_json.empty()) {
    out += R"(,"data":)";
    out += data_json;
  }
  out += '}';
  return out;
}

std::string encode_client_count_response(std::string_view request_id, std::uint64_t count) {
  std::string out = R"({"type":8,)";
  append_string_field(out, "requestId", request_id);
  out += R"(,"clientCount":)";
  out += std::to_string(count);
  out += '}';
  return out;
}

std::string encode_broadcast_ack_response(std::string_view request_id, std::string_view packet_json,
                                          const std::vector<std::string>& attachments) {
  std::string out;
  msgpack::put_map(out, packet_json.empty() ? 2 : 3);
  msgpack::put_str(out, "type");
  msgpack::put_uint(out, 9);
  msgpack::put_str(out, "requestId");
  msgpack::put_str(out, request_id);
  if (!packet_json.empty()) {
    simdjson::dom::element packet;
    if (json_parser().parse(packet_json.data(), packet_json.size()).get(packet) !=
        simdjson::SUCCESS) {
      return {};
    }
    msgpack::put_str(out, "packet");
    if (!msgpack::append_msgpack(packet, attachments, out)) return {};
  }
  return out;
}

std::string broadcast_channel(std::string_view key, std::string_view nsp) {
  std::string out(key);
  out += '#';
  out += nsp;
  out += '#';
  return out;
}

std::string room_channel(std::string_view key, std::string_view nsp, std::string_view room) {
  std::string out = broadcast_channel(key, nsp);
  out += room;
  out += '#';
  return out;
}

std::string request_channel(std::string_view key, std::string_view nsp) {
  std::string out(key);
  out += "-request#";
  out += nsp;
  out += '#';
  return out;
}

std::string response_channel(std::string_view key, std::string_view nsp) {
  std::string out(key);
  out += "-response#";
  out += nsp;
  out += '#';
  return out;
}

std::string specific_response_channel(std::string_view key, std::string_view nsp,
                                      std::string_view uid) {
  std::string out = response_channel(key, nsp);
  out += uid;
  out += '#';
  return out;
}

std::optional<std::string_view> broadcast_channel_room(std::string_view channel,
                                                       std::string_view key, std::string_view nsp) {
  const std::string prefix = broadcast_channel(key, nsp);
  if (!channel.starts_with(prefix)) return std::nullopt;
  std::string_view room = channel.substr(prefix.size());
  if (!room.empty()) room.remove_suffix(1);
  return room;
}

}  // namespace chorus::protocol::cluster
