#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "protocol/engineio/payload.hpp"

namespace chorus::protocol::engineio {
namespace {

// A decoded packet with its data copied (binary views die with the callback).
struct owned_packet {
  packet_type type;
  bool binary;
  std::string data;
  bool operator==(const owned_packet&) const = default;
};

void PrintTo(const owned_packet& p, std::ostream* os) {
  *os << "{" << static_cast<int>(p.type) << (p.binary ? " binary " : " text ") << p.data << "}";
}

struct decoded {
  payload_error error;
  std::vector<owned_packet> packets;
};

decoded decode(std::string_view body, std::size_t max_packets = 10000) {
  decoded result;
  std::string scratch;
  result.error = decode_payload(
      body,
      [&](const packet_view& p) {
        result.packets.push_back({p.type, p.binary, std::string(p.data)});
      },
      scratch, max_packets);
  return result;
}

struct payload_case {
  std::string_view body;
  std::vector<owned_packet> packets;
};

const owned_packet binary_1234{packet_type::message, true, "\x01\x02\x03\x04"};

// The Engine.IO v4 spec's payload examples and the Socket.IO spec's sample session bodies.
const payload_case spec_payloads[] = {
    {"4hello\x1e"
     "2\x1e"
     "4world",
     {{packet_type::message, false, "hello"},
      {packet_type::ping, false, ""},
      {packet_type::message, false, "world"}}},
    {"4hello\x1e"
     "bAQIDBA==",
     {{packet_type::message, false, "hello"}, binary_1234}},
    {"4hello\x1e"
     "4\xe2\x82\xac\x1e"
     "bAQIDBA==",
     {{packet_type::message, false, "hello"},
      {packet_type::message, false, "\xe2\x82\xac"},
      binary_1234}},
    {"42[\"hello\"]\x1e"
     "42[\"world\"]",
     {{packet_type::message, false, "2[\"hello\"]"},
      {packet_type::message, false, "2[\"world\"]"}}},
    {"40", {{packet_type::message, false, "0"}}},
    {"40{\"sid\":\"wZX3oN0bSVIhsaknAAAI\"}",
     {{packet_type::message, false, "0{\"sid\":\"wZX3oN0bSVIhsaknAAAI\"}"}}},
    {"6", {{packet_type::noop, false, ""}}},
    {"1", {{packet_type::close, false, ""}}},
    {"b", {{packet_type::message, true, ""}}},  // an empty binary message
};

TEST(engineio_payload, decodes_spec_examples) {
  for (const auto& c : spec_payloads) {
    SCOPED_TRACE(c.body);
    const auto result = decode(c.body);
    EXPECT_EQ(result.error, payload_error::ok);
    EXPECT_EQ(result.packets, c.packets);
  }
}

TEST(engineio_payload, encodes_spec_examples) {
  for (const auto& c : spec_payloads) {
    SCOPED_TRACE(c.body);
    std::string out;
    for (const auto& p : c.packets) append_payload_packet(out, {p.type, p.binary, p.data});
    EXPECT_EQ(out, c.body);
  }
}

TEST(engineio_payload, binary_scratch_is_reused) {
  std::string scratch = "left over";
  std::vector<std::string> seen;
  const auto error = decode_payload(
      "bAQIDBA==\x1e"
      "bZm9v",
      [&](const packet_view& p) {
        EXPECT_EQ(p.data.data(), scratch.data());
        seen.emplace_back(p.data);
      },
      scratch);
  EXPECT_EQ(error, payload_error::ok);
  EXPECT_EQ(seen, (std::vector<std::string>{"\x01\x02\x03\x04", "foo"}));
}

struct error_case {
  std::string_view body;
  payload_error error;
  std::size_t delivered;  // packets passed to the callback before the error
};

TEST(engineio_payload, reports_errors_and_stops_at_the_first) {
  const error_case cases[] = {
      {"", payload_error::empty_payload, 0},
      {"\x1e", payload_error::empty_packet, 0},
      {"\x1e"
       "4a",
       payload_error::empty_packet, 0},
      {"4a\x1e", payload_error::empty_packet, 1},
      {"4a\x1e\x1e"
       "4b",
       payload_error::empty_packet, 1},
      {"9", payload_error::bad_packet_type, 0},
      {"x4hello", payload_error::bad_packet_type, 0},
      {"4a\x1e"
       "7\x1e"
       "4b",
       payload_error::bad_packet_type, 1},
      {"bAQ", payload_error::bad_base64, 0},
      {"b!!!!", payload_error::bad_base64, 0},
      {"4a\x1e"
       "bAQIDBA=\x1e"
       "4b",
       payload_error::bad_base64, 1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    const auto result = decode(c.body);
    EXPECT_EQ(result.error, c.error);
    EXPECT_EQ(result.packets.size(), c.delivered);
  }
}

TEST(engineio_payload, bounds_the_packet_count_before_delivering_any) {
  const std::string_view body =
      "4a\x1e"
      "4b\x1e"
      "4c";
  EXPECT_EQ(decode(body, 3).error, payload_error::ok);
  EXPECT_EQ(decode(body, 3).packets.size(), 3u);
  const auto refused = decode(body, 2);
  EXPECT_EQ(refused.error, payload_error::too_many_packets);
  EXPECT_TRUE(refused.packets.empty());

  std::string flood;
  for (int i = 0; i < 10001; ++i) append_payload_packet(flood, {packet_type::noop, false, ""});
  EXPECT_EQ(decode(flood).error, payload_error::too_many_packets);
}

TEST(engineio_payload, round_trips_binary_and_text) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  const std::vector<owned_packet> packets = {
      {packet_type::message, true, all},
      {packet_type::message, false, "2[\"a\"]"},
      {packet_type::pong, false, "probe"},
      {packet_type::message, true, std::string("\0", 1)},
  };
  std::string body;
  for (const auto& p : packets) append_payload_packet(body, {p.type, p.binary, p.data});
  const auto result = decode(body);
  EXPECT_EQ(result.error, payload_error::ok);
  EXPECT_EQ(result.packets, packets);
}

TEST(engineio_payload, error_names) {
  EXPECT_STREQ(to_string(payload_error::ok), "ok");
  EXPECT_STREQ(to_string(payload_error::bad_base64), "bad base64");
  EXPECT_STREQ(to_string(payload_error::too_many_packets), "too many packets");
}

}  // namespace
}  // namespace chorus::protocol::engineio
