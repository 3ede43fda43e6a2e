// Server-side frame encoding: header layout at every length boundary, the RFC 6455 §5.7 examples,
// and close payloads.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/websocket/frame.hpp"
#include "protocol/websocket/mask.hpp"

namespace chorus::protocol::websocket {
namespace {

using bytes = std::vector<std::uint8_t>;

bytes to_bytes(std::string_view s) {
  return bytes(s.begin(), s.end());
}

struct header_case {
  const char* name;
  opcode op;
  std::uint64_t payload_size;
  bool fin;
  bytes expected;
};

class WebsocketFrameHeader : public ::testing::TestWithParam<header_case> {};

TEST_P(WebsocketFrameHeader, EncodesExactBytes) {
  const header_case& c = GetParam();
  std::uint8_t out[max_frame_header_size + 4];
  std::fill(std::begin(out), std::end(out), 0xEE);  // canary: nothing past the header is written
  const std::size_t size = encode_frame_header(out, c.op, c.payload_size, c.fin);
  ASSERT_EQ(size, c.expected.size());
  EXPECT_EQ(bytes(out, out + size), c.expected);
  for (std::size_t i = size; i < sizeof out; ++i) EXPECT_EQ(out[i], 0xEE) << "byte " << i;
}

INSTANTIATE_TEST_SUITE_P(
    Websocket, WebsocketFrameHeader,
    ::testing::Values(
        header_case{"empty_text", opcode::text, 0, true, {0x81, 0x00}},
        header_case{"rfc_hello_text", opcode::text, 5, true, {0x81, 0x05}},
        header_case{"rfc_first_fragment", opcode::text, 3, false, {0x01, 0x03}},
        header_case{"rfc_last_fragment", opcode::continuation, 2, true, {0x80, 0x02}},
        header_case{"rfc_ping", opcode::ping, 5, true, {0x89, 0x05}},
        header_case{"pong", opcode::pong, 5, true, {0x8A, 0x05}},
        header_case{"close", opcode::close, 2, true, {0x88, 0x02}},
        header_case{"len_125", opcode::binary, 125, true, {0x82, 0x7D}},
        header_case{"len_126", opcode::binary, 126, true, {0x82, 0x7E, 0x00, 0x7E}},
        header_case{"rfc_len_256", opcode::binary, 256, true, {0x82, 0x7E, 0x01, 0x00}},
        header_case{"len_65535", opcode::binary, 65535, true, {0x82, 0x7E, 0xFF, 0xFF}},
        header_case{"rfc_len_65536",
                    opcode::binary,
                    65536,
                    true,
                    {0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}},
        header_case{"len_4GiB_plus_1",
                    opcode::text,
                    0x1'0000'0001ULL,
                    true,
                    {0x81, 0x7F, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01}},
        header_case{"len_max_63_bit",
                    opcode::binary,
                    0x7FFF'FFFF'FFFF'FFFFULL,
                    false,
                    {0x02, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(WebsocketFrame, RfcUnmaskedHello) {
  EXPECT_EQ(to_bytes(encode_frame(opcode::text, "Hello")),
            (bytes{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
}

TEST(WebsocketFrame, RfcUnmaskedPing) {
  EXPECT_EQ(to_bytes(encode_frame(opcode::ping, "Hello")),
            (bytes{0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
}

TEST(WebsocketFrame, EmptyPong) {
  EXPECT_EQ(to_bytes(encode_frame(opcode::pong, "")), (bytes{0x8A, 0x00}));
}

TEST(WebsocketFrame, LongFrameKeepsPayloadAfterExtendedLength) {
  const std::string payload(65536, 'x');
  const std::string frame = encode_frame(opcode::binary, payload);
  ASSERT_EQ(frame.size(), 10 + payload.size());
  EXPECT_EQ(to_bytes(frame.substr(0, 10)),
            (bytes{0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}));
  EXPECT_EQ(frame.substr(10), payload);
}

struct close_case {
  const char* name;
  close_code code;
  std::string reason;
  std::string expected;  // exact payload bytes
};

class WebsocketClosePayload : public ::testing::TestWithParam<close_case> {};

TEST_P(WebsocketClosePayload, EncodesCodeAndReason) {
  const close_case& c = GetParam();
  const std::string payload = encode_close_payload(c.code, c.reason);
  EXPECT_EQ(payload, c.expected);
  EXPECT_LE(payload.size(), max_control_payload_size);
}

INSTANTIATE_TEST_SUITE_P(
    Websocket, WebsocketClosePayload,
    ::testing::Values(
        close_case{"normal_no_reason", close_code::normal, "", std::string("\x03\xE8", 2)},
        close_case{"normal_bye", close_code::normal, "bye", std::string("\x03\xE8", 2) + "bye"},
        close_case{"too_big", close_code::message_too_big, "message too big",
                   std::string("\x03\xF1", 2) + "message too big"},
        close_case{"protocol_error", close_code::protocol_error, "x", "\x03\xEAx"},
        close_case{"exactly_123", close_code::going_away, std::string(123, 'a'),
                   "\x03\xE9" + std::string(123, 'a')},
        close_case{"truncated_to_123", close_code::going_away, std::string(200, 'a'),
                   "\x03\xE9" + std::string(123, 'a')},
        // 122 ASCII bytes + "é" (2 bytes) would be 124: the whole code point goes, not half.
        close_case{"truncated_at_code_point", close_code::internal_error,
                   std::string(122, 'a') + "\xC3\xA9", "\x03\xF3" + std::string(122, 'a')},
        // 121 + "€" (3 bytes) = 124: cut before the euro sign.
        close_case{"truncated_before_3_byte_char", close_code::policy_violation,
                   std::string(121, 'a') + "\xE2\x82\xAC", "\x03\xF0" + std::string(121, 'a')},
        // 120 + "€" = 123 fits exactly and is kept whole.
        close_case{"3_byte_char_fits_exactly", close_code::policy_violation,
                   std::string(120, 'a') + "\xE2\x82\xAC",
                   "\x03\xF0" + std::string(120, 'a') + "\xE2\x82\xAC"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(WebsocketMask, RfcMaskedHelloUnmasks) {
  std::uint8_t data[] = {0x7f, 0x9f, 0x4d, 0x51, 0x58};
  EXPECT_EQ(apply_mask(data, sizeof data, {0x37, 0xfa, 0x21, 0x3d}), 1u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(data), sizeof data), "Hello");
}

TEST(WebsocketMask, PiecewiseEqualsWholeForEveryPhaseAndLength) {
  const masking_key key{0x01, 0x20, 0x43, 0x8F};
  for (std::size_t size = 0; size <= 40; ++size) {
    for (std::size_t split = 0; split <= size; ++split) {
      bytes data(size);
      for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::uint8_t>(i * 7 + 3);
      bytes expected = data;
      for (std::size_t i = 0; i < size; ++i) expected[i] ^= key[i % 4];
      const std::size_t phase = apply_mask(data.data(), split, key, 0);
      EXPECT_EQ(phase, split % 4);
      apply_mask(data.data() + split, size - split, key, phase);
      ASSERT_EQ(data, expected) << "size " << size << " split " << split;
    }
  }
}

}  // namespace
}  // namespace chorus::protocol::websocket
