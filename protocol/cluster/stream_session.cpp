#include "protocol/cluster/stream_session.hpp"

#include <simdjson.h>

#include <charconv>
#include <limits>

#include "protocol/base64.hpp"
#include "protocol/msgpack/json_bridge.hpp"
#include "protocol/msgpack/writer.hpp"

namespace chorus::protocol::cluster {

std::string stream_session_key(std::string_view pid) {
  std::string key = "sio:session:";
  key += pid;
  return key;
}

std::string encode_stream_session(const stream_session& session) {
  // The Node adapter encodes the object socket.io hands it: these four keys, in this order.
  std::string msgpack;
  msgpack::put_map(msgpack, 4);
  msgpack::put_str(msgpack, "sid");
  msgpack::put_str(msgpack, session.sid);
  msgpack::put_str(msgpack, "pid");
  msgpack::put_str(msgpack, session.pid);
  msgpack::put_str(msgpack, "rooms");
  msgpack::put_array(msgpack, static_cast<std::uint32_t>(session.rooms.size()));
  for (const auto& room : session.rooms) msgpack::put_str(msgpack, room);
  msgpack::put_str(msgpack, "data");
  simdjson::dom::parser parser;
  simdjson::dom::element data;
  if (parser.parse(session.data_json).get(data)) return {};
  if (!msgpack::append_msgpack(data, {}, msgpack)) return {};
  std::string value;
  append_base64(value, msgpack);
  return value;
}

std::optional<stream_session> decode_stream_session(std::string_view value, std::string& error) {
  std::string msgpack;
  if (!decode_base64(value, msgpack)) {
    error = "not base64";
    return std::nullopt;
  }
  // Through JSON, which the bridge writes from msgpack under its depth and size bounds.
  std::string json;
  std::vector<std::string> binaries;
  const char* cursor = msgpack.data();
  const char* end = cursor + msgpack.size();
  if (auto failed = msgpack::append_json(&cursor, end, json, binaries)) {
    error = msgpack::to_string(*failed);
    return std::nullopt;
  }
  if (cursor != end || !binaries.empty()) {
    error = cursor != end ? "bytes after the session" : "binary in the session";
    return std::nullopt;
  }
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(json).get_object().get(object)) {
    error = "not a map";
    return std::nullopt;
  }
  stream_session session;
  std::string_view sid, pid;
  simdjson::dom::array rooms;
  if (object["sid"].get_string().get(sid) || object["pid"].get_string().get(pid) ||
      object["rooms"].get_array().get(rooms)) {
    error = "sid, pid or rooms missing or of the wrong type";
    return std::nullopt;
  }
  session.sid = sid;
  session.pid = pid;
  for (simdjson::dom::element room : rooms) {
    std::string_view name;
    if (room.get_string().get(name)) {
      error = "a room that is not a string";
      return std::nullopt;
    }
    session.rooms.emplace_back(name);
  }
  if (simdjson::dom::element data; !object["data"].get(data))
    session.data_json = simdjson::minify(data);
  return session;
}

namespace {
std::optional<unsigned long long> decimal(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  for (char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  unsigned long long value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}
}  // namespace

std::optional<stream_id> parse_stream_id(std::string_view text) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto ms = decimal(text.substr(0, dash));
  auto seq = decimal(text.substr(dash + 1));
  if (!ms || !seq) return std::nullopt;
  return stream_id{*ms, *seq};
}

std::string format_stream_id(stream_id id) {
  return std::to_string(id.ms) + '-' + std::to_string(id.seq);
}

stream_id next_stream_id(stream_id id) {
  if (id.seq == std::numeric_limits<unsigned long long>::max()) return {id.ms + 1, 0};
  return {id.ms, id.seq + 1};
}

}  // namespace chorus::protocol::cluster
