#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/engineio/payload.hpp"
#include "protocol/socketio/binary_reassembler.hpp"
#include "protocol/socketio/header.hpp"
#include "protocol/socketio/payload.hpp"

namespace chorus::protocol::socketio {
namespace {

using buffers = std::vector<std::string>;

TEST(socketio_binary_reassembler, starts_inactive) {
  binary_reassembler r{limits{}};
  EXPECT_FALSE(r.active());
  EXPECT_FALSE(r.complete());
  EXPECT_EQ(r.add("x"), parse_error::unexpected_binary);
}

TEST(socketio_binary_reassembler, collects_the_declared_count_in_order) {
  binary_reassembler r{limits{}};
  const std::string text =
      R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])";
  r.start(text, 2);
  EXPECT_TRUE(r.active());
  EXPECT_FALSE(r.complete());
  EXPECT_EQ(r.add("\x01\x02"), parse_error::ok);
  EXPECT_FALSE(r.complete());
  EXPECT_EQ(r.add(std::string_view("\x03\x00", 2)), parse_error::ok);
  EXPECT_TRUE(r.complete());
  // One more than declared is refused and changes nothing.
  EXPECT_EQ(r.add("extra"), parse_error::unexpected_binary);
  EXPECT_TRUE(r.complete());

  EXPECT_EQ(r.take_text(), text);
  EXPECT_FALSE(r.active());
  EXPECT_EQ(r.take_buffers(), (buffers{"\x01\x02", std::string("\x03\x00", 2)}));
  EXPECT_FALSE(r.active());
  EXPECT_FALSE(r.complete());
  EXPECT_EQ(r.add("x"), parse_error::unexpected_binary);
}

TEST(socketio_binary_reassembler, takes_work_in_either_order) {
  binary_reassembler r{limits{}};
  r.start("51-[\"a\",{\"_placeholder\":true,\"num\":0}]", 1);
  ASSERT_EQ(r.add("abc"), parse_error::ok);
  EXPECT_EQ(r.take_buffers(), buffers{"abc"});
  EXPECT_EQ(r.take_text(), "51-[\"a\",{\"_placeholder\":true,\"num\":0}]");
  EXPECT_FALSE(r.active());
}

TEST(socketio_binary_reassembler, zero_attachments_is_complete_at_once) {
  binary_reassembler r{limits{}};
  r.start(R"(50-["a"])", 0);
  EXPECT_TRUE(r.active());
  EXPECT_TRUE(r.complete());
  EXPECT_EQ(r.add("x"), parse_error::unexpected_binary);
  EXPECT_TRUE(r.take_buffers().empty());
}

TEST(socketio_binary_reassembler, bounds_the_summed_bytes) {
  limits lim;
  lim.max_attachment_bytes = 10;
  binary_reassembler r{lim};
  r.start("53-[...]", 3);
  EXPECT_EQ(r.add(std::string(6, 'a')), parse_error::ok);
  EXPECT_EQ(r.add(std::string(5, 'b')), parse_error::attachments_too_large);
  EXPECT_EQ(r.add(std::string(4, 'c')), parse_error::ok);  // exactly at the bound
  EXPECT_FALSE(r.complete());
  EXPECT_EQ(r.add(""), parse_error::ok);
  EXPECT_TRUE(r.complete());
  EXPECT_EQ(r.take_buffers(), (buffers{std::string(6, 'a'), std::string(4, 'c'), ""}));
}

TEST(socketio_binary_reassembler, a_single_huge_buffer_is_refused) {
  binary_reassembler r{limits{}};  // 1,000,000 bytes by default
  r.start("51-[...]", 1);
  EXPECT_EQ(r.add(std::string(1'000'001, 'x')), parse_error::attachments_too_large);
  EXPECT_EQ(r.add(std::string(1'000'000, 'x')), parse_error::ok);
  EXPECT_TRUE(r.complete());
}

TEST(socketio_binary_reassembler, byte_count_restarts_with_each_packet) {
  limits lim;
  lim.max_attachment_bytes = 4;
  binary_reassembler r{lim};
  r.start("51-[...]", 1);
  ASSERT_EQ(r.add("abcd"), parse_error::ok);
  r.take_text();
  r.take_buffers();
  r.start("51-[...]", 1);
  EXPECT_EQ(r.add("efgh"), parse_error::ok);
}

TEST(socketio_binary_reassembler, reset_and_restart_drop_the_packet_in_progress) {
  binary_reassembler r{limits{}};
  r.start("first", 2);
  ASSERT_EQ(r.add("a"), parse_error::ok);
  r.start("second", 1);
  EXPECT_FALSE(r.complete());
  ASSERT_EQ(r.add("b"), parse_error::ok);
  EXPECT_TRUE(r.complete());
  EXPECT_EQ(r.take_buffers(), buffers{"b"});
  EXPECT_EQ(r.take_text(), "second");

  r.start("third", 1);
  r.reset();
  EXPECT_FALSE(r.active());
  EXPECT_EQ(r.add("c"), parse_error::unexpected_binary);
  EXPECT_TRUE(r.take_text().empty());
}

// The spec's binary event over HTTP long-polling: one body holding the packet and its buffer.
TEST(socketio_binary_reassembler, reassembles_a_polling_body) {
  const std::string body =
      "451-[\"baz\",{\"_placeholder\":true,\"num\":0}]\x1e"
      "bAQIDBA==";
  binary_reassembler r{limits{}};
  simdjson::dom::parser parser;
  std::vector<parse_error> errors;
  std::string scratch;
  const auto error = engineio::decode_payload(
      body,
      [&](const engineio::packet_view& p) {
        if (p.binary) {
          errors.push_back(r.active() ? r.add(p.data) : parse_error::unexpected_binary);
          return;
        }
        header h;
        errors.push_back(decode_header(p.data, h, {}));
        parsed_payload payload;
        errors.push_back(parse_payload(parser, h, {}, payload));
        r.start(std::string(p.data), h.attachments);
      },
      scratch);
  ASSERT_EQ(error, engineio::payload_error::ok);
  EXPECT_EQ(errors, (std::vector<parse_error>{parse_error::ok, parse_error::ok, parse_error::ok}));
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(r.take_text(), R"(51-["baz",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(r.take_buffers(), buffers{"\x01\x02\x03\x04"});
}

}  // namespace
}  // namespace chorus::protocol::socketio
