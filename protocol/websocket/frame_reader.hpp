#pragma once

// Incremental reader of client→server WebSocket frames (RFC 6455 §5) as a strict server: masked
// frames only, no extensions, bounded message size, UTF-8 checked text and close reasons.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "protocol/websocket/frame.hpp"
#include "protocol/websocket/mask.hpp"

namespace chorus::protocol::websocket {

struct reader_limits {
  std::size_t max_message_size = 1'000'000;
};

struct reader_event {
  enum class kind { need_more, message, ping, pong, close, error };
  kind what = kind::need_more;
  opcode message_opcode = opcode::text;  // for message: text or binary
  std::string_view payload;              // message / ping / pong payload, or the close reason
  std::uint16_t close_code = 0;          // for close (1005 if the client sent none)
  // Qualified: the member above hides the enum's name inside this struct.
  websocket::close_code error_code{};  // for error: the close code to send
  const char* error_reason = "";       // for error: short reason, e.g. "unmasked frame"
};

class frame_reader {
 public:
  explicit frame_reader(reader_limits lim = {});

  // Looks at the unread bytes `data` (the connection's read buffer). Unmasks payloads IN PLACE
  // (hence non-const span), returns the next event and sets `consumed` to the number of bytes the
  // caller may discard. Views in the event stay valid until the caller discards or modifies those
  // bytes (or calls next again). A message in one unfragmented frame is returned as a view into
  // `data` (zero copy); a fragmented message — or a frame whose payload is not all in `data` yet
  // — is assembled in an internal buffer. need_more: consumed may be > 0 (the reader keeps
  // partial state), call again with more bytes; the caller never has to hold more than one
  // control frame (≤ 131 bytes) of unconsumed input. After an error or close, the reader stays
  // failed: later calls return an error event (the same one after an error; 1002 "frame after
  // close" after a close) and consume nothing.
  reader_event next(std::span<std::uint8_t> data, std::size_t& consumed);

 private:
  reader_event read_control(opcode op, std::uint8_t* payload, std::size_t size);
  reader_event read_close(std::uint8_t* payload, std::size_t size);
  reader_event deliver_message(opcode op, std::string_view payload);
  reader_event fail(websocket::close_code code, const char* reason);
  reader_event failed_event() const;
  void release_message();

  reader_limits limits_;

  // The data frame whose payload is being copied into message_ across calls.
  bool in_payload_ = false;
  bool frame_fin_ = false;
  std::uint64_t payload_remaining_ = 0;
  masking_key mask_{};
  std::size_t mask_phase_ = 0;

  // The message being assembled: a fragmented one, or one frame that arrived in pieces.
  bool message_open_ = false;  // a text/binary frame without FIN awaits its continuations
  opcode message_opcode_ = opcode::text;
  std::string message_;
  bool message_delivered_ = false;  // message_ was handed out: clear it on the next call

  // After a close or an error nothing more is read.
  enum class state { reading, closed, failed };
  state state_ = state::reading;
  websocket::close_code error_code_ = websocket::close_code::protocol_error;
  const char* error_reason_ = "";
};

}  // namespace chorus::protocol::websocket
