#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "protocol/socketio/header.hpp"
#include "protocol/socketio/payload.hpp"

namespace chorus::protocol::socketio {
namespace {

struct payload_case {
  std::string text;
  parse_error error;
};

void PrintTo(const payload_case& c, std::ostream* os) {
  *os << (c.text.size() > 80 ? c.text.substr(0, 80) + "..." : c.text);
}

// decode_header then parse_payload, as the server does.
parse_error decode(simdjson::dom::parser& parser, std::string_view text, parsed_payload& out,
                   const limits& lim = {}) {
  header h;
  if (const auto error = decode_header(text, h, lim); error != parse_error::ok) return error;
  return parse_payload(parser, h, lim, out);
}

class socketio_payload : public testing::TestWithParam<payload_case> {
 protected:
  simdjson::dom::parser parser_;
};

TEST_P(socketio_payload, validates) {
  const auto& c = GetParam();
  parsed_payload out;
  const auto error = decode(parser_, c.text, out);
  EXPECT_EQ(error, c.error) << to_string(error);
  if (error == parse_error::ok) {
    header h;
    ASSERT_EQ(decode_header(c.text, h, {}), parse_error::ok);
    EXPECT_EQ(out.has_payload, !h.payload.empty());
  }
}

constexpr auto ok = parse_error::ok;

std::string nested(std::size_t depth, std::string_view open, std::string_view inner,
                   std::string_view close) {
  std::string s;
  for (std::size_t i = 0; i < depth; ++i) s += open;
  s += inner;
  for (std::size_t i = 0; i < depth; ++i) s += close;
  return s;
}

// Every packet of the Socket.IO spec (tables and sample session) is valid.
INSTANTIATE_TEST_SUITE_P(
    spec_examples, socketio_payload,
    testing::Values(
        payload_case{"0", ok}, payload_case{R"(0{"sid":"wZX3oN0bSVIhsaknAAAI"})", ok},
        payload_case{"0/admin,", ok}, payload_case{R"(0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"})", ok},
        payload_case{R"(0/admin,{"token":"123"})", ok},
        payload_case{R"(4{"message":"Not authorized"})", ok}, payload_case{R"(2["foo"])", ok},
        payload_case{R"(2/admin,["bar"])", ok},
        payload_case{R"(51-["baz",{"_placeholder":true,"num":0}])", ok},
        payload_case{
            R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])", ok},
        payload_case{R"(212["foo"])", ok}, payload_case{"312[]", ok},
        payload_case{R"(2/admin,13["foo"])", ok}, payload_case{R"(3/admin,13["bar"])", ok},
        payload_case{R"(51-14["foo",{"_placeholder":true,"num":0}])", ok},
        payload_case{R"(314["bar"])", ok}, payload_case{R"(215["foo"])", ok},
        payload_case{R"(61-15["bar",{"_placeholder":true,"num":0}])", ok}, payload_case{"1", ok},
        payload_case{"1/admin,", ok}, payload_case{R"(2["hey","Jude"])", ok},
        payload_case{R"(2["hello"])", ok}, payload_case{R"(2["world"])", ok},
        payload_case{R"(0/admin,{"sid":"-G5j-67EZFp-q59rADQM"})", ok},
        payload_case{R"(2/admin,1["tellme"])", ok},
        payload_case{R"(61-/admin,1[{"_placeholder":true,"num":0}])", ok},
        payload_case{R"(2["hello",1])", ok},
        payload_case{R"(2/admin,12["project:delete",123])", ok},
        payload_case{R"(3/admin,12["deleted"])", ok},
        payload_case{R"(61-/admin,15[{"_placeholder":true,"num":0}])", ok}));

