#pragma once

// --parser msgpack on the client's side (socket.io-msgpack-parser 3.0.2): the worker and the
// scenarios write and read Socket.IO packets in the JSON parser's text form; under msgpack each
// packet the worker sends becomes the parser's one binary message, and each binary message the
// server sends is read back into that form, both with protocol/socketio's msgpack codec (the
// server's own). Templates carry no binaries, so neither direction has attachments.

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

#include "bench/client/sio_packet.hpp"
#include "protocol/socketio/msgpack_codec.hpp"

namespace chorus::bench {

class msgpack_wire {
 public:
  // The binary message for an Engine.IO MESSAGE text packet, "4" then a Socket.IO packet ("40",
  // "40/chat,", `42["room_message",{…}]`, `421[…]`), appended to `out`. false, `out` as it was,
  // when it is not one, is a binary type (5, 6), or its data is not JSON.
  bool encode(std::string_view engineio_text, std::string& out);

  // One binary message from the server, as parse_sio_packet reads the text form; its views
  // point into this object until the next decode. nullopt, with `error` set, when the server's
  // decoder refuses it, with one exception: an event under a name a client may receive but a
  // server may not (reserved_event_name: "error", which chorus's chat emits for a refused
  // message) comes back as a packet of no type (-1), which the worker passes by, as the
  // scenarios pass such a name by under JSON.
  std::optional<sio_packet> decode(std::string_view message,
                                   protocol::socketio::parse_error& error);

 private:
  simdjson::dom::parser parser_;
  protocol::socketio::limits limits_;
  protocol::socketio::msgpack_packet packet_;
  protocol::socketio::parsed_payload payload_;
};

}  // namespace chorus::bench
