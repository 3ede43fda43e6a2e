#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "protocol/engineio/packet.hpp"
#include "protocol/socketio/header.hpp"

namespace chorus::protocol::socketio {
namespace {

struct header_case {
  std::string_view text;
  parse_error error;
  packet_type type = packet_type::connect;
  std::size_t attachments = 0;
  std::string_view nsp = "/";
  std::optional<std::uint64_t> ack_id = std::nullopt;
  std::string_view payload = "";
};

void PrintTo(const header_case& c, std::ostream* os) {
  *os << c.text;
}

class socketio_header : public testing::TestWithParam<header_case> {};

TEST_P(socketio_header, decodes) {
  const auto& c = GetParam();
  header h;
  ASSERT_EQ(decode_header(c.text, h, limits{}), c.error) << to_string(decode_header(c.text, h, {}));
  if (c.error != parse_error::ok) return;
  EXPECT_EQ(h.type, c.type);
  EXPECT_EQ(h.attachments, c.attachments);
  EXPECT_EQ(h.nsp, c.nsp);
  EXPECT_EQ(h.ack_id, c.ack_id);
  EXPECT_EQ(h.payload, c.payload);
}

using enum packet_type;
constexpr auto ok = parse_error::ok;
constexpr std::string_view p0 = R"({"_placeholder":true,"num":0})";

// Every encoded packet in the Socket.IO v5 spec's tables, in order.
INSTANTIATE_TEST_SUITE_P(
    spec_table, socketio_header,
    testing::Values(
        header_case{"0", ok, connect},
        header_case{R"(0{"sid":"wZX3oN0bSVIhsaknAAAI"})",
                    ok,
                    connect,
                    0,
                    "/",
                    {},
                    R"({"sid":"wZX3oN0bSVIhsaknAAAI"})"},
        header_case{"0/admin,", ok, connect, 0, "/admin"},
        header_case{R"(0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"})",
                    ok,
                    connect,
                    0,
                    "/admin",
                    {},
                    R"({"sid":"oSO0OpakMV_3jnilAAAA"})"},
        header_case{R"(4{"message":"Not authorized"})",
                    ok,
                    connect_error,
                    0,
                    "/",
                    {},
                    R"({"message":"Not authorized"})"},
        header_case{R"(2["foo"])", ok, event, 0, "/", {}, R"(["foo"])"},
        header_case{R"(2/admin,["bar"])", ok, event, 0, "/admin", {}, R"(["bar"])"},
        header_case{R"(51-["baz",{"_placeholder":true,"num":0}])",
                    ok,
                    binary_event,
                    1,
                    "/",
                    {},
                    R"(["baz",{"_placeholder":true,"num":0}])"},
        header_case{
            R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])",
            ok,
            binary_event,
            2,
            "/admin",
            {},
            R"(["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"},
        header_case{R"(212["foo"])", ok, event, 0, "/", 12, R"(["foo"])"},
        header_case{"312[]", ok, ack, 0, "/", 12, "[]"},
        header_case{R"(2/admin,13["foo"])", ok, event, 0, "/admin", 13, R"(["foo"])"},
        header_case{R"(3/admin,13["bar"])", ok, ack, 0, "/admin", 13, R"(["bar"])"},
        header_case{R"(51-14["foo",{"_placeholder":true,"num":0}])", ok, binary_event, 1, "/", 14,
                    R"(["foo",{"_placeholder":true,"num":0}])"},
        header_case{R"(314["bar"])", ok, ack, 0, "/", 14, R"(["bar"])"},
        header_case{R"(215["foo"])", ok, event, 0, "/", 15, R"(["foo"])"},
        header_case{R"(61-15["bar",{"_placeholder":true,"num":0}])", ok, binary_ack, 1, "/", 15,
                    R"(["bar",{"_placeholder":true,"num":0}])"},
        header_case{"1", ok, disconnect}, header_case{"1/admin,", ok, disconnect, 0, "/admin"}));

