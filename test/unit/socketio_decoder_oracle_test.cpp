// chorus's Socket.IO decoder against socket.io-parser's, case by case: the cases and the oracle's
// answers are in test/data/socketio_decoder_oracle.json, which test/js/decoder-oracle.test.mjs
// checks against the npm decoder itself.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <optional>
#include <string>
#include <vector>

#include "protocol/socketio/header.hpp"
#include "protocol/socketio/payload.hpp"

namespace chorus::protocol::socketio {
namespace {

struct oracle_case {
  std::string packet;
  std::optional<std::string> oracle_error;
  std::optional<std::string> chorus_refuses;
  std::uint64_t type = 0;
  std::string nsp;
  std::optional<std::uint64_t> id;
  std::optional<std::string> data;
};

void PrintTo(const oracle_case& c, std::ostream* os) {
  *os << c.packet;
}

std::optional<std::string> optional_string(simdjson::dom::object entry, const char* key) {
  std::string_view value;
  if (entry[key].get_string().get(value) != simdjson::SUCCESS) return std::nullopt;
  return std::string(value);
}

std::vector<oracle_case> load_cases() {
  static simdjson::dom::parser parser;
  simdjson::dom::element root =
      parser.load(CHORUS_SOURCE_DIR "/test/data/socketio_decoder_oracle.json").value();
  std::vector<oracle_case> cases;
  // A named array: iterating the temporary result would leave the loop a dangling reference.
  const simdjson::dom::array entries = root["cases"].get_array().value();
  for (simdjson::dom::object entry : entries) {
    oracle_case c;
    c.packet = std::string(entry["packet"].get_string().value());
    c.oracle_error = optional_string(entry, "oracle_error");
    c.chorus_refuses = optional_string(entry, "chorus_refuses");
    if (!c.oracle_error) {
      c.type = entry["type"].get_uint64().value();
      c.nsp = std::string(entry["nsp"].get_string().value());
      std::uint64_t id = 0;
      if (entry["id"].get_uint64().get(id) == simdjson::SUCCESS) c.id = id;
      c.data = optional_string(entry, "data");
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

class socketio_decoder_oracle : public testing::TestWithParam<oracle_case> {
 protected:
  simdjson::dom::parser parser_;
};

TEST_P(socketio_decoder_oracle, agrees) {
  const oracle_case& c = GetParam();
  const limits lim;
  header h;
  parse_error error = decode_header(c.packet, h, lim);
  const bool header_ok = error == parse_error::ok;
  parsed_payload payload;
  if (header_ok) error = parse_payload(parser_, h, lim, payload);

  if (c.chorus_refuses) {
    EXPECT_STREQ(to_string(error), c.chorus_refuses->c_str());
  } else {
    ASSERT_EQ(error, parse_error::ok) << to_string(error);
  }
  // Where chorus reads a header, it reads the oracle's.
  if (c.oracle_error || !header_ok) return;
  EXPECT_EQ(static_cast<std::uint64_t>(h.type), c.type);
  EXPECT_EQ(h.nsp, c.nsp);
  if (c.chorus_refuses) return;  // its ack id and payload rules are its own
  EXPECT_EQ(h.ack_id, c.id);
  EXPECT_EQ(h.payload, c.data.value_or(""));
}

INSTANTIATE_TEST_SUITE_P(cases, socketio_decoder_oracle, testing::ValuesIn(load_cases()));

}  // namespace
}  // namespace chorus::protocol::socketio
