#include "protocol/websocket/frame_reader.hpp"

#include <simdjson.h>

#include <algorithm>

#include "protocol/websocket/client_header.hpp"

namespace chorus::protocol::websocket {
namespace {

// An assembled message's buffer is kept for the next one, but not if it grew big: 100k idle
// connections must not each pin the largest message they ever received.
constexpr std::size_t retained_message_capacity = 64 * 1024;

std::string_view as_chars(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

bool valid_utf8(std::string_view text) {
  return simdjson::validate_utf8(text.data(), text.size());
}

// Codes a client may send (§7.4): 1004-1006 and 1015 are reserved for local use, 1012+ and
// 1016-2999 are not defined for this endpoint, 3000-4999 belong to libraries and applications.
bool valid_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
         (code >= 3000 && code <= 4999);
}

reader_event need_more() {
  return {};
}

}  // namespace

frame_reader::frame_reader(reader_limits lim) : limits_(lim) {}

reader_event frame_reader::next(std::span<std::uint8_t> data, std::size_t& consumed) {
  consumed = 0;
  if (state_ != state::reading) return failed_event();
  if (message_delivered_) release_message();

  std::size_t pos = 0;
  for (;;) {
    if (in_payload_) {
      // Take whatever part of the payload is here; the rest comes in later calls.
      const auto size =
          static_cast<std::size_t>(std::min<std::uint64_t>(payload_remaining_, data.size() - pos));
      if (size > 0) {
        mask_phase_ = apply_mask(data.data() + pos, size, mask_, mask_phase_);
        message_.append(as_chars(data.data() + pos, size));
      }
      pos += size;
      payload_remaining_ -= size;
      consumed = pos;
      if (payload_remaining_ > 0) return need_more();
      in_payload_ = false;
      if (frame_fin_) {
        message_delivered_ = true;
        return deliver_message(message_opcode_, message_);
      }
      continue;  // a non-final fragment: read the next frame
    }

    const std::span<std::uint8_t> rest = data.subspan(pos);
    // message_ holds only the open message's earlier fragments here (a delivered one was released
    // above), so the budget is what the whole message may still grow by.
    const header_context ctx{message_open_, limits_.max_message_size - message_.size()};
    const header_result parsed = parse_client_header(rest, ctx);
    if (parsed.state == header_result::status::incomplete) return need_more();
    if (parsed.state == header_result::status::invalid) return fail(parsed.error, parsed.reason);

    const client_header& header = parsed.header;
    const std::size_t available = rest.size() - header.size;
    std::uint8_t* payload = rest.data() + header.size;

    if (is_control(header.op)) {
      // At most 125 bytes: wait until the whole frame is here rather than keep partial state.
      if (available < header.payload_size) return need_more();
      const auto size = static_cast<std::size_t>(header.payload_size);
      apply_mask(payload, size, header.mask);
      consumed = pos + header.size + size;
      return read_control(header.op, payload, size);
    }

    if (header.op != opcode::continuation) message_opcode_ = header.op;
    if (header.fin && !message_open_ && available >= header.payload_size) {
      // The common case: a whole message in one frame, already in the caller's buffer.
      const auto size = static_cast<std::size_t>(header.payload_size);
      apply_mask(payload, size, header.mask);
      consumed = pos + header.size + size;
      return deliver_message(message_opcode_, as_chars(payload, size));
    }

    // Copy this frame's payload into message_ as it arrives. Nothing is reserved from the
    // declared length: memory grows with bytes actually received, not with what a client claims.
    message_open_ = !header.fin;
    in_payload_ = true;
    frame_fin_ = header.fin;
    payload_remaining_ = header.payload_size;
    mask_ = header.mask;
    mask_phase_ = 0;
    pos += header.size;
    consumed = pos;
  }
}

reader_event frame_reader::read_control(opcode op, std::uint8_t* payload, std::size_t size) {
  if (op == opcode::close) return read_close(payload, size);
  reader_event event;
  event.what = op == opcode::ping ? reader_event::kind::ping : reader_event::kind::pong;
  event.payload = as_chars(payload, size);
  return event;
}

reader_event frame_reader::read_close(std::uint8_t* payload, std::size_t size) {
  reader_event event;
  event.what = reader_event::kind::close;
  event.close_code = static_cast<std::uint16_t>(websocket::close_code::no_status);
  if (size == 1) return fail(websocket::close_code::protocol_error, "close payload of 1 byte");
  if (size >= 2) {
    event.close_code = static_cast<std::uint16_t>((payload[0] << 8) | payload[1]);
    if (!valid_close_code(event.close_code)) {
      return fail(websocket::close_code::protocol_error, "invalid close code");
    }
    event.payload = as_chars(payload + 2, size - 2);
    if (!valid_utf8(event.payload)) {
      return fail(websocket::close_code::invalid_payload, "invalid UTF-8 in close reason");
    }
  }
  state_ = state::closed;
  return event;
}

reader_event frame_reader::deliver_message(opcode op, std::string_view payload) {
  // The whole message is checked, not each fragment: a code point may span fragments.
  if (op == opcode::text && !valid_utf8(payload)) {
    return fail(websocket::close_code::invalid_payload, "invalid UTF-8");
  }
  reader_event event;
  event.what = reader_event::kind::message;
  event.message_opcode = op;
  event.payload = payload;
  return event;
}

reader_event frame_reader::fail(websocket::close_code code, const char* reason) {
  state_ = state::failed;
  error_code_ = code;
  error_reason_ = reason;
  return failed_event();
}

reader_event frame_reader::failed_event() const {
  reader_event event;
  event.what = reader_event::kind::error;
  if (state_ == state::closed) {
    event.error_code = websocket::close_code::protocol_error;
    event.error_reason = "frame after close";
  } else {
    event.error_code = error_code_;
    event.error_reason = error_reason_;
  }
  return event;
}

void frame_reader::release_message() {
  message_delivered_ = false;
  message_.clear();
  if (message_.capacity() > retained_message_capacity) std::string{}.swap(message_);
}

}  // namespace chorus::protocol::websocket
