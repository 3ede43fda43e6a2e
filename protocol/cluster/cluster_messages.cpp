#include "protocol/cluster/cluster_messages.hpp"

#include <simdjson.h>

#include "protocol/cluster/redis_messages.hpp"
#include "protocol/cluster/wire.hpp"
#include "protocol/json/escape.hpp"
#include "protocol/msgpack/json_bridge.hpp"
#include "protocol/msgpack/writer.hpp"

namespace chorus::protocol::cluster {
namespace {

using simdjson::dom::element;

// Nesting around a broadcast's event data: the message, its data, the packet, then the data.
constexpr std::size_t envelope_depth = 3;

// ---- JSON: {"type":N,"data":{…},"uid":"…","nsp":"…"}

void append_key(std::string& out, std::string_view key) {
  json::append_quoted(out, key);
  out += ':';
}

void append_request_id(std::string& out, std::string_view request_id) {
  append_key(out, "requestId");
  json::append_quoted(out, request_id);
}

void append_data_json(std::string& out, const cluster_message& m) {
  out += '{';
  switch (m.type) {
    case cluster_type::broadcast:
      out += R"("packet":{"type":2,"data":)";
      out += m.packet.data_json;
      out += "},";
      if (!m.request_id.empty()) {
        append_request_id(out, m.request_id);
        out += ',';
      }
      append_key(out, "opts");
      wire::append_options_json(out, m.opts, /*with_flags=*/true);
      break;
    case cluster_type::sockets_join:
    case cluster_type::sockets_leave:
      append_key(out, "opts");
      wire::append_options_json(out, m.opts, true);
      out += ',';
      append_key(out, "rooms");
      wire::append_rooms_json(out, m.rooms);
      break;
    case cluster_type::disconnect_sockets:
      append_key(out, "opts");
      wire::append_options_json(out, m.opts, true);
      out += m.close ? R"(,"close":true)" : R"(,"close":false)";
      break;
    case cluster_type::fetch_sockets:
      append_key(out, "opts");
      wire::append_options_json(out, m.opts, true);
      out += ',';
      append_request_id(out, m.request_id);
      break;
    case cluster_type::fetch_sockets_response:
      append_request_id(out, m.request_id);
      out += R"(,"sockets":)";
      out += m.sockets_json;
      break;
    case cluster_type::server_side_emit:
      if (!m.request_id.empty()) {
        append_request_id(out, m.request_id);
        out += ',';
      }
      append_key(out, "packet");
      out += m.data_json;
      break;
    case cluster_type::server_side_emit_response:
    case cluster_type::broadcast_ack:
      append_request_id(out, m.request_id);
      if (!m.data_json.empty()) {
        out += R"(,"packet":)";
        out += m.data_json;
      }
      break;
    case cluster_type::broadcast_client_count:
      append_request_id(out, m.request_id);
      out += R"(,"clientCount":)";
      out += std::to_string(m.client_count);
      break;
  }
  out += '}';
}

std::string encode_json(const cluster_message& m) {
  std::string out = R"({"type":)";
  out += std::to_string(m.type);
  if (has_cluster_data(m.type)) {
    out += R"(,"data":)";
    append_data_json(out, m);
  }
  out += ',';
  append_key(out, "uid");
  json::append_quoted(out, m.uid);
  out += ',';
  append_key(out, "nsp");
  json::append_quoted(out, m.nsp);
  out += '}';
  return out;
}

// ---- msgpack, for the types whose data holds binary: the same keys in the same order.

bool append_json_as_msgpack(std::string& out, std::string_view json,
                            const std::vector<std::string>& attachments) {
  thread_local simdjson::dom::parser parser;
  element value;
  if (parser.parse(json.data(), json.size()).get(value) != simdjson::SUCCESS) return false;
  return msgpack::append_msgpack(value, attachments, out);
}

bool append_data_msgpack(std::string& out, const cluster_message& m) {
  const bool with_request_id = !m.request_id.empty();
  const auto request_id = [&] {
    msgpack::put_str(out, "requestId");
    msgpack::put_str(out, m.request_id);
  };
  const auto options = [&] {
    msgpack::put_str(out, "opts");
    wire::append_options_msgpack(out, m.opts);
  };
  switch (m.type) {
    case cluster_type::broadcast:
      msgpack::put_map(out, with_request_id ? 3 : 2);
      msgpack::put_str(out, "packet");
      if (!wire::append_packet_msgpack(out, m.packet, /*with_nsp=*/false)) return false;
      if (with_request_id) request_id();
      options();
      return true;
    case cluster_type::sockets_join:
    case cluster_type::sockets_leave:
      msgpack::put_map(out, 2);
      options();
      msgpack::put_str(out, "rooms");
      wire::append_rooms_msgpack(out, m.rooms);
      return true;
    case cluster_type::disconnect_sockets:
      msgpack::put_map(out, 2);
      options();
      msgpack::put_str(out, "close");
      msgpack::put_bool(out, m.close);
      return true;
    case cluster_type::fetch_sockets:
      msgpack::put_map(out, 2);
      options();
      request_id();
      return true;
    case cluster_type::fetch_sockets_response:
      msgpack::put_map(out, 2);
      request_id();
      msgpack::put_str(out, "sockets");
      return append_json_as_msgpack(out, m.sockets_json, m.attachments);
    case cluster_type::server_side_emit:
      msgpack::put_map(out, with_request_id ? 2 : 1);
      if (with_request_id) request_id();
      msgpack::put_str(out, "packet");
      return append_json_as_msgpack(out, m.data_json, m.attachments);
    case cluster_type::broadcast_client_count:
      msgpack::put_map(out, 2);
      request_id();
      msgpack::put_str(out, "clientCount");
      msgpack::put_uint(out, m.client_count);
      return true;
    default:  // 10 and 12
      msgpack::put_map(out, m.data_json.empty() ? 1 : 2);
      request_id();
      if (m.data_json.empty()) return true;
      msgpack::put_str(out, "packet");
      return append_json_as_msgpack(out, m.data_json, m.attachments);
  }
}

std::string encode_msgpack(const cluster_message& m) {
  const bool with_data = has_cluster_data(m.type);
  std::string out;
  msgpack::put_map(out, with_data ? 4 : 3);
  msgpack::put_str(out, "type");
  msgpack::put_uint(out, static_cast<std::uint64_t>(m.type));
  if (with_data) {
    msgpack::put_str(out, "data");
    if (!append_data_msgpack(out, m)) return {};
  }
  msgpack::put_str(out, "uid");
  msgpack::put_str(out, m.uid);
  msgpack::put_str(out, "nsp");
  msgpack::put_str(out, m.nsp);
  return out;
}

bool known_type(int type) {
  return type >= cluster_type::initial_heartbeat && type <= cluster_type::adapter_close;
}

// ---- Reading.

bool read_data(simdjson::dom::object data, const std::vector<std::string>* binaries,
               cluster_message& m, std::string& error) {
  const auto options = [&] {
    const std::optional<element> opts = wire::field(data, "opts");
    if (opts) return wire::read_options(*opts, m.opts, error);
    error = "missing opts";
    return false;
  };
  const auto request_id = [&](bool required) {
    return wire::read_string(data, "requestId", m.request_id, required, error);
  };
  const auto json_field = [&](std::string_view key, std::string& json, bool required) {
    const std::optional<element> value = wire::field(data, key);
    if (!value) {
      if (!required) return true;
      error = "missing " + std::string(key);
      return false;
    }
    return wire::read_json(*value, msgpack::max_depth, binaries, json, m.attachments, key, error);
  };
  switch (m.type) {
    case cluster_type::broadcast: {
      const std::optional<element> packet = wire::field(data, "packet");
      if (!packet) {
        error = "missing packet";
        return false;
      }
      if (!wire::read_packet(*packet, m.nsp, binaries, m.packet, error)) return false;
      m.packet.nsp = m.nsp;  // the receiving namespace's, whatever the packet says
      return request_id(false) && options();
    }
    case cluster_type::sockets_join:
    case cluster_type::sockets_leave: {
      const std::optional<element> rooms = wire::field(data, "rooms");
      if (!rooms) {
        error = "missing rooms";
        return false;
      }
      return options() && wire::read_rooms(rooms, max_rooms, m.rooms, "rooms", error);
    }
    case cluster_type::disconnect_sockets: {
      const std::optional<element> close = wire::field(data, "close");
      m.close = close && wire::js_truthy(*close);
      return options();
    }
    case cluster_type::fetch_sockets:
      return options() && request_id(true);
    case cluster_type::fetch_sockets_response: {
      const std::optional<element> sockets = wire::field(data, "sockets");
      simdjson::dom::array array;
      if (!sockets || sockets->get_array().get(array) != simdjson::SUCCESS) {
        error = "sockets is not an array";
        return false;
      }
      if (array.size() > max_node_entries) {
        error = "sockets: more than " + std::to_string(max_node_entries) + " entries";
        return false;
      }
      return request_id(true) && json_field("sockets", m.sockets_json, true);
    }
    case cluster_type::server_side_emit: {
      const std::optional<element> packet = wire::field(data, "packet");
      if (!packet || !packet->is_array()) {
        error = "packet is not an array";
        return false;
      }
      return request_id(false) && json_field("packet", m.data_json, true);
    }
    case cluster_type::server_side_emit_response:
    case cluster_type::broadcast_ack:
      return request_id(true) && json_field("packet", m.data_json, false);
    case cluster_type::broadcast_client_count: {
      const std::optional<element> count = wire::field(data, "clientCount");
      const std::optional<std::int64_t> n = count ? wire::js_integer(*count) : std::nullopt;
      if (!n || *n < 0) {
        error = "clientCount is not an integer";
        return false;
      }
      m.client_count = static_cast<std::uint64_t>(*n);
      return request_id(true);
    }
  }
  return true;
}

// `data` of a message whose type has data: an object, read by type.
bool read_data_element(std::optional<element> data, const std::vector<std::string>* binaries,
                       cluster_message& m, std::string& error) {
  simdjson::dom::object object;
  if (!data || data->get_object().get(object) != simdjson::SUCCESS) {
    error = "data is not an object";
    return false;
  }
  return read_data(object, binaries, m, error);
}

// A string's length in UTF-16 code units, as JS counts it.
std::size_t js_length(std::string_view utf8) {
  std::size_t length = 0;
  for (const char c : utf8) {
    const auto b = static_cast<unsigned char>(c);
    if ((b & 0xC0) != 0x80) ++length;  // a lead byte or ASCII
    if (b >= 0xF0) ++length;           // four bytes: a surrogate pair
  }
  return length;
}

}  // namespace

bool has_cluster_data(int type) {
  return type >= cluster_type::broadcast && type <= cluster_type::broadcast_ack;
}

bool cluster_data_has_binary(const cluster_message& m) {
  switch (m.type) {
    case cluster_type::broadcast:
      return !m.packet.attachments.empty();
    case cluster_type::fetch_sockets_response:
    case cluster_type::server_side_emit:
    case cluster_type::server_side_emit_response:
    case cluster_type::broadcast_ack:
      return !m.attachments.empty();
    default:
      return false;
  }
}

std::string encode_cluster_message(const cluster_message& message) {
  if (!known_type(message.type)) return {};
  return cluster_data_has_binary(message) ? encode_msgpack(message) : encode_json(message);
}

std::string encode_cluster_message_msgpack(const cluster_message& message) {
  if (!known_type(message.type)) return {};
  return encode_msgpack(message);
}

std::string encode_cluster_data_json(const cluster_message& message) {
  std::string out;
  if (has_cluster_data(message.type)) append_data_json(out, message);
  return out;
}

std::string encode_cluster_data_msgpack(const cluster_message& message) {
  std::string out;
  if (has_cluster_data(message.type) && !append_data_msgpack(out, message)) out.clear();
  return out;
}

std::optional<cluster_message> decode_cluster_message(std::string_view payload,
                                                      std::string& error) {
  thread_local simdjson::dom::parser parser;
  element root;
  std::vector<std::string> attachments;
  if (!wire::parse_payload(payload, parser, msgpack::max_depth + envelope_depth, root, attachments,
                           error)) {
    return std::nullopt;
  }
  const bool from_msgpack = payload.empty() || payload.front() != '{';
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    error = "the message is not an object";
    return std::nullopt;
  }
  cluster_message m;
  if (!wire::read_string(object, "uid", m.uid, false, error) ||
      !wire::read_string(object, "nsp", m.nsp, true, error)) {
    return std::nullopt;
  }
  const std::optional<element> type = wire::field(object, "type");
  const std::optional<std::int64_t> n = type ? wire::js_integer(*type) : std::nullopt;
  if (!n || *n < cluster_type::initial_heartbeat || *n > cluster_type::adapter_close) {
    error = "unknown message type";
    return std::nullopt;
  }
  m.type = static_cast<int>(*n);
  if (!has_cluster_data(m.type)) return m;
  if (!read_data_element(wire::field(object, "data"), from_msgpack ? &attachments : nullptr, m,
                         error))
    return std::nullopt;
  return m;
}

