#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <string_view>

#include "protocol/socketio/encode.hpp"
#include "protocol/socketio/header.hpp"
#include "protocol/socketio/payload.hpp"

namespace chorus::protocol::socketio {
namespace {

struct encode_case {
  std::string_view expected;
  std::function<void(std::string&)> encode;
  packet_type type;
  std::string_view nsp;
  std::optional<std::uint64_t> ack_id;
  std::size_t attachments;
};

const std::string p0 = placeholder_json(0);
const std::string p1 = placeholder_json(1);

// Every encoded packet of the Socket.IO v5 spec's tables and sample session, built by the encoders.
const encode_case cases[] = {
    {R"(0{"sid":"wZX3oN0bSVIhsaknAAAI"})",
     [](std::string& o) { append_connect(o, "/", "wZX3oN0bSVIhsaknAAAI"); },
     packet_type::connect,
     "/",
     {},
     0},
    {R"(0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"})",
     [](std::string& o) { append_connect(o, "/admin", "oSO0OpakMV_3jnilAAAA"); },
     packet_type::connect,
     "/admin",
     {},
     0},
    {R"(0/admin,{"sid":"-G5j-67EZFp-q59rADQM","pid":"Pz2gRZ5lfQGcN2oXHz1A"})",
     [](std::string& o) {
       append_connect(o, "/admin", "-G5j-67EZFp-q59rADQM", "Pz2gRZ5lfQGcN2oXHz1A");
     },
     packet_type::connect,
     "/admin",
     {},
     0},
    {R"(0/admin,{"sid":"-G5j-67EZFp-q59rADQM"})",
     [](std::string& o) { append_connect(o, "/admin", "-G5j-67EZFp-q59rADQM"); },
     packet_type::connect,
     "/admin",
     {},
     0},
    {R"(4{"message":"Not authorized"})",
     [](std::string& o) { append_connect_error(o, "/", "Not authorized"); },
     packet_type::connect_error,
     "/",
     {},
     0},
    {R"(4/admin,{"message":"Invalid namespace"})",
     [](std::string& o) { append_connect_error(o, "/admin", "Invalid namespace"); },
     packet_type::connect_error,
     "/admin",
     {},
     0},
    {R"(4{"message":"say \"no\"\n"})",
     [](std::string& o) { append_connect_error(o, "/", "say \"no\"\n"); },
     packet_type::connect_error,
     "/",
     {},
     0},
    {R"(2["foo"])",
     [](std::string& o) { append_event(o, "/", "foo", ""); },
     packet_type::event,
     "/",
     {},
     0},
    {R"(2/admin,["bar"])",
     [](std::string& o) { append_event(o, "/admin", "bar", ""); },
     packet_type::event,
     "/admin",
     {},
     0},
    {R"(51-["baz",{"_placeholder":true,"num":0}])",
     [](std::string& o) { append_event(o, "/", "baz", p0, {}, 1); },
     packet_type::binary_event,
     "/",
     {},
     1},
    {R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])",
     [](std::string& o) { append_event(o, "/admin", "baz", p0 + "," + p1, {}, 2); },
     packet_type::binary_event,
     "/admin",
     {},
     2},
    {R"(212["foo"])", [](std::string& o) { append_event(o, "/", "foo", "", 12); },
     packet_type::event, "/", 12, 0},
    {"312[]", [](std::string& o) { append_ack(o, "/", 12, ""); }, packet_type::ack, "/", 12, 0},
    {R"(2/admin,13["foo"])", [](std::string& o) { append_event(o, "/admin", "foo", "", 13); },
     packet_type::event, "/admin", 13, 0},
    {R"(3/admin,13["bar"])", [](std::string& o) { append_ack(o, "/admin", 13, R"("bar")"); },
     packet_type::ack, "/admin", 13, 0},
    {R"(51-14["foo",{"_placeholder":true,"num":0}])",
     [](std::string& o) { append_event(o, "/", "foo", p0, 14, 1); }, packet_type::binary_event, "/",
     14, 1},
    {R"(314["bar"])", [](std::string& o) { append_ack(o, "/", 14, R"("bar")"); }, packet_type::ack,
     "/", 14, 0},
    {R"(215["foo"])", [](std::string& o) { append_event(o, "/", "foo", "", 15); },
     packet_type::event, "/", 15, 0},
    {R"(61-15["bar",{"_placeholder":true,"num":0}])",
     [](std::string& o) { append_ack(o, "/", 15, R"("bar",)" + p0, 1); }, packet_type::binary_ack,
     "/", 15, 1},
    {"1", [](std::string& o) { append_disconnect(o, "/"); }, packet_type::disconnect, "/", {}, 0},
    {"1/admin,",
     [](std::string& o) { append_disconnect(o, "/admin"); },
     packet_type::disconnect,
     "/admin",
     {},
     0},
    {R"(2["hey","Jude"])",
     [](std::string& o) { append_event(o, "/", "hey", R"("Jude")"); },
     packet_type::event,
     "/",
     {},
     0},
    {R"(61-/admin,1[{"_placeholder":true,"num":0}])",
     [](std::string& o) { append_ack(o, "/admin", 1, p0, 1); }, packet_type::binary_ack, "/admin",
     1, 1},
    {R"(2/admin,12["project:delete",123])",
     [](std::string& o) { append_event(o, "/admin", "project:delete", "123", 12); },
     packet_type::event, "/admin", 12, 0},
    {R"(2["a\"b\\c\n",1,{"x":[true]}])",
     [](std::string& o) { append_event(o, "", "a\"b\\c\n", R"(1,{"x":[true]})"); },
     packet_type::event,
     "/",
     {},
     0},
};