// Accepted shapes beyond the spec examples.
INSTANTIATE_TEST_SUITE_P(
    valid_shapes, socketio_payload,
    testing::Values(
        payload_case{R"(4"Not authorized")", ok},  // CONNECT_ERROR may be a string
        payload_case{"0{}", ok}, payload_case{"312[1,{\"a\":[]},null]", ok},
        payload_case{R"(2["Connect"])", ok},                    // reserved names are case-sensitive
        payload_case{R"(2["m","lone \ud800 surrogate"])", ok},  // as JSON.stringify writes it
        payload_case{R"(2["connect "])", ok},
        payload_case{R"(2["message",{"x":{"y":[1,2,3]}}])", ok},
        payload_case{"2 [\"a\"] ", ok},  // JSON whitespace is fine
        payload_case{R"(2["\u00e9v\u00e9nement"])", ok}, payload_case{"2[\"\xe2\x82\xac\"]", ok},
        // A placeholder-shaped object in a non-binary packet is plain data.
        payload_case{R"(2["hello",{"_placeholder":true,"num":"splice"}])", ok},
        // Not a placeholder: "_placeholder" is not true.
        payload_case{R"(51-["hello",{"_placeholder":false,"num":"splice"}])", ok},
        payload_case{R"(51-["hello",{"_placeholder":"true","num":"splice"}])", ok},
        payload_case{R"(52-["a",{"_placeholder":true,"num":1},{"num":0,"_placeholder":true}])", ok},
        payload_case{R"(51-["a",{"k":[{"_placeholder":true,"num":0}]}])", ok}));

// PROTOCOL.md's "inputs that broke other servers" that concern parsing, and their neighbours.
INSTANTIATE_TEST_SUITE_P(
    bad_input, socketio_payload,
    testing::Values(
        // CVE-2022-2421: placeholder num must be an integer in [0, attachments).
        payload_case{R"(51-["hello",{"_placeholder":true,"num":"splice"}])",
                     parse_error::bad_placeholder},
        payload_case{R"(51-["hello",{"_placeholder":true,"num":1}])", parse_error::bad_placeholder},
        payload_case{R"(51-["hello",{"_placeholder":true,"num":-1}])",
                     parse_error::bad_placeholder},
        payload_case{R"(51-["hello",{"_placeholder":true,"num":0.5}])",
                     parse_error::bad_placeholder},
        payload_case{R"(51-["hello",{"_placeholder":true,"num":"0"}])",
                     parse_error::bad_placeholder},
        payload_case{R"(51-["hello",{"_placeholder":true,"num":null}])",
                     parse_error::bad_placeholder},
        payload_case{R"(51-["hello",{"_placeholder":true,"num":18446744073709551615}])",
                     parse_error::bad_placeholder},
        payload_case{R"(51-["hello",{"_placeholder":true}])", parse_error::bad_placeholder},
        payload_case{R"(51-["hello",{"a":[{"b":{"_placeholder":true,"num":"splice"}}]}])",
                     parse_error::bad_placeholder},
        payload_case{R"(51-["hello",{"_placeholder":true,"num":0,"num":"splice"}])",
                     parse_error::bad_placeholder},
        payload_case{R"(51-["hello",{"_placeholder":false,"_placeholder":true,"num":"x"}])",
                     parse_error::bad_placeholder},
        payload_case{R"(61-1[{"_placeholder":true,"num":"splice"}])", parse_error::bad_placeholder},
        payload_case{R"(61-/admin,1[{"_placeholder":true,"num":3}])", parse_error::bad_placeholder},
        // CVE-2023-32695: the event name must be a string.
        payload_case{R"(2[{"toString":"foo"}])", parse_error::bad_event_name},
        payload_case{R"(2[true,"foo"])", parse_error::bad_event_name},
        payload_case{"2[]", parse_error::bad_event_name},
        payload_case{"2[1]", parse_error::bad_event_name},
        payload_case{R"(2[null,"a"])", parse_error::bad_event_name},
        payload_case{R"(2[["a"]])", parse_error::bad_event_name},
        payload_case{"51-[]", parse_error::bad_event_name},
        payload_case{"2{}", parse_error::invalid_payload},
        payload_case{R"(2"foo")", parse_error::invalid_payload},
        payload_case{"2null", parse_error::invalid_payload},
        payload_case{"212", parse_error::invalid_payload},  // ack id 12, no payload
        payload_case{"2", parse_error::invalid_payload},
        payload_case{"2/admin,", parse_error::invalid_payload},
        payload_case{R"(51-{"a":1})", parse_error::invalid_payload},
        // Reserved event names (CVE-2024-38355 for "error").
        payload_case{R"(2["connect"])", parse_error::reserved_event_name},
        payload_case{R"(2["connect_error"])", parse_error::reserved_event_name},
        payload_case{R"(2["disconnect"])", parse_error::reserved_event_name},
        payload_case{R"(2["disconnecting"])", parse_error::reserved_event_name},
        payload_case{R"(2["newListener"])", parse_error::reserved_event_name},
        payload_case{R"(2["removeListener"])", parse_error::reserved_event_name},
        payload_case{R"(2["error"])", parse_error::reserved_event_name},
        payload_case{R"(2/admin,7["error",{"x":1}])", parse_error::reserved_event_name},
        payload_case{R"(51-["disconnect",{"_placeholder":true,"num":0}])",
                     parse_error::reserved_event_name},
        // Invalid JSON.
        payload_case{R"(2["a")", parse_error::invalid_json},
        payload_case{R"(2["a",])", parse_error::invalid_json},
        payload_case{"2[hello]", parse_error::invalid_json},
        payload_case{R"(2["a"]x)", parse_error::invalid_json},
        payload_case{R"(2["a"]["b"])", parse_error::invalid_json},
        payload_case{"2-1[\"a\"]", parse_error::invalid_json},
        payload_case{R"(0{"a":})", parse_error::invalid_json},
        payload_case{R"(0{'a':1})", parse_error::invalid_json},
        payload_case{"2[\"\xff\"]", parse_error::invalid_json},  // invalid UTF-8
        payload_case{"2[\"\xc3\"]", parse_error::invalid_json},  // truncated UTF-8
        payload_case{"2[\"a\nb\"]", parse_error::invalid_json},  // raw control character
        payload_case{"312abc", parse_error::invalid_json},
        // Shape per type.
        payload_case{"0[]", parse_error::invalid_payload},
        payload_case{R"(0"x")", parse_error::invalid_payload},
        payload_case{"0null", parse_error::invalid_payload},
        payload_case{"0123", parse_error::invalid_payload},
        payload_case{"1{}", parse_error::invalid_payload},
        payload_case{"1/admin,{}", parse_error::invalid_payload},
        payload_case{"1[]", parse_error::invalid_payload},
        payload_case{"4", parse_error::invalid_payload},
        payload_case{"4[]", parse_error::invalid_payload},
        payload_case{"44", parse_error::invalid_payload},
        payload_case{"312{}", parse_error::invalid_payload},
        payload_case{R"(312"x")", parse_error::invalid_payload},
        payload_case{"312", parse_error::invalid_payload},
        payload_case{"61-1{}", parse_error::invalid_payload},
        // Header errors surface unchanged.
        payload_case{" 2[\"a\"]", parse_error::unknown_type},
        payload_case{R"(599999991-["hello",{"_placeholder":true,"num":0}])",
                     parse_error::too_many_attachments},
        payload_case{R"(511-["a"])", parse_error::too_many_attachments},
        payload_case{R"(2/admin["a"])", parse_error::invalid_payload},
        payload_case{R"(3["a"])", parse_error::bad_ack_id}));

