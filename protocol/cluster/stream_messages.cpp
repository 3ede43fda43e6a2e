#include "protocol/cluster/stream_messages.hpp"

#include <charconv>

#include "protocol/base64.hpp"

namespace chorus::protocol::cluster {

bool is_ephemeral(const cluster_message& message) {
  switch (message.type) {
    case cluster_type::broadcast:
      return !message.request_id.empty();
    case cluster_type::sockets_join:
    case cluster_type::sockets_leave:
    case cluster_type::disconnect_sockets:
    case cluster_type::initial_heartbeat:
    case cluster_type::heartbeat:
    case cluster_type::adapter_close:
      return false;
    default:  // FETCH_SOCKETS, SERVER_SIDE_EMIT and the responses
      return true;
  }
}

std::vector<stream_field> encode_stream_entry(const cluster_message& message) {
  if (message.type < cluster_type::initial_heartbeat || message.type > cluster_type::adapter_close)
    return {};
  std::vector<stream_field> fields;
  fields.reserve(4);
  fields.push_back({"uid", message.uid});
  fields.push_back({"nsp", message.nsp});
  fields.push_back({"type", std::to_string(message.type)});
  if (!has_cluster_data(message.type)) return fields;
  if (!cluster_data_has_binary(message)) {
    fields.push_back({"data", encode_cluster_data_json(message)});
    return fields;
  }
  const std::string msgpack = encode_cluster_data_msgpack(message);
  if (msgpack.empty()) return {};
  std::string data;
  append_base64(data, msgpack);
  fields.push_back({"data", std::move(data)});
  return fields;
}

std::optional<cluster_message> decode_stream_entry(
    std::span<const std::pair<std::string_view, std::string_view>> fields, std::string& error) {
  error.clear();
  std::optional<std::string_view> uid, nsp, type, data;
  for (const auto& [name, value] : fields) {
    if (name == "uid")
      uid = value;
    else if (name == "nsp")
      nsp = value;
    else if (name == "type")
      type = value;
    else if (name == "data")
      data = value;
  }
  if (!nsp || nsp->empty()) return std::nullopt;  // skipped, not malformed
  cluster_message m;
  m.uid = uid.value_or("");
  m.nsp = *nsp;
  int n = 0;
  bool decimal = type && !type->empty();
  if (decimal) {
    const char* last = type->data() + type->size();
    const auto [end, ec] = std::from_chars(type->data(), last, n);
    decimal = ec == std::errc{} && end == last;
  }
  if (!decimal || n < cluster_type::initial_heartbeat || n > cluster_type::adapter_close) {
    error = "unknown message type";
    return std::nullopt;
  }
  m.type = n;
  if (!has_cluster_data(m.type)) return m;
  if (!data || data->empty()) {
    error = "missing data";
    return std::nullopt;
  }
  if (data->front() == '{') {
    if (!decode_cluster_data(*data, m, error)) return std::nullopt;
    return m;
  }
  std::string msgpack;
  if (!decode_base64(*data, msgpack)) {
    error = "data is neither JSON nor base64";
    return std::nullopt;
  }
  if (!msgpack.empty() && msgpack.front() == '{') {  // 0x7b: a number, never data
    error = "data is not an object";
    return std::nullopt;
  }
  if (!decode_cluster_data(msgpack, m, error)) return std::nullopt;
  return m;
}

}  // namespace chorus::protocol::cluster