// The Socket.IO packets of the spec's "Sample session" (after the Engine.IO '4') and the
// examples in PROTOCOL.md.
INSTANTIATE_TEST_SUITE_P(
    sample_session, socketio_header,
    testing::Values(
        header_case{R"(2["hey","Jude"])", ok, event, 0, "/", {}, R"(["hey","Jude"])"},
        header_case{R"(2["hello"])", ok, event, 0, "/", {}, R"(["hello"])"},
        header_case{R"(2["world"])", ok, event, 0, "/", {}, R"(["world"])"},
        header_case{R"(0/admin,{"sid":"-G5j-67EZFp-q59rADQM"})",
                    ok,
                    connect,
                    0,
                    "/admin",
                    {},
                    R"({"sid":"-G5j-67EZFp-q59rADQM"})"},
        header_case{R"(2/admin,1["tellme"])", ok, event, 0, "/admin", 1, R"(["tellme"])"},
        header_case{R"(61-/admin,1[{"_placeholder":true,"num":0}])", ok, binary_ack, 1, "/admin", 1,
                    R"([{"_placeholder":true,"num":0}])"},
        header_case{
            R"(0/admin,{"token":"123"})", ok, connect, 0, "/admin", {}, R"({"token":"123"})"},
        header_case{R"(2["hello",1])", ok, event, 0, "/", {}, R"(["hello",1])"},
        header_case{R"(2/admin,12["project:delete",123])", ok, event, 0, "/admin", 12,
                    R"(["project:delete",123])"},
        header_case{R"(3/admin,12["deleted"])", ok, ack, 0, "/admin", 12, R"(["deleted"])"},
        header_case{R"(61-/admin,15[{"_placeholder":true,"num":0}])", ok, binary_ack, 1, "/admin",
                    15, R"([{"_placeholder":true,"num":0}])"}));

// Edge cases that decode: bounds met exactly, id limits, digits that belong to the payload.
INSTANTIATE_TEST_SUITE_P(
    edges, socketio_header,
    testing::Values(
        header_case{R"(510-["a"])", ok, binary_event, 10, "/", {}, R"(["a"])"},
        header_case{R"(50-["a"])", parse_error::bad_attachment_count, binary_event, 0, "/", {}, ""},
        header_case{R"(5010-["a"])", ok, binary_event, 10, "/", {}, R"(["a"])"},
        header_case{R"(218446744073709551615["a"])", ok, event, 0, "/", 18446744073709551615ull,
                    R"(["a"])"},
        header_case{R"(20["a"])", ok, event, 0, "/", 0, R"(["a"])"},
        header_case{R"(2012["a"])", ok, event, 0, "/", 12, R"(["a"])"},
        header_case{"312", ok, ack, 0, "/", 12, ""},
        header_case{"0123", ok, connect, 0, "/", {}, "123"},  // CONNECT has no ack id
        header_case{"4/admin,7", ok, connect_error, 0, "/admin", {}, "7"},
        header_case{"0/,", ok, connect, 0, "/"}, header_case{"0/a/b,", ok, connect, 0, "/a/b"},
        header_case{R"(2/a b,["x"])", ok, event, 0, "/a b", {}, R"(["x"])"},
        header_case{"2-1[\"a\"]", ok, event, 0, "/", {}, "-1[\"a\"]"},  // JSON rejects it later
        header_case{"2[\"a,b\"]", ok, event, 0, "/", {}, "[\"a,b\"]"},
        // No ',': the namespace runs to the end of the packet (socket.io-parser).
        header_case{"0/admin", ok, connect, 0, "/admin"},
        header_case{"1/admin", ok, disconnect, 0, "/admin"},
        header_case{"1/", ok, disconnect, 0, "/"},
        header_case{R"(2/admin["a"])", ok, event, 0, "/admin[\"a\"]"},
        header_case{R"(51-/admin["a"])", ok, binary_event, 1, "/admin[\"a\"]"},
        header_case{"3/admin12", parse_error::bad_ack_id}));