TEST(socketio_encode, builds_spec_examples) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expected);
    std::string out;
    c.encode(out);
    EXPECT_EQ(out, c.expected);
  }
}

TEST(socketio_encode, round_trips_through_the_decoder) {
  simdjson::dom::parser parser;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expected);
    std::string out;
    c.encode(out);
    header h;
    ASSERT_EQ(decode_header(out, h, {}), parse_error::ok);
    EXPECT_EQ(h.type, c.type);
    EXPECT_EQ(h.nsp, c.nsp);
    EXPECT_EQ(h.ack_id, c.ack_id);
    EXPECT_EQ(h.attachments, c.attachments);
    parsed_payload payload;
    ASSERT_EQ(parse_payload(parser, h, {}, payload), parse_error::ok);
  }
}

TEST(socketio_encode, event_name_survives_escaping) {
  simdjson::dom::parser parser;
  const std::string name = "we\"ird\\name\t\x01\xe2\x82\xac";
  std::string out;
  append_event(out, "/chat", name, R"("arg")", 7);
  header h;
  ASSERT_EQ(decode_header(out, h, {}), parse_error::ok);
  parsed_payload payload;
  ASSERT_EQ(parse_payload(parser, h, {}, payload), parse_error::ok);
  EXPECT_EQ(payload.root.at(0).get_string().value(), name);
  EXPECT_EQ(payload.root.at(1).get_string().value(), "arg");
}

TEST(socketio_encode, appends_after_the_engineio_message_prefix) {
  std::string out = "4";
  append_event(out, "/", "foo", "");
  EXPECT_EQ(out, R"(42["foo"])");
  out = "4";
  append_connect(out, "/", "wZX3oN0bSVIhsaknAAAI");
  EXPECT_EQ(out, R"(40{"sid":"wZX3oN0bSVIhsaknAAAI"})");
}

TEST(socketio_encode, header_forms) {
  struct header_case {
    packet_type type;
    std::string_view nsp;
    std::optional<std::uint64_t> id;
    std::size_t attachments;
    std::string_view expected;
  };
  const header_case headers[] = {
      {packet_type::event, "/", {}, 0, "2"},
      {packet_type::event, "", {}, 0, "2"},
      {packet_type::event, "/", 0, 0, "20"},
      {packet_type::ack, "/x", 18446744073709551615ull, 0, "3/x,18446744073709551615"},
      {packet_type::binary_event, "/", {}, 0, "50-"},
      {packet_type::binary_event, "/", {}, 10, "510-"},
      {packet_type::binary_ack, "/admin", 3, 2, "62-/admin,3"},
      {packet_type::connect, "/admin", {}, 0, "0/admin,"},
  };
  for (const auto& c : headers) {
    SCOPED_TRACE(c.expected);
    std::string out;
    append_header(out, c.type, c.nsp, c.id, c.attachments);
    EXPECT_EQ(out, c.expected);
  }
}

TEST(socketio_encode, placeholder) {
  EXPECT_EQ(placeholder_json(0), R"({"_placeholder":true,"num":0})");
  EXPECT_EQ(placeholder_json(9), R"({"_placeholder":true,"num":9})");
}

}  // namespace
}  // namespace chorus::protocol::socketio
