#include "server/socketio/event_job.hpp"

#include "protocol/json/escape.hpp"
#include "protocol/socketio/encode.hpp"
#include "server/engineio/outbound_packet.hpp"

namespace chorus::server::socketio {

namespace {
// An Engine.IO MESSAGE holding the EVENT header (BINARY_EVENT with attachments, the ack id if
// any), then what append_data writes: the data array, in place, whose start becomes data_offset.
template <class AppendData>
std::shared_ptr<fanout::broadcast_job> make_job(std::string_view nsp,
                                                std::optional<std::uint64_t> ack_id,
                                                const std::vector<std::string>& attachments,
                                                AppendData append_data) {
  auto job = std::make_shared<fanout::broadcast_job>();
  job->nsp = std::string(nsp);
  engineio::message_writer message;
  protocol::socketio::append_header(message.text(),
                                    attachments.empty()
                                        ? protocol::socketio::packet_type::event
                                        : protocol::socketio::packet_type::binary_event,
                                    nsp, ack_id, attachments.size());
  job->data_offset = message.written();
  append_data(message.text());
  job->packets.reserve(1 + attachments.size());
  job->packets.push_back(message.packet());
  for (const auto& bytes : attachments) job->packets.push_back(engineio::make_binary_packet(bytes));
  job->issued = std::chrono::steady_clock::now();
  return job;
}
}  // namespace

std::shared_ptr<fanout::broadcast_job> make_event_job(std::string_view nsp,
                                                      std::optional<std::uint64_t> ack_id,
                                                      const std::vector<std::string>& attachments,
                                                      std::string_view data_json) {
  return make_job(nsp, ack_id, attachments, [&](std::string& text) { text += data_json; });
}

std::shared_ptr<fanout::broadcast_job> make_event_job(std::string_view nsp,
                                                      std::optional<std::uint64_t> ack_id,
                                                      const std::vector<std::string>& attachments,
                                                      std::string_view event_name,
                                                      std::string_view args_json) {
  return make_job(nsp, ack_id, attachments, [&](std::string& text) {
    text += '[';
    protocol::json::append_quoted(text, event_name);
    if (!args_json.empty()) {
      text += ',';
      text += args_json;
    }
    text += ']';
  });
}

}  // namespace chorus::server::socketio
