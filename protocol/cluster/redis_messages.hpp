#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/cluster/types.hpp"

// The messages of @socket.io/redis-adapter 8.3 (the classic Pub/Sub adapter, SCALEOUT.md §1)
// and of @socket.io/redis-emitter 5, byte for byte as the Node.js adapter publishes them, so
// chorus and Node.js nodes can share a cluster. Pure codecs: no I/O.
//
// Decoders never trust the payload: a wrong shape (a missing or mistyped field, a list longer
// than the bounds in types.hpp, msgpack that is truncated or nested past 32 levels of data, an
// ext type notepack would not turn into a JS value chorus can use) gives nullopt and a short
// reason in `error`. Unknown keys are ignored, as the Node adapter ignores them. Room names
// that arrive as numbers (a JS app may join room 42) become their decimal text ("42").
namespace chorus::protocol::cluster {

// ---- Broadcast: [uid, {type:2, data, nsp}, {rooms, except, flags}] in notepack msgpack, on
// the channel "<key>#<nsp>#" (or "<key>#<nsp>#<room>#" when rooms has exactly one entry).

struct redis_broadcast {
  std::string uid;  // the sender's; "emitter" from @socket.io/redis-emitter
  event_packet packet;
  broadcast_options opts;
};

// flags holds volatile, compress, local (each only when true) and timeout (when set). Empty
// when packet.data_json is not valid JSON or one of its placeholders has no attachment.
std::string encode_redis_broadcast(std::string_view uid, const event_packet& packet,
                                   const broadcast_options& opts);

// Packet type 2 or 5; a missing nsp is "/"; flags: volatile/compress/local by JS truthiness,
// timeout a number of ms, unknown keys ignored.
std::optional<redis_broadcast> decode_redis_broadcast(std::string_view payload, std::string& error);

// ---- Requests on "<key>-request#<nsp>#" and responses on "<key>-response#<nsp>#" (or
// "<key>-response#<nsp>#<requester uid>#"). JSON text, except type 7 requests and type 9
// responses, which are msgpack; either decoder takes both (first byte '{' → JSON).

enum class request_type : int {
  sockets = 0,  // legacy: no longer sent, still answered
  all_rooms = 1,
  remote_join = 2,
  remote_leave = 3,
  remote_disconnect = 4,
  remote_fetch = 5,
  server_side_emit = 6,
  broadcast = 7,  // a broadcast with acks
  broadcast_client_count = 8,
  broadcast_ack = 9
};

struct redis_request {
  request_type type = request_type::sockets;
  std::string uid;                 // "" when absent (the emitter's 2/3/4)
  std::string request_id;          // "" when absent (6 without ack, 2/3/4)
  broadcast_options opts;          // 2, 3, 4, 5, 7
  std::vector<std::string> rooms;  // 0: rooms asked about; 2/3: rooms to join or leave
  bool close = false;              // 4
  std::string data_json;           // 6: [event, ...args]
  event_packet packet;             // 7
  // Legacy 2/3/4 (no opts): act on one local socket and answer {requestId}.
  bool legacy = false;
  std::string sid, room;
};

// Types 0…7 (8 and 9 are responses: refused here). Required: requestId for 0, 1, 5, 7 and the
// legacy forms; opts for 5 and 7; data (an array) for 6; packet for 7; sid (and room for 2/3)
// in the legacy forms. A msgpack 6 whose data holds binary is refused (Node sends 6 as JSON).
std::optional<redis_request> decode_redis_request(std::string_view payload, std::string& error);

struct redis_response {
  std::optional<request_type> type;  // present on 6, 8, 9
  std::string request_id;
  std::vector<std::string> rooms;       // 1
  std::vector<std::string> socket_ids;  // 0: when every entry of sockets is a string
  std::string sockets_json;             // 5: the sockets array as JSON ("" when absent)
  // 6: data; 9: packet (the first ack argument) as JSON, "" when the response has none (an
  // ack called without argument).
  std::string data_json;
  // Binaries of a msgpack response: of data_json (6, 9), else of sockets_json.
  std::vector<std::string> attachments;
  std::uint64_t client_count = 0;  // 8
};

// requestId is required; 8 needs clientCount (an integer ≥ 0).
std::optional<redis_response> decode_redis_response(std::string_view payload, std::string& error);

// Encoders, each writing exactly what the Node adapter publishes (key order included).
// {"uid","requestId","type":1}
std::string encode_all_rooms_request(std::string_view uid, std::string_view request_id);
// {"uid","type":2|3,"opts":{"rooms","except"},"rooms"}
std::string encode_rooms_request(request_type join_or_leave, std::string_view uid,
                                 const broadcast_options& opts,
                                 const std::vector<std::string>& rooms);
// {"uid","type":4,"opts":{"rooms","except"},"close"}
std::string encode_disconnect_request(std::string_view uid, const broadcast_options& opts,
                                      bool close);
// {"uid","requestId","type":5,"opts":{"rooms","except"}}
std::string encode_fetch_request(std::string_view uid, std::string_view request_id,
                                 const broadcast_options& opts);
// {"uid","type":6,"data"}, or {"uid","requestId","type":6,"data"} when request_id is not empty.
std::string encode_server_side_emit(std::string_view uid, std::string_view data_json,
                                    std::string_view request_id);
// msgpack {uid, requestId, type:7, packet:{type:2, data, nsp}, opts:{rooms, except, flags}};
// empty as for encode_redis_broadcast.
std::string encode_broadcast_with_ack_request(std::string_view uid, std::string_view request_id,
                                              const event_packet& packet,
                                              const broadcast_options& opts);
// {"requestId","rooms"}
std::string encode_all_rooms_response(std::string_view request_id,
                                      const std::vector<std::string>& rooms);
// {"requestId","sockets":<sockets_json>}
std::string encode_fetch_response(std::string_view request_id, std::string_view sockets_json);
// {"type":6,"requestId","data":<data_json>}; no data key when data_json is empty.
std::string encode_server_side_emit_response(std::string_view request_id,
                                             std::string_view data_json);
// {"type":8,"requestId","clientCount"}
std::string encode_client_count_response(std::string_view request_id, std::uint64_t count);
// msgpack {type:9, requestId, packet}; no packet key when packet_json is empty; empty as for
// encode_redis_broadcast.
std::string encode_broadcast_ack_response(std::string_view request_id, std::string_view packet_json,
                                          const std::vector<std::string>& attachments);

// ---- Channel names; `key` is the adapter's prefix ("socket.io" by default).
std::string broadcast_channel(std::string_view key, std::string_view nsp);  // <key>#<nsp>#
std::string room_channel(std::string_view key, std::string_view nsp,
                         std::string_view room);  // <key>#<nsp>#<room>#
std::string request_channel(std::string_view key,
                            std::string_view nsp);  // <key>-request#<nsp>#
std::string response_channel(std::string_view key,
                             std::string_view nsp);  // <key>-response#<nsp>#
std::string specific_response_channel(std::string_view key, std::string_view nsp,
                                      std::string_view uid);  // <key>-response#<nsp>#<uid>#

// The room of a broadcast channel as the Node adapter reads it: what follows "<key>#<nsp>#"
// minus its last character ("" for the namespace-wide channel); nullopt when the channel does
// not start with "<key>#<nsp>#".
std::optional<std::string_view> broadcast_channel_room(std::string_view channel,
                                                       std::string_view key, std::string_view nsp);

}  // namespace chorus::protocol::cluster
