#include "protocol/socketio/encode.hpp"

#include <fmt/format.h>

#include "protocol/json/escape.hpp"

namespace chorus::protocol::socketio {
namespace {

void append_number(std::string& out, std::uint64_t value) {
  const fmt::format_int text(value);
  out.append(text.data(), text.size());
}

}  // namespace

void append_header(std::string& out, packet_type type, std::string_view nsp,
                   std::optional<std::uint64_t> ack_id, std::size_t attachments) {
  out += static_cast<char>('0' + static_cast<int>(type));
  if (is_binary(type)) {
    append_number(out, attachments);
    out += '-';
  }
  if (!nsp.empty() && nsp != "/") {
    out.append(nsp);
    out += ',';
  }
  if (ack_id) append_number(out, *ack_id);
}

void append_event(std::string& out, std::string_view nsp, std::string_view event_name,
                  std::string_view args_json, std::optional<std::uint64_t> ack_id,
                  std::size_t attachments) {
  const auto type = attachments > 0 ? packet_type::binary_event : packet_type::event;
  append_header(out, type, nsp, ack_id, attachments);
  out += '[';
  json::append_quoted(out, event_name);
  if (!args_json.empty()) {
    out += ',';
    out.append(args_json);
  }
  out += ']';
}

void append_ack(std::string& out, std::string_view nsp, std::uint64_t ack_id,
                std::string_view args_json, std::size_t attachments) {
  const auto type = attachments > 0 ? packet_type::binary_ack : packet_type::ack;
  append_header(out, type, nsp, ack_id, attachments);
  out += '[';
  out.append(args_json);
  out += ']';
}

void append_connect(std::string& out, std::string_view nsp, std::string_view sid,
                    std::string_view pid) {
  append_header(out, packet_type::connect, nsp, std::nullopt);
  out += "{\"sid\":";
  json::append_quoted(out, sid);
  if (!pid.empty()) {
    out += ",\"pid\":";
    json::append_quoted(out, pid);
  }
  out += '}';
}

void append_connect_error(std::string& out, std::string_view nsp, std::string_view message) {
  append_header(out, packet_type::connect_error, nsp, std::nullopt);
  out += "{\"message\":";
  json::append_quoted(out, message);
  out += '}';
}

void append_disconnect(std::string& out, std::string_view nsp) {
  append_header(out, packet_type::disconnect, nsp, std::nullopt);
}

std::string placeholder_json(std::size_t num) {
  return fmt::format("{{\"_placeholder\":true,\"num\":{}}}", num);
}

}  // namespace chorus::protocol::socketio