bool decode_cluster_data(std::string_view payload, cluster_message& message, std::string& error) {
  if (!has_cluster_data(message.type)) return true;
  thread_local simdjson::dom::parser parser;
  element root;
  std::vector<std::string> attachments;
  if (!wire::parse_payload(payload, parser, msgpack::max_depth + envelope_depth - 1, root,
                           attachments, error)) {
    return false;
  }
  const bool from_msgpack = payload.empty() || payload.front() != '{';
  return read_data_element(root, from_msgpack ? &attachments : nullptr, message, error);
}

std::string sharded_publish_channel(const cluster_message& message, std::string_view prefix,
                                    subscription_mode mode) {
  const bool to_room = message.type == cluster_type::broadcast && message.request_id.empty() &&
                       message.opts.rooms.size() == 1 &&
                       subscribes_room_channel(message.opts.rooms.front(), mode);
  return to_room ? room_channel(prefix, message.nsp, message.opts.rooms.front())
                 : broadcast_channel(prefix, message.nsp);
}

bool looks_like_socket_id(std::string_view room) {
  return js_length(room) == 20;
}

bool subscribes_room_channel(std::string_view room, subscription_mode mode) {
  switch (mode) {
    case subscription_mode::static_rooms:
      return false;
    case subscription_mode::dynamic:
      return !looks_like_socket_id(room);
    case subscription_mode::dynamic_private:
      return true;
  }
  return false;
}

}  // namespace chorus::protocol::cluster