// Nesting bound (lim.max_depth = 32 nested arrays/objects, the root included).
INSTANTIATE_TEST_SUITE_P(
    depth, socketio_payload,
    testing::Values(
        payload_case{"2[\"a\"," + nested(31, "[", "1", "]") + "]", ok},
        payload_case{"2[\"a\"," + nested(32, "[", "1", "]") + "]", parse_error::too_deep},
        payload_case{"2[\"a\"," + nested(31, "{\"k\":", "1", "}") + "]", ok},
        payload_case{"2[\"a\"," + nested(32, "{\"k\":", "1", "}") + "]", parse_error::too_deep},
        payload_case{"0" + nested(32, "{\"k\":", "1", "}"), ok},
        payload_case{"0" + nested(33, "{\"k\":", "1", "}"), parse_error::too_deep},
        payload_case{"312" + nested(33, "[", "", "]"), parse_error::too_deep},
        // Deeper than simdjson's own bound (1024): its depth error maps to too_deep as well.
        payload_case{"2[\"a\"," + nested(10000, "[", "", "]") + "]", parse_error::too_deep},
        payload_case{"2" + nested(10000, "[", "", "]"), parse_error::too_deep},
        payload_case{"2" + nested(10000, "{\"a\":", "1", "}"), parse_error::too_deep},
        payload_case{"2" + std::string(10000, '['), parse_error::too_deep},
        payload_case{"2" + std::string(100000, '['), parse_error::too_deep},
        payload_case{"2[\"a\"," + std::string(33, '{'), parse_error::too_deep},
        // Malformed but shallow stays invalid_json; brackets inside strings do not count.
        payload_case{"2" + std::string(32, '['), parse_error::invalid_json},
        payload_case{"2[\"" + std::string(100, '[') + "\"", parse_error::invalid_json},
        payload_case{"2[\"\\\"" + std::string(100, '[') + "\"", parse_error::invalid_json},
        // Depth is checked before the event-name rule: the resource bound wins.
        payload_case{"2" + nested(40, "[", "", "]"), parse_error::too_deep},
        payload_case{
            "51-[\"a\"," + nested(40, "[", R"({"_placeholder":true,"num":"x"})", "]") + "]",
            parse_error::too_deep}));

