#include "rooms/encoded_packet.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "protocol/websocket/frame.hpp"

namespace chorus::rooms {
namespace {

namespace ws = chorus::protocol::websocket;

std::string expected_frame(std::string_view payload, bool binary) {
  std::uint8_t header[ws::max_frame_header_size];
  const std::size_t n = ws::encode_frame_header(
      header, binary ? ws::opcode::binary : ws::opcode::text, payload.size());
  return std::string(reinterpret_cast<const char*>(header), n) + std::string(payload);
}

std::string filler(std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + i % 26);
  if (size > 0) s[0] = '4';  // an Engine.IO message
  return s;
}

struct size_case {
  std::size_t size;
  std::size_t header_size;  // RFC 6455 §5.2: 7-bit, 16-bit or 64-bit length
};

constexpr size_case size_cases[] = {{0, 2}, {125, 2}, {126, 4}, {65535, 4}, {65536, 10}};

TEST(encoded_packet, frame_is_header_then_payload_for_every_length_form) {
  for (const bool binary : {false, true}) {
    for (const auto& c : size_cases) {
      SCOPED_TRACE(testing::Message() << "size " << c.size << " binary " << binary);
      const std::string payload = filler(c.size);
      const auto packet = encoded_packet::make(payload, binary);
      EXPECT_EQ(packet->websocket_frame(), expected_frame(payload, binary));
      EXPECT_EQ(packet->websocket_frame().size(), c.header_size + c.size);
      EXPECT_EQ(packet->payload(), payload);
      EXPECT_EQ(packet->size(), c.size);
      EXPECT_EQ(packet->binary(), binary);
      // One buffer: the payload view is the tail of the frame view.
      EXPECT_EQ(packet->payload().data(), packet->websocket_frame().data() + c.header_size);
    }
  }
}

TEST(encoded_packet, header_bytes_follow_rfc6455) {
  // Spelled out, not derived from encode_frame_header: FIN + opcode, then the length.
  EXPECT_EQ(encoded_packet::make("", false)->websocket_frame(), std::string("\x81\x00", 2));
  EXPECT_EQ(encoded_packet::make(filler(126), true)->websocket_frame().substr(0, 4),
            std::string("\x82\x7e\x00\x7e", 4));
  EXPECT_EQ(encoded_packet::make(filler(65536), false)->websocket_frame().substr(0, 10),
            std::string("\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
}

TEST(encoded_packet, socketio_event_round_trips) {
  const auto packet = encoded_packet::make(R"(42["msg",1])", false);
  EXPECT_EQ(packet->payload(), R"(42["msg",1])");
  EXPECT_EQ(packet->websocket_frame(), std::string("\x81\x0b") + R"(42["msg",1])");
}

TEST(encoded_packet, binary_bytes_are_kept_verbatim) {
  const std::string bytes("\x00\xff\x01\x80", 4);
  const auto packet = encoded_packet::make(bytes, true);
  EXPECT_EQ(packet->payload(), bytes);
  EXPECT_EQ(packet->websocket_frame(), std::string("\x82\x04", 2) + bytes);
}

TEST(encoded_packet, copies_its_input_and_outlives_it) {
  std::shared_ptr<const encoded_packet> packet;
  {
    std::string source = "4hello";
    packet = encoded_packet::make(source, false);
    source.assign("4XXXXX");
  }
  const auto shared = packet;  // recipients hold references, never copies
  packet.reset();
  EXPECT_EQ(shared->payload(), "4hello");
  EXPECT_EQ(shared.use_count(), 1);
}

}  // namespace
}  // namespace chorus::rooms
