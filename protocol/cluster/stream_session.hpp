#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Connection state recovery's session as @socket.io/redis-streams-adapter 0.3.1 keeps it in Redis
// (persistSession / restoreSession, SCALEOUT.md §3, §4): the value of `sio:session:<pid>` is the
// base64 of the @msgpack/msgpack encoding of {sid, pid, rooms, data}. Pure codecs: no I/O.
namespace chorus::protocol::cluster {

struct stream_session {
  std::string sid;
  std::string pid;
  std::vector<std::string> rooms;  // the socket's own room (its sid) among them
  std::string data_json = "{}";    // socket.data
};

// The key's name: "sio:session:" + pid (the adapter's sessionKeyPrefix, which it does not expose).
std::string stream_session_key(std::string_view pid);

// The key's value; empty when data_json is not JSON or nests deeper than msgpack::max_depth.
std::string encode_stream_session(const stream_session& session);
// nullopt, with `error`, for a value that is not the base64 of a msgpack map whose sid and pid
// are strings and rooms an array of strings (data: any value without binary; absent: {}).
std::optional<stream_session> decode_stream_session(std::string_view value, std::string& error);

// A stream entry id as Redis writes it, "<ms>-<seq>", both 64-bit; ordered as Redis orders them.
struct stream_id {
  unsigned long long ms = 0;
  unsigned long long seq = 0;
  auto operator<=>(const stream_id&) const = default;
};
// The id `text` names, as the adapter accepts an offset (/^[0-9]+-[0-9]+$/), within 64 bits;
// nullopt otherwise (a client's input: never trusted).
std::optional<stream_id> parse_stream_id(std::string_view text);
std::string format_stream_id(stream_id id);
// The id right after `id`: where XRANGE goes on from (the adapter's nextOffset).
stream_id next_stream_id(stream_id id);

}  // namespace chorus::protocol::cluster
