#include "server/fanout/broadcast_job.hpp"

#include "protocol/json/escape.hpp"
#include "protocol/socketio/encode.hpp"

namespace chorus::server::fanout {

namespace {
// "4", the EVENT header (BINARY_EVENT with attachments, the ack id if any), then what
// append_data writes: the data array, in place, whose start becomes data_offset.
template <class AppendData>
std::shared_ptr<broadcast_job> make_job(std::string_view nsp, std::optional<std::uint64_t> ack_id,
                                        const std::vector<std::string>& attachments,
                                        AppendData append_data) {
  auto job = std::make_shared<broadcast_job>();
  job->nsp = std::string(nsp);
  std::string text = "4";  // Engine.IO message, then the Socket.IO packet
  protocol::socketio::append_header(text,
                                    attachments.empty()
                                        ? protocol::socketio::packet_type::event
                                        : protocol::socketio::packet_type::binary_event,
                                    nsp, ack_id, attachments.size());
  job->data_offset = text.size();
  append_data(text);
  job->packets.reserve(1 + attachments.size());
  job->packets.push_back(engineio::make_text_packet(text));
  for (const auto& bytes : attachments) job->packets.push_back(engineio::make_binary_packet(bytes));
  job->issued = std::chrono::steady_clock::now();
  return job;
}
}  // namespace

std::shared_ptr<broadcast_job> make_event_job(std::string_view nsp,
                                              std::optional<std::uint64_t> ack_id,
                                              const std::vector<std::string>& attachments,
                                              std::string_view data_json) {
  return make_job(nsp, ack_id, attachments, [&](std::string& text) { text += data_json; });
}

std::shared_ptr<broadcast_job> make_event_job(std::string_view nsp,
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

}  // namespace chorus::server::fanout
