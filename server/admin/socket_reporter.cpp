#include "server/admin/socket_reporter.hpp"

#include <chrono>

#include "protocol/json/escape.hpp"
#include "server/admin/admin_json.hpp"
#include "server/socketio/broadcast_operator.hpp"
#include "server/socketio/socket.hpp"

namespace chorus::server::admin {
namespace {

using protocol::json::append_quoted;

std::string now_json() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return iso_date_json(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

// nsp, id: the first two arguments of most reports.
std::string nsp_and_id(const socketio::socket& s) {
  std::string out;
  append_quoted(out, s.nsp());
  out += ',';
  append_quoted(out, s.id());
  return out;
}

}  // namespace

void socket_reporter::report(std::string_view event_name, const std::string& args_json) {
  if (node_ == nullptr) return;
  // No origin shard: the adapter queues the packet for every shard (and node) instead of
  // delivering on this one while its caller is in the middle of a change.
  socketio::broadcast_operator(*node_, nullptr, admin_nsp_).emit(event_name, args_json);
}

void socket_reporter::connected(const socketio::socket& s) {
  fanout::socket_description described{s.id(), s.handshake_json(), s.rooms(), s.data_json()};
  report("socket_connected", serialized_socket_json(s.nsp(), described) + ',' + now_json());
}

void socket_reporter::disconnected(const socketio::socket& s, disconnect_reason reason) {
  std::string args = nsp_and_id(s);
  args += ',';
  append_quoted(args, to_string(reason));
  report("socket_disconnected", args + ',' + now_json());
}

void socket_reporter::joined(const socketio::socket& s, std::string_view room) {
  report_room("room_joined", s, room);
}

void socket_reporter::left(const socketio::socket& s, std::string_view room) {
  report_room("room_left", s, room);
}

// room_joined / room_left: (nsp, room, id, date).
void socket_reporter::report_room(const char* what, const socketio::socket& s,
                                  std::string_view room) {
  std::string args;
  append_quoted(args, s.nsp());
  args += ',';
  append_quoted(args, room);
  args += ',';
  append_quoted(args, s.id());
  report(what, args + ',' + now_json());
}

void socket_reporter::report_event(const char* what, const socketio::socket& s,
                                   std::string_view event_name, std::string_view args_json) {
  // Events of the admin namespace itself are the UI's own traffic: not reported, as upstream.
  if (s.nsp() == admin_nsp_) return;
  std::string args = nsp_and_id(s);
  args += ",[";
  append_quoted(args, event_name);
  if (!args_json.empty()) {
    args += ',';
    args += args_json;
  }
  args += "],";
  report(what, args + now_json());
}

void socket_reporter::event_received(const socketio::socket& s, std::string_view event_name,
                                     std::string_view args_json) {
  report_event("event_received", s, event_name, args_json);
}

void socket_reporter::event_sent(const socketio::socket& s, std::string_view event_name,
                                 std::string_view args_json) {
  report_event("event_sent", s, event_name, args_json);
}

void socket_reporter::transport_upgraded(const socketio::socket& s) {
  std::string args = R"({"id":)";
  append_quoted(args, s.id());
  args += R"(,"nsp":)";
  append_quoted(args, s.nsp());
  args += R"(,"transport":)";
  append_quoted(args, s.transport());
  args += '}';
  report("socket_updated", args);
}

}  // namespace chorus::server::admin
