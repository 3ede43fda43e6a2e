#include "server/socketio/room_queries.hpp"

#include "protocol/json/escape.hpp"
#include "server/fanout/adapter.hpp"
#include "server/node_services.hpp"

namespace chorus::server::socketio {

// Plain functions, not coroutines: each hands back the adapter's awaitable.

awaitable<std::vector<std::string>> room_members(node_services& node, std::string nsp,
                                                 std::string room) {
  return node.adapter().room_members(std::move(nsp), std::move(room));
}

awaitable<std::size_t> room_size(node_services& node, std::string nsp, std::string room) {
  return node.adapter().room_size(std::move(nsp), std::move(room));
}

awaitable<std::vector<std::string>> room_names(node_services& node, std::string nsp) {
  return node.adapter().room_names(std::move(nsp));
}

awaitable<void> close_room(node_services& node, std::string nsp, std::string room) {
  return node.adapter().close_room(std::move(nsp), std::move(room));
}

namespace {
// [event, ...args], as the adapters carry it.
std::string event_array(std::string_view event_name, std::string_view args_json) {
  std::string out = "[";
  protocol::json::append_quoted(out, event_name);
  if (!args_json.empty()) {
    out += ',';
    out += args_json;
  }
  out += ']';
  return out;
}
}  // namespace

void server_side_emit(node_services& node, std::string nsp, std::string_view event_name,
                      std::string_view args_json) {
  node.adapter().server_side_emit(std::move(nsp), event_array(event_name, args_json));
}

awaitable<fanout::server_replies> server_side_emit_with_ack(node_services& node, std::string nsp,
                                                            std::string_view event_name,
                                                            std::string_view args_json) {
  return node.adapter().server_side_emit_with_ack(std::move(nsp),
                                                  event_array(event_name, args_json));
}

}  // namespace chorus::server::socketio