TEST(socketio_payload_root, root_is_the_parsed_payload) {
  simdjson::dom::parser parser;
  parsed_payload out;
  ASSERT_EQ(decode(parser, R"(2/admin,12["project:delete",123,{"a":"b"}])", out), parse_error::ok);
  ASSERT_TRUE(out.has_payload);
  simdjson::dom::array args;
  ASSERT_EQ(out.root.get_array().get(args), simdjson::SUCCESS);
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(args.at(0).get_string().value(), "project:delete");
  EXPECT_EQ(args.at(1).get_int64().value(), 123);
  EXPECT_EQ(args.at(2)["a"].get_string().value(), "b");
}

TEST(socketio_payload_root, absent_payload_leaves_output_default) {
  simdjson::dom::parser parser;
  parsed_payload out;
  ASSERT_EQ(decode(parser, R"(2["a"])", out), parse_error::ok);
  ASSERT_TRUE(out.has_payload);
  ASSERT_EQ(decode(parser, "0/admin,", out), parse_error::ok);
  EXPECT_FALSE(out.has_payload);
}

TEST(socketio_payload_root, payload_does_not_need_padding_or_outlive_the_parse) {
  simdjson::dom::parser parser;
  parsed_payload out;
  {
    // The input is freed before the root is read: the parser owns copies of everything.
    auto text = std::make_unique<std::string>(R"(2["hey","Jude"])");
    ASSERT_EQ(decode(parser, *text, out), parse_error::ok);
  }
  EXPECT_EQ(out.root.at(1).get_string().value(), "Jude");
}

TEST(socketio_payload_root, limits_are_honoured) {
  simdjson::dom::parser parser;
  parsed_payload out;
  limits lim;
  lim.max_depth = 2;
  EXPECT_EQ(decode(parser, R"(2["a",[1]])", out, lim), parse_error::ok);
  EXPECT_EQ(decode(parser, R"(2["a",[[1]]])", out, lim), parse_error::too_deep);
  EXPECT_EQ(decode(parser, R"(2["a",{"b":1}])", out, lim), parse_error::ok);
  EXPECT_EQ(decode(parser, R"(2["a",{"b":{}}])", out, lim), parse_error::too_deep);
}

TEST(socketio_payload_root, a_parser_survives_bad_input) {
  simdjson::dom::parser parser;
  parsed_payload out;
  EXPECT_EQ(decode(parser, "2" + std::string(100000, '['), out), parse_error::too_deep);
  EXPECT_EQ(decode(parser, R"(2["a")", out), parse_error::invalid_json);
  ASSERT_EQ(decode(parser, R"(2["still","fine"])", out), parse_error::ok);
  EXPECT_EQ(out.root.at(1).get_string().value(), "fine");
}

TEST(socketio_payload_root, reserved_names) {
  for (const auto name : {"connect", "connect_error", "disconnect", "disconnecting", "newListener",
                          "removeListener", "error"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(is_reserved_event_name(name));
  }
  EXPECT_FALSE(is_reserved_event_name("message"));
  EXPECT_FALSE(is_reserved_event_name("Error"));
  EXPECT_FALSE(is_reserved_event_name(""));
}

}  // namespace
}  // namespace chorus::protocol::socketio
