#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "protocol/engineio/open_packet.hpp"

namespace chorus::protocol::engineio {
namespace {

TEST(engineio_open_packet, matches_the_spec_example) {
  const auto json = encode_open_json({"lv_VI97HAXpY6yYWAAAC", true, 25000, 20000, 1000000});
  EXPECT_EQ(json, R"({"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,)"
                  R"("pingTimeout":20000,"maxPayload":1000000})");
}

TEST(engineio_open_packet, matches_the_socketio_sample_session) {
  const auto json = encode_open_json({"lv_VI97HAXpY6yYWAAAC", true, 25000, 5000, 1000000});
  EXPECT_EQ("0" + json,
            R"(0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,)"
            R"("pingTimeout":5000,"maxPayload":1000000})");
}

TEST(engineio_open_packet, websocket_only_session_has_no_upgrades) {
  const auto json = encode_open_json({"abc", false, 300, 200, 1000000});
  EXPECT_EQ(json, R"({"sid":"abc","upgrades":[],"pingInterval":300,"pingTimeout":200,)"
                  R"("maxPayload":1000000})");
}

TEST(engineio_open_packet, is_valid_json_with_the_given_values) {
  const auto json =
      encode_open_json({"we\"ird\\sid", true, 4294967295u, 1, 18446744073709551615ull});
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(root["sid"]), "we\"ird\\sid");
  EXPECT_EQ(std::string_view(root["upgrades"].at(0)), "websocket");
  EXPECT_EQ(uint64_t(root["pingInterval"]), 4294967295u);
  EXPECT_EQ(uint64_t(root["pingTimeout"]), 1u);
  EXPECT_EQ(uint64_t(root["maxPayload"]), 18446744073709551615ull);
}

}  // namespace
}  // namespace chorus::protocol::engineio
