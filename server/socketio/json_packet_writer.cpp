#include "server/socketio/json_packet_writer.hpp"

#include "protocol/socketio/encode.hpp"
#include "server/socketio/event_job.hpp"

namespace chorus::server::socketio {

namespace sio = protocol::socketio;

namespace {

// The packet written by append into an Engine.IO MESSAGE, its attachments after it.
template <class Append>
outbound_message text_message(std::vector<std::string> attachments, Append append) {
  engineio::message_writer message;
  append(message.text());
  return {message.packet(), std::move(attachments)};
}

class json_writer final : public packet_writer {
 public:
  outbound_message event(std::string_view nsp, std::string_view event_name,
                         std::string_view args_json, std::vector<std::string> attachments,
                         std::optional<std::uint64_t> ack_id) const override {
    std::size_t count = attachments.size();
    return text_message(std::move(attachments), [&](std::string& text) {
      sio::append_event(text, nsp, event_name, args_json, ack_id, count);
    });
  }

  outbound_message ack(std::string_view nsp, std::uint64_t id, std::string_view args_json,
                       std::vector<std::string> attachments) const override {
    std::size_t count = attachments.size();
    return text_message(std::move(attachments), [&](std::string& text) {
      sio::append_ack(text, nsp, id, args_json, count);
    });
  }

  outbound_message connect(std::string_view nsp, std::string_view sid,
                           std::string_view pid) const override {
    return text_message({}, [&](std::string& text) { sio::append_connect(text, nsp, sid, pid); });
  }

  outbound_message connect_error(std::string_view nsp, std::string_view message) const override {
    return text_message({},
                        [&](std::string& text) { sio::append_connect_error(text, nsp, message); });
  }

  outbound_message disconnect(std::string_view nsp) const override {
    return text_message({}, [&](std::string& text) { sio::append_disconnect(text, nsp); });
  }

  std::shared_ptr<fanout::broadcast_job> event_job(std::string_view nsp,
                                                   std::optional<std::uint64_t> ack_id,
                                                   const std::vector<std::string>& attachments,
                                                   std::string_view event_name,
                                                   std::string_view args_json) const override {
    return make_event_job(nsp, ack_id, attachments, event_name, args_json);
  }
};

}  // namespace

const packet_writer& json_packet_writer() {
  static const json_writer writer;
  return writer;
}

}  // namespace chorus::server::socketio
