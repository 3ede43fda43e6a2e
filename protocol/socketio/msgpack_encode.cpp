#include "protocol/socketio/msgpack_encode.hpp"

#include "protocol/json/surrogates.hpp"
#include "protocol/msgpack/writer.hpp"

namespace chorus::protocol::socketio {
namespace {

using msgpack::put_map;
using msgpack::put_str;
using msgpack::put_uint;

// notepack 2's `undefined`: fixext 1 of type 0.
constexpr std::string_view undefined_value("\xd4\x00\x00", 3);

std::uint64_t wire_type(packet_type type) {
  if (type == packet_type::binary_event) return static_cast<std::uint64_t>(packet_type::event);
  if (type == packet_type::binary_ack) return static_cast<std::uint64_t>(packet_type::ack);
  return static_cast<std::uint64_t>(type);
}

void put_field(std::string& out, std::string_view key, std::uint64_t value) {
  put_str(out, key);
  put_uint(out, value);
}

}  // namespace

bool append_msgpack_packet(std::string& out, simdjson::dom::parser& parser, packet_type type,
                           std::string_view nsp, std::optional<std::uint64_t> ack_id,
                           std::optional<std::string_view> data_json,
                           const std::vector<std::string>& attachments, std::size_t depth_limit) {
  const std::uint64_t wire = wire_type(type);
  const bool is_ack = wire == static_cast<std::uint64_t>(packet_type::ack);
  const bool is_event = wire == static_cast<std::uint64_t>(packet_type::event);
  if (!is_ack && !is_event) ack_id.reset();
  const std::size_t mark = out.size();
  put_map(out, 2 + (data_json ? 1 : 0) + (ack_id ? 1 : 0));
  if (is_ack && ack_id) put_field(out, "id", *ack_id);
  put_field(out, "type", wire);
  if (data_json) {
    put_str(out, "data");
    simdjson::dom::element root;
    if (json::parse_as_javascript(parser, *data_json, root) != simdjson::SUCCESS ||
        !msgpack::append_msgpack(root, attachments, out, depth_limit)) {
      out.resize(mark);
      return false;
    }
  }
  if (is_event && ack_id) put_field(out, "id", *ack_id);
  put_str(out, "nsp");
  put_str(out, nsp);
  return true;
}

bool append_msgpack_event(std::string& out, simdjson::dom::parser& parser, std::string_view nsp,
                          std::string_view event_name, std::string_view args_json,
                          const std::vector<std::string>& attachments,
                          std::optional<std::uint64_t> ack_id, std::size_t depth_limit) {
  // The arguments sit one level below the data array.
  if (depth_limit == 0) return false;
  thread_local std::string array;
  array.assign("[");
  array.append(args_json);
  array.append("]");
  simdjson::dom::element root;
  simdjson::dom::array args;
  if (json::parse_as_javascript(parser, array, root) != simdjson::SUCCESS ||
      root.get_array().get(args) != simdjson::SUCCESS) {
    return false;
  }
  const std::size_t count = args.size() + 1;
  if (count > UINT32_MAX) return false;
  const std::size_t mark = out.size();
  put_map(out, ack_id ? 4 : 3);
  put_field(out, "type", static_cast<std::uint64_t>(packet_type::event));
  put_str(out, "data");
  msgpack::put_array(out, static_cast<std::uint32_t>(count));
  put_str(out, event_name);
  for (const simdjson::dom::element arg : args) {
    if (!msgpack::append_msgpack(arg, attachments, out, depth_limit - 1)) {
      out.resize(mark);
      return false;
    }
  }
  if (ack_id) put_field(out, "id", *ack_id);
  put_str(out, "nsp");
  put_str(out, nsp);
  return true;
}

void append_msgpack_connect(std::string& out, std::string_view nsp, std::string_view sid,
                            std::string_view pid) {
  put_map(out, 3);
  put_field(out, "type", static_cast<std::uint64_t>(packet_type::connect));
  put_str(out, "data");
  put_map(out, 2);
  put_str(out, "sid");
  put_str(out, sid);
  put_str(out, "pid");
  if (pid.empty()) {
    out += undefined_value;
  } else {
    put_str(out, pid);
  }
  put_str(out, "nsp");
  put_str(out, nsp);
}

void append_msgpack_connect_error(std::string& out, std::string_view nsp,
                                  std::string_view message) {
  put_map(out, 3);
  put_field(out, "type", static_cast<std::uint64_t>(packet_type::connect_error));
  put_str(out, "data");
  put_map(out, 1);
  put_str(out, "message");
  put_str(out, message);
  put_str(out, "nsp");
  put_str(out, nsp);
}

void append_msgpack_disconnect(std::string& out, std::string_view nsp) {
  put_map(out, 2);
  put_field(out, "type", static_cast<std::uint64_t>(packet_type::disconnect));
  put_str(out, "nsp");
  put_str(out, nsp);
}

}  // namespace chorus::protocol::socketio
