#include "protocol/cluster/wire.hpp"

#include <cmath>

#include "protocol/json/escape.hpp"
#include "protocol/json/js_number.hpp"
#include "protocol/json/js_stringify.hpp"
#include "protocol/json/surrogates.hpp"
#include "protocol/msgpack/json_bridge.hpp"
#include "protocol/msgpack/writer.hpp"

namespace chorus::protocol::cluster::wire {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool parse_payload(std::string_view payload, simdjson::dom::parser& parser, std::size_t depth_limit,
                   element& root, std::vector<std::string>& attachments, std::string& error) {
  attachments.clear();
  std::string text;
  std::string_view source = payload;
  if (!payload.empty() && payload.front() == '{') {
    if (json::replace_lone_surrogates(payload, text)) source = text;
  } else {
    const char* p = payload.data();
    const char* end = p + payload.size();
    if (auto e = msgpack::append_json(&p, end, text, attachments, depth_limit)) {
      error = msgpack::to_string(*e);
      return false;
    }
    if (p != end) {
      error = "trailing bytes after the msgpack value";
      return false;
    }
    source = text;
  }
  if (parser.parse(source.data(), source.size()).get(root) != simdjson::SUCCESS) {
    error = "invalid JSON";
    return false;
  }
  return true;
}

std::optional<double> js_number(element value) {
  switch (value.type()) {
    case element_type::INT64:
      return static_cast<double>(value.get_int64().value_unsafe());
    case element_type::UINT64:
      return static_cast<double>(value.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return value.get_double().value_unsafe();
    default:
      return std::nullopt;
  }
}

std::optional<std::int64_t> js_integer(element value) {
  const std::optional<double> n = js_number(value);
  if (!n || std::trunc(*n) != *n || std::fabs(*n) > 9007199254740992.0) return std::nullopt;
  return static_cast<std::int64_t>(*n);
}

bool js_truthy(element value) {
  switch (value.type()) {
    case element_type::BOOL:
      return value.get_bool().value_unsafe();
    case element_type::NULL_VALUE:
      return false;
    case element_type::STRING:
      return !value.get_string().value_unsafe().empty();
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return *js_number(value) != 0;
    default:
      return true;
  }
}

bool room_name(element value, std::string& name) {
  if (value.is_string()) {
    name.assign(value.get_string().value_unsafe());
    return true;
  }
  const std::optional<double> n = js_number(value);
  if (!n) return false;
  name.clear();
  json::append_js_number(name, *n);
  return true;
}

bool read_rooms(std::optional<element> list, std::size_t max, std::vector<std::string>& rooms,
                std::string_view what, std::string& error) {
  rooms.clear();
  if (!list || list->is_null()) return true;
  simdjson::dom::array array;
  if (list->get_array().get(array) != simdjson::SUCCESS) {
    error = std::string(what) + " is not an array";
    return false;
  }
  if (array.size() > max) {
    error = std::string(what) + ": more than " + std::to_string(max) + " entries";
    return false;
  }
  rooms.reserve(array.size());
  for (const element entry : array) {
    std::string name;
    if (!room_name(entry, name)) {
      error = std::string(what) + ": an entry is not a string or number";
      return false;
    }
    rooms.push_back(std::move(name));
  }
  return true;
}

std::optional<element> field(simdjson::dom::object object, std::string_view key) {
  std::optional<element> found;
  for (const auto entry : object) {
    if (entry.key == key) found = entry.value;
  }
  return found;
}

bool read_string(simdjson::dom::object object, std::string_view key, std::string& out,
                 bool required, std::string& error) {
  const std::optional<element> value = field(object, key);
  if (!value) {
    if (!required) return true;
    error = "missing " + std::string(key);
    return false;
  }
  if (!value->is_string()) {
    error = std::string(key) + " is not a string";
    return false;
  }
  out.assign(value->get_string().value_unsafe());
  return true;
}

bool read_options(element opts, broadcast_options& out, std::string& error) {
  simdjson::dom::object object;
  if (opts.get_object().get(object) != simdjson::SUCCESS) {
    error = "opts is not an object";
    return false;
  }
  out = broadcast_options{};
  if (!read_rooms(field(object, "rooms"), max_rooms, out.rooms, "opts.rooms", error) ||
      !read_rooms(field(object, "except"), max_rooms, out.except, "opts.except", error)) {
    return false;
  }
  const std::optional<element> flags = field(object, "flags");
  if (!flags || flags->is_null()) return true;
  simdjson::dom::object flag_object;
  if (flags->get_object().get(flag_object) != simdjson::SUCCESS) {
    error = "opts.flags is not an object";
    return false;
  }
  for (const auto flag : flag_object) {
    if (flag.key == "volatile") {
      out.is_volatile = js_truthy(flag.value);
    } else if (flag.key == "compress") {
      out.compress = js_truthy(flag.value);
    } else if (flag.key == "local") {
      out.local = js_truthy(flag.value);
    } else if (flag.key == "timeout") {
      if (flag.value.is_null()) {
        out.timeout_ms.reset();
        continue;
      }
      const std::optional<double> ms = js_number(flag.value);
      if (!ms) {
        error = "opts.flags.timeout is not a number";
        return false;
      }
      out.timeout_ms = *ms <= 0                    ? 0
                       : *ms >= 9007199254740992.0 ? std::uint64_t{9007199254740992}
                                                   : static_cast<std::uint64_t>(*ms);
    }
  }
  return true;
}

bool read_json(element value, std::size_t depth_limit,
               const std::vector<std::string>* attachments_in, std::string& json,
               std::vector<std::string>& attachments, std::string_view what, std::string& error) {
  json.clear();
  attachments.clear();
  if (json::append_js_json(value, json, depth_limit, attachments_in, &attachments)) return true;
  error = std::string(what) + ": bad placeholder or nested too deep";
  return false;
}

bool read_packet(element value, std::string_view default_nsp,
                 const std::vector<std::string>* attachments_in, event_packet& out,
                 std::string& error) {
  simdjson::dom::object packet;
  if (value.get_object().get(packet) != simdjson::SUCCESS) {
    error = "packet is not an object";
    return false;
  }
  const std::optional<element> type = field(packet, "type");
  const std::optional<std::int64_t> type_value = type ? js_integer(*type) : std::nullopt;
  if (!type_value || (*type_value != 2 && *type_value != 5)) {
    error = "packet type is not 2 or 5";
    return false;
  }
  const std::optional<element> data = field(packet, "data");
  if (!data || !data->is_array()) {
    error = "packet data is not an array";
    return false;
  }
  out.nsp.assign(default_nsp);
  if (!read_string(packet, "nsp", out.nsp, false, error)) return false;
  const std::optional<element> id = field(packet, "id");
  out.has_ack_id = id && !id->is_null();
  return read_json(*data, msgpack::max_depth, attachments_in, out.data_json, out.attachments,
                   "packet data", error);
}

void append_rooms_json(std::string& out, const std::vector<std::string>& rooms) {
  out += '[';
  for (std::size_t i = 0; i < rooms.size(); ++i) {
    if (i > 0) out += ',';
    json::append_quoted(out, rooms[i]);
  }
  out += ']';
}

void append_flags_json(std::string& out, const broadcast_options& opts) {
  out += '{';
  bool first = true;
  const auto flag = [&](std::string_view name, std::string_view value) {
    if (!first) out += ',';
    first = false;
    json::append_quoted(out, name);
    out += ':';
    out += value;
  };
  if (opts.is_volatile) flag("volatile", "true");
  if (opts.compress) flag("compress", "true");
  if (opts.local) flag("local", "true");
  if (opts.timeout_ms) flag("timeout", std::to_string(*opts.timeout_ms));
  out += '}';
}

void append_options_json(std::string& out, const broadcast_options& opts, bool with_flags) {
  out += R"({"rooms":)";
  append_rooms_json(out, opts.rooms);
  out += R"(,"except":)";
  append_rooms_json(out, opts.except);
  if (with_flags) {
    out += R"(,"flags":)";
    append_flags_json(out, opts);
  }
  out += '}';
}

void append_rooms_msgpack(std::string& out, const std::vector<std::string>& rooms) {
  msgpack::put_array(out, static_cast<std::uint32_t>(rooms.size()));
  for (const std::string& room : rooms) msgpack::put_str(out, room);
}

void append_options_msgpack(std::string& out, const broadcast_options& opts) {
  msgpack::put_map(out, 3);
  msgpack::put_str(out, "rooms");
  append_rooms_msgpack(out, opts.rooms);
  msgpack::put_str(out, "except");
  append_rooms_msgpack(out, opts.except);
  msgpack::put_str(out, "flags");
  const std::uint32_t count = opts.is_volatile + opts.compress + opts.local +
                              static_cast<std::uint32_t>(opts.timeout_ms.has_value());
  msgpack::put_map(out, count);
  const auto flag = [&](std::string_view name) {
    msgpack::put_str(out, name);
    msgpack::put_bool(out, true);
  };
  if (opts.is_volatile) flag("volatile");
  if (opts.compress) flag("compress");
  if (opts.local) flag("local");
  if (opts.timeout_ms) {
    msgpack::put_str(out, "timeout");
    msgpack::put_uint(out, *opts.timeout_ms);
  }
}

bool append_packet_msgpack(std::string& out, const event_packet& packet, bool with_nsp) {
  thread_local simdjson::dom::parser parser;
  element data;
  if (parser.parse(packet.data_json).get(data) != simdjson::SUCCESS) return false;
  msgpack::put_map(out, with_nsp ? 3 : 2);
  msgpack::put_str(out, "type");
  msgpack::put_uint(out, 2);
  msgpack::put_str(out, "data");
  if (!msgpack::append_msgpack(data, packet.attachments, out)) return false;
  if (with_nsp) {
    msgpack::put_str(out, "nsp");
    msgpack::put_str(out, packet.nsp);
  }
  return true;
}

}  // namespace chorus::protocol::cluster::wire
