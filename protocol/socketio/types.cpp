#include "protocol/socketio/types.hpp"

namespace chorus::protocol::socketio {

const char* to_string(parse_error error) {
  switch (error) {
    case parse_error::ok:
      return "ok";
    case parse_error::empty_packet:
      return "empty packet";
    case parse_error::unknown_type:
      return "unknown packet type";
    case parse_error::bad_attachment_count:
      return "bad attachment count";
    case parse_error::too_many_attachments:
      return "too many attachments";
    case parse_error::bad_ack_id:
      return "bad ack id";
    case parse_error::invalid_json:
      return "invalid json";
    case parse_error::too_deep:
      return "json nested too deep";
    case parse_error::invalid_payload:
      return "invalid payload";
    case parse_error::bad_event_name:
      return "bad event name";
    case parse_error::reserved_event_name:
      return "reserved event name";
    case parse_error::bad_placeholder:
      return "bad attachment placeholder";
    case parse_error::unexpected_binary:
      return "unexpected binary message";
    case parse_error::unexpected_text:
      return "unexpected text packet during binary reassembly";
    case parse_error::attachments_too_large:
      return "attachments too large";
    case parse_error::invalid_msgpack:
      return "invalid msgpack";
    case parse_error::bad_namespace:
      return "invalid namespace";
  }
  return "unknown parse error";
}

}  // namespace chorus::protocol::socketio