// Malformed headers, each with its exact error.
INSTANTIATE_TEST_SUITE_P(
    bad_input, socketio_header,
    testing::Values(
        header_case{"", parse_error::empty_packet}, header_case{"7", parse_error::unknown_type},
        header_case{"9[]", parse_error::unknown_type}, header_case{"a", parse_error::unknown_type},
        header_case{"-1", parse_error::unknown_type},
        header_case{" 2[\"a\"]", parse_error::unknown_type},
        // PROTOCOL.md's literal "99999991-[...]" starts with '9': not a packet type at all.
        header_case{"99999991-[]", parse_error::unknown_type},
        header_case{"5", parse_error::bad_attachment_count},
        header_case{R"(5["a"])", parse_error::bad_attachment_count},
        header_case{R"(5-["a"])", parse_error::bad_attachment_count},
        header_case{R"(51["a"])", parse_error::bad_attachment_count},
        header_case{"51", parse_error::bad_attachment_count},
        header_case{R"(5a-["a"])", parse_error::bad_attachment_count},
        header_case{R"(51a-["a"])", parse_error::bad_attachment_count},
        header_case{R"(5+1-["a"])", parse_error::bad_attachment_count},
        header_case{R"(6/admin,1-1[])", parse_error::bad_attachment_count},
        header_case{R"(599999991-["hello",{"_placeholder":true,"num":0}])",
                    parse_error::too_many_attachments},
        header_case{R"(699999991-1[])", parse_error::too_many_attachments},
        header_case{R"(5999999999999999999999999999999-["a"])", parse_error::too_many_attachments},
        header_case{R"(518446744073709551616-["a"])", parse_error::too_many_attachments},
        header_case{R"(511-["a"])", parse_error::too_many_attachments},
        header_case{R"(218446744073709551616["a"])", parse_error::bad_ack_id},
        header_case{R"(299999999999999999999999["a"])", parse_error::bad_ack_id},
        header_case{R"(3["a"])", parse_error::bad_ack_id},
        header_case{"3", parse_error::bad_ack_id}, header_case{"3[]", parse_error::bad_ack_id},
        header_case{R"(3/admin,["a"])", parse_error::bad_ack_id},
        header_case{"61-[]", parse_error::bad_ack_id},
        header_case{R"(61-/admin,[{"_placeholder":true,"num":0}])", parse_error::bad_ack_id}));

TEST(socketio_header_limits, attachment_bound_comes_from_limits) {
  header h;
  limits lim;
  lim.max_attachments = 2;
  EXPECT_EQ(decode_header(R"(52-["a"])", h, lim), parse_error::ok);
  EXPECT_EQ(decode_header(R"(53-["a"])", h, lim), parse_error::too_many_attachments);
}

TEST(socketio_header_limits, output_is_reset_on_each_call) {
  header h;
  ASSERT_EQ(decode_header(R"(61-/admin,15[])", h, {}), parse_error::ok);
  ASSERT_EQ(decode_header("0", h, {}), parse_error::ok);
  EXPECT_EQ(h.attachments, 0u);
  EXPECT_EQ(h.nsp, "/");
  EXPECT_FALSE(h.ack_id.has_value());
}

// The whole inbound path: an Engine.IO message packet carrying a Socket.IO packet.
TEST(socketio_header_limits, decodes_inside_engineio_message) {
  const auto message = engineio::decode_text_packet(R"(42/admin,1["tellme"])");
  ASSERT_TRUE(message.has_value());
  ASSERT_EQ(message->type, engineio::packet_type::message);
  header h;
  ASSERT_EQ(decode_header(message->data, h, {}), parse_error::ok);
  EXPECT_EQ(h.type, packet_type::event);
  EXPECT_EQ(h.nsp, "/admin");
  EXPECT_EQ(h.ack_id, 1u);
  EXPECT_EQ(h.payload, R"(["tellme"])");
}

TEST(socketio_header_limits, error_names) {
  EXPECT_STREQ(to_string(parse_error::invalid_payload), "invalid payload");
  EXPECT_STREQ(to_string(parse_error::bad_placeholder), "bad attachment placeholder");
  EXPECT_STREQ(to_string(parse_error::too_many_attachments), "too many attachments");
}

}  // namespace
}  // namespace chorus::protocol::socketio
