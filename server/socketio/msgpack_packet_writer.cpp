#include "server/socketio/msgpack_packet_writer.hpp"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include "protocol/socketio/msgpack_encode.hpp"

namespace chorus::server::socketio {

namespace sio = protocol::socketio;

namespace {

simdjson::dom::parser& encode_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

engineio::outbound_packet written(bool ok, const std::string& bytes, const char* what,
                                  std::string_view nsp) {
  if (ok) return engineio::make_binary_packet(bytes);
  spdlog::error(
      "cannot write a Socket.IO {} on '{}' as msgpack: its arguments are not valid "
      "JSON with placeholders for its binaries; not sent",
      what, nsp);
  return nullptr;
}

engineio::outbound_packet event_packet(std::string_view nsp, std::string_view event_name,
                                       std::string_view args_json,
                                       const std::vector<std::string>& attachments,
                                       std::optional<std::uint64_t> ack_id) {
  std::string bytes;
  bool ok = sio::append_msgpack_event(bytes, encode_parser(), nsp, event_name, args_json,
                                      attachments, ack_id);
  return written(ok, bytes, "event", nsp);
}

class msgpack_writer final : public packet_writer {
 public:
  outbound_message event(std::string_view nsp, std::string_view event_name,
                         std::string_view args_json, std::vector<std::string> attachments,
                         std::optional<std::uint64_t> ack_id) const override {
    return {event_packet(nsp, event_name, args_json, attachments, ack_id), {}};
  }

  outbound_message ack(std::string_view nsp, std::uint64_t id, std::string_view args_json,
                       std::vector<std::string> attachments) const override {
    std::string data;
    data.reserve(args_json.size() + 2);
    data += '[';
    data += args_json;
    data += ']';
    std::string bytes;
    bool ok = sio::append_msgpack_packet(bytes, encode_parser(), sio::packet_type::ack, nsp, id,
                                         data, attachments);
    return {written(ok, bytes, "ack", nsp), {}};
  }

  outbound_message connect(std::string_view nsp, std::string_view sid,
                           std::string_view pid) const override {
    std::string bytes;
    sio::append_msgpack_connect(bytes, nsp, sid, pid);
    return {engineio::make_binary_packet(bytes), {}};
  }

  outbound_message connect_error(std::string_view nsp, std::string_view message) const override {
    std::string bytes;
    sio::append_msgpack_connect_error(bytes, nsp, message);
    return {engineio::make_binary_packet(bytes), {}};
  }

  outbound_message disconnect(std::string_view nsp) const override {
    std::string bytes;
    sio::append_msgpack_disconnect(bytes, nsp);
    return {engineio::make_binary_packet(bytes), {}};
  }

  std::shared_ptr<fanout::broadcast_job> event_job(std::string_view nsp,
                                                   std::optional<std::uint64_t> ack_id,
                                                   const std::vector<std::string>& attachments,
                                                   std::string_view event_name,
                                                   std::string_view args_json) const override {
    auto packet = event_packet(nsp, event_name, args_json, attachments, ack_id);
    if (!packet) return nullptr;
    auto job = std::make_shared<fanout::broadcast_job>();
    job->nsp = std::string(nsp);
    job->packets.push_back(std::move(packet));
    job->issued = std::chrono::steady_clock::now();
    return job;
  }
};

}  // namespace

const packet_writer& msgpack_packet_writer() {
  static const msgpack_writer writer;
  return writer;
}

}  // namespace chorus::server::socketio
