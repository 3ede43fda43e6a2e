#include "bench/client/client_frame.hpp"

#include <gtest/gtest.h>

#include <span>
#include <string>

namespace chorus::bench {
namespace {

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(ClientFrame, MasksSmallMediumAndLargePayloads) {
  const ws::masking_key key{0x12, 0x34, 0x56, 0x78};
  for (std::size_t size : {0u, 5u, 125u, 126u, 65535u, 65536u}) {
    std::string payload(size, 'a');
    for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
    std::string out;
    append_client_frame(out, ws::opcode::text, payload, key);
    std::size_t header = size < 126 ? 6 : size <= 0xffff ? 8 : 14;
    ASSERT_EQ(out.size(), header + size);
    EXPECT_EQ(static_cast<std::uint8_t>(out[0]), 0x81);
    EXPECT_TRUE(static_cast<std::uint8_t>(out[1]) & 0x80);
    std::string unmasked = out.substr(header);
    ws::apply_mask(reinterpret_cast<std::uint8_t*>(unmasked.data()), unmasked.size(), key);
    EXPECT_EQ(unmasked, payload) << size;
  }
}

TEST(ClientFrame, ReadsServerFrames) {
  std::string two = ws::encode_frame(ws::opcode::text, "40{\"sid\":\"x\"}") +
                    ws::encode_frame(ws::opcode::ping, "hi");
  auto first = read_server_frame(bytes(two), 1000);
  ASSERT_EQ(first.state, server_frame::status::complete);
  EXPECT_EQ(first.op, ws::opcode::text);
  EXPECT_TRUE(first.fin);
  EXPECT_EQ(first.payload, "40{\"sid\":\"x\"}");
  auto second = read_server_frame(bytes(two).subspan(first.size), 1000);
  ASSERT_EQ(second.state, server_frame::status::complete);
  EXPECT_EQ(second.op, ws::opcode::ping);
  EXPECT_EQ(second.payload, "hi");
  EXPECT_EQ(first.size + second.size, two.size());
}

TEST(ClientFrame, IncompleteUntilEveryByteIsThere) {
  std::string big = ws::encode_frame(ws::opcode::binary, std::string(70000, 'z'));
  for (std::size_t n : {0u, 1u, 2u, 9u, 10u, 69999u}) {
    EXPECT_EQ(read_server_frame(bytes(big).first(n), 100000).state,
              server_frame::status::incomplete)
        << n;
  }
  auto whole = read_server_frame(bytes(big), 100000);
  ASSERT_EQ(whole.state, server_frame::status::complete);
  EXPECT_EQ(whole.payload.size(), 70000u);
}

TEST(ClientFrame, RefusesBadServerFrames) {
  std::string masked;
  append_client_frame(masked, ws::opcode::text, "x", {1, 2, 3, 4});
  EXPECT_STREQ(read_server_frame(bytes(masked), 100).error, "masked server frame");
  EXPECT_STREQ(read_server_frame(bytes(std::string("\xC1\x00", 2)), 100).error,
               "reserved bits set");
  EXPECT_STREQ(read_server_frame(bytes(std::string("\x83\x00", 2)), 100).error, "unknown opcode");
  EXPECT_STREQ(read_server_frame(bytes(std::string("\x09\x00", 2)), 100).error,
               "bad control frame");
  EXPECT_STREQ(read_server_frame(bytes(ws::encode_frame(ws::opcode::text, "12345")), 4).error,
               "frame too big");
}

}  // namespace
}  // namespace chorus::bench
