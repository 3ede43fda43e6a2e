// Client frame reading as a strict server (RFC 6455 §5): every case is fed whole, split at every
// point (or in several chunk sizes for big inputs) and one byte at a time, and must give the same
// events each way.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "protocol/websocket/frame.hpp"
#include "protocol/websocket/frame_reader.hpp"

namespace chorus::protocol::websocket {
namespace {

using bytes = std::vector<std::uint8_t>;
using kind = reader_event::kind;
using key4 = std::array<std::uint8_t, 4>;

// First header byte: FIN bit + opcode.
constexpr std::uint8_t fin = 0x80;
constexpr std::uint8_t op_cont = 0x0, op_text = 0x1, op_binary = 0x2, op_close = 0x8, op_ping = 0x9,
                       op_pong = 0xA;

constexpr key4 rfc_key{0x37, 0xfa, 0x21, 0x3d};

// A client frame as a browser sends it: masked with `key`. Written independently of the code
// under test (plain byte-wise XOR, its own length encoding) so the two cannot share a bug.
bytes client_frame(std::uint8_t first_byte, std::string_view payload, key4 key = rfc_key) {
  bytes out{first_byte};
  const std::uint64_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<std::uint8_t>(0x80 | n));
  } else if (n <= 0xFFFF) {
    out.insert(out.end(),
               {0x80 | 126, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
  } else {
    out.push_back(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<std::uint8_t>(n >> shift));
  }
  out.insert(out.end(), key.begin(), key.end());
  for (std::size_t i = 0; i < payload.size(); ++i) {
    out.push_back(static_cast<std::uint8_t>(payload[i]) ^ key[i % 4]);
  }
  return out;
}

// A close frame payload written by hand: big-endian code + reason.
std::string close_body(std::uint16_t code, std::string_view reason = "") {
  std::string body{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  body.append(reason);
  return body;
}

bytes cat(std::initializer_list<bytes> parts) {
  bytes out;
  for (const bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::string pattern(std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 31 + 7) & 0xFF);
  return s;
}

// An event with its payload copied out, comparable and printable.
struct seen {
  kind what = kind::need_more;
  opcode op = opcode::text;
  std::string payload;
  std::uint16_t code = 0;  // close code received, or the error's close code

  bool operator==(const seen&) const = default;
};

std::ostream& operator<<(std::ostream& os, const seen& s) {
  static const char* names[] = {"need_more", "message", "ping", "pong", "close", "error"};
  os << names[static_cast<int>(s.what)];
  if (s.what == kind::message) os << (s.op == opcode::text ? " text" : " binary");
  if (s.what == kind::close || s.what == kind::error) os << " code=" << s.code;
  return os << " payload(" << s.payload.size() << ")=\"" << s.payload.substr(0, 40) << "\"";
}

seen text(std::string_view p) {
  return {kind::message, opcode::text, std::string(p), 0};
}
seen binary(std::string_view p) {
  return {kind::message, opcode::binary, std::string(p), 0};
}
seen ping(std::string_view p) {
  return {kind::ping, opcode::text, std::string(p), 0};
}
seen pong(std::string_view p) {
  return {kind::pong, opcode::text, std::string(p), 0};
}
seen closed(std::uint16_t code, std::string_view reason = "") {
  return {kind::close, opcode::text, std::string(reason), code};
}
seen error(close_code code) {
  return {kind::error, opcode::text, "", static_cast<std::uint16_t>(code)};
}

seen record(const reader_event& e) {
  seen s;
  s.what = e.what;
  if (e.what == kind::message) s.op = e.message_opcode;
  if (e.what != kind::error) s.payload = std::string(e.payload);
  if (e.what == kind::close) s.code = e.close_code;
  if (e.what == kind::error) {
    s.code = static_cast<std::uint16_t>(e.error_code);
    EXPECT_STRNE(e.error_reason, "") << "an error carries a reason";
  }
  return s;
}

struct run_result {
  std::vector<seen> events;
  std::size_t left_over = 0;  // unconsumed bytes at the end
};

// Feeds input to a fresh reader in chunks ending at `cuts` (then the rest), like a connection
// whose read buffer gets appended to and has its consumed prefix erased. Stops at close or error.
run_result run(const bytes& input, const std::vector<std::size_t>& cuts, reader_limits lim = {}) {
  frame_reader reader(lim);
  run_result result;
  bytes pending;
  std::size_t start = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(input.size());
  for (std::size_t end : ends) {
    pending.insert(pending.end(), input.begin() + start, input.begin() + end);
    start = end;
    for (;;) {
      std::size_t consumed = 12345;
      const reader_event e = reader.next(pending, consumed);
      EXPECT_LE(consumed, pending.size());
      if (e.what != kind::need_more) result.events.push_back(record(e));
      pending.erase(pending.begin(), pending.begin() + std::min(consumed, pending.size()));
      if (e.what == kind::error || e.what == kind::close) {
        result.left_over = pending.size() + (input.size() - start);
        return result;
      }
      if (e.what == kind::need_more) break;
    }
  }
  result.left_over = pending.size();
  return result;
}

std::vector<std::size_t> byte_at_a_time(std::size_t size) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < size; ++i) cuts.push_back(i);
  return cuts;
}

// Every way of cutting the input that the table cases are checked with.
std::vector<std::vector<std::size_t>> all_feeds(std::size_t size) {
  std::vector<std::vector<std::size_t>> feeds{{}, byte_at_a_time(size)};
  if (size <= 4096) {
    for (std::size_t k = 1; k < size; ++k) feeds.push_back({k});  // every split point
  } else {
    for (std::size_t chunk : {3u, 100u, 1000u, 4096u, 16384u}) {
      std::vector<std::size_t> cuts;
      for (std::size_t k = chunk; k < size; k += chunk) cuts.push_back(k);
      feeds.push_back(cuts);
    }
  }
  return feeds;
}

std::string describe(const std::vector<std::size_t>& cuts) {
  if (cuts.empty()) return "whole";
  if (cuts.size() == 1) return "split at " + std::to_string(cuts[0]);
  return std::to_string(cuts.size() + 1) + " chunks";
}

struct reader_case {
  const char* name;
  bytes input;
  std::vector<seen> expected;  // the whole event sequence, ending in the error for bad input
  std::size_t max_message_size = reader_limits{}.max_message_size;
};

void PrintTo(const reader_case& c, std::ostream* os) {
  *os << c.name;
}

void check_every_feed(const reader_case& c) {
  for (const auto& cuts : all_feeds(c.input.size())) {
    const run_result r = run(c.input, cuts, reader_limits{c.max_message_size});
    ASSERT_EQ(r.events, c.expected) << describe(cuts);
    const bool terminal = !r.events.empty() && (r.events.back().what == kind::error ||
                                                r.events.back().what == kind::close);
    if (!terminal) {
      EXPECT_EQ(r.left_over, 0u) << describe(cuts);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Well-formed input.

class WebsocketReaderValid : public ::testing::TestWithParam<reader_case> {};

TEST_P(WebsocketReaderValid, SameEventsForEveryFeed) {
  check_every_feed(GetParam());
}

const std::string big_256 = pattern(256);
const std::string big_64k = pattern(65536);

INSTANTIATE_TEST_SUITE_P(
    Websocket, WebsocketReaderValid,
    ::testing::Values(
        // RFC 6455 §5.7, byte for byte.
        reader_case{"rfc_masked_hello",
                    {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
                    {text("Hello")}},
        reader_case{"rfc_masked_pong",
                    {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
                    {pong("Hello")}},
        reader_case{"rfc_fragmented_hello",
                    cat({client_frame(op_text, "Hel"), client_frame(fin | op_cont, "lo")}),
                    {text("Hello")}},
        reader_case{"masked_ping_hello", client_frame(fin | op_ping, "Hello"), {ping("Hello")}},
        reader_case{"rfc_binary_256", client_frame(fin | op_binary, big_256), {binary(big_256)}},
        reader_case{"rfc_binary_64k", client_frame(fin | op_binary, big_64k), {binary(big_64k)}},
        reader_case{"empty_ping", client_frame(fin | op_ping, ""), {ping("")}},
        reader_case{"empty_pong", client_frame(fin | op_pong, ""), {pong("")}},
        reader_case{"empty_text", client_frame(fin | op_text, ""), {text("")}},
        reader_case{"empty_binary", client_frame(fin | op_binary, ""), {binary("")}},
        reader_case{"text_125",
                    client_frame(fin | op_text, std::string(125, 'a')),
                    {text(std::string(125, 'a'))}},
        reader_case{"text_126",
                    client_frame(fin | op_text, std::string(126, 'b')),
                    {text(std::string(126, 'b'))}},
        reader_case{"binary_65535",
                    client_frame(fin | op_binary, pattern(65535)),
                    {binary(pattern(65535))}},
        reader_case{"ping_125",
                    client_frame(fin | op_ping, std::string(125, 'p')),
                    {ping(std::string(125, 'p'))}},
        reader_case{"binary_not_utf8",
                    client_frame(fin | op_binary, "\xff\xfe\xC3"),
                    {binary("\xff\xfe\xC3")}},
        reader_case{
            "fragmented_with_interleaved_control",
            cat({client_frame(op_text, "Hel", {1, 2, 3, 4}),
                 client_frame(fin | op_ping, "ping", {5, 6, 7, 8}),
                 client_frame(op_cont, "l", {9, 10, 11, 12}), client_frame(fin | op_pong, ""),
                 client_frame(fin | op_cont, "o", {0xff, 0, 0xff, 0})}),
            {ping("ping"), pong(""), text("Hello")}},
        reader_case{"fragmented_binary_with_empty_fragments",
                    cat({client_frame(op_binary, ""), client_frame(op_cont, "ab"),
                         client_frame(fin | op_cont, "")}),
                    {binary("ab")}},
        reader_case{"fragmented_64k",
                    cat({client_frame(op_binary, big_64k.substr(0, 1000)),
                         client_frame(op_cont, big_64k.substr(1000, 40000), {9, 8, 7, 6}),
                         client_frame(fin | op_cont, big_64k.substr(41000))}),
                    {binary(big_64k)}},
        reader_case{"utf8_2_byte_split_across_fragments",
                    cat({client_frame(op_text, "caf\xC3"), client_frame(fin | op_cont, "\xA9")}),
                    {text("caf\xC3\xA9")}},
        reader_case{"utf8_4_byte_split_in_three",
                    cat({client_frame(op_text, "\xF0\x9F"), client_frame(op_cont, "\x98"),
                         client_frame(fin | op_cont, "\x80!")}),
                    {text("\xF0\x9F\x98\x80!")}},
        reader_case{"messages_then_close",
                    cat({client_frame(fin | op_text, "a"), client_frame(fin | op_binary, "b"),
                         client_frame(fin | op_close, close_body(1000, "bye"))}),
                    {text("a"), binary("b"), closed(1000, "bye")}},
        reader_case{"message_after_fragmented_message",
                    cat({client_frame(op_text, "ab"), client_frame(fin | op_cont, "c"),
                         client_frame(fin | op_text, "d"), client_frame(op_binary, "e"),
                         client_frame(fin | op_cont, "f")}),
                    {text("abc"), text("d"), binary("ef")}},
        reader_case{"empty_close", client_frame(fin | op_close, ""), {closed(1005)}},
        reader_case{"close_utf8_reason",
                    client_frame(fin | op_close, close_body(4000, "d\xC3\xA9j\xC3\xA0")),
                    {closed(4000, "d\xC3\xA9j\xC3\xA0")}},
        reader_case{"exactly_max_size",
                    client_frame(fin | op_text, "0123456789"),
                    {text("0123456789")},
                    10},
        reader_case{"fragmented_exactly_max_size",
                    cat({client_frame(op_text, "01234"), client_frame(fin | op_cont, "56789")}),
                    {text("0123456789")},
                    10}),
    [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------------------------
// Bad input: the exact close code, after the events that were fine.

class WebsocketReaderError : public ::testing::TestWithParam<reader_case> {};

TEST_P(WebsocketReaderError, ExactCloseCodeForEveryFeed) {
  check_every_feed(GetParam());
}

// Header bytes only: 64-bit length `n`, no masking key, no payload.
bytes header_64(std::uint8_t first_byte, std::uint64_t n, bool masked = true) {
  bytes out{first_byte, static_cast<std::uint8_t>((masked ? 0x80 : 0) | 127)};
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(n >> shift));
  return out;
}

constexpr auto e1002 = close_code::protocol_error;
constexpr auto e1007 = close_code::invalid_payload;
constexpr auto e1009 = close_code::message_too_big;

INSTANTIATE_TEST_SUITE_P(
    Websocket, WebsocketReaderError,
    ::testing::Values(
        // §5.7's unmasked examples are what a client must never send.
        reader_case{
            "rfc_unmasked_hello", {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}, {error(e1002)}},
        reader_case{
            "rfc_unmasked_ping", {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}, {error(e1002)}},
        reader_case{"unmasked_after_good_frame",
                    cat({client_frame(fin | op_text, "ok"), {0x82, 0x00}}),
                    {text("ok"), error(e1002)}},
        reader_case{"rsv1", client_frame(0x40 | fin | op_text, "x"), {error(e1002)}},
        reader_case{"rsv2", client_frame(0x20 | fin | op_text, "x"), {error(e1002)}},
        reader_case{"rsv3", client_frame(0x10 | fin | op_binary, "x"), {error(e1002)}},
        reader_case{"rsv1_on_continuation",
                    cat({client_frame(op_text, "a"), client_frame(0x40 | fin | op_cont, "b")}),
                    {error(e1002)}},
        reader_case{"opcode_3", client_frame(fin | 0x3, "x"), {error(e1002)}},
        reader_case{"opcode_4", client_frame(fin | 0x4, ""), {error(e1002)}},
        reader_case{"opcode_5", client_frame(fin | 0x5, "x"), {error(e1002)}},
        reader_case{"opcode_6", client_frame(fin | 0x6, "x"), {error(e1002)}},
        reader_case{"opcode_7", client_frame(fin | 0x7, "x"), {error(e1002)}},
        reader_case{"opcode_11", client_frame(fin | 0xB, "x"), {error(e1002)}},
        reader_case{"opcode_12", client_frame(fin | 0xC, "x"), {error(e1002)}},
        reader_case{"opcode_13", client_frame(fin | 0xD, "x"), {error(e1002)}},
        reader_case{"opcode_14", client_frame(fin | 0xE, "x"), {error(e1002)}},
        reader_case{"opcode_15", client_frame(fin | 0xF, "x"), {error(e1002)}},
        reader_case{"ping_126", client_frame(fin | op_ping, std::string(126, 'p')), {error(e1002)}},
        reader_case{"close_126",
                    client_frame(fin | op_close, close_body(1000, std::string(124, 'r'))),
                    {error(e1002)}},
        reader_case{"pong_64bit_length", header_64(fin | op_pong, 5), {error(e1002)}},
        reader_case{"ping_not_fin", client_frame(op_ping, "p"), {error(e1002)}},
        reader_case{"close_not_fin", client_frame(op_close, close_body(1000)), {error(e1002)}},
        reader_case{"continuation_first", client_frame(fin | op_cont, "x"), {error(e1002)}},
        reader_case{"continuation_not_fin_first", client_frame(op_cont, "x"), {error(e1002)}},
        reader_case{"continuation_after_complete_message",
                    cat({client_frame(op_text, "a"), client_frame(fin | op_cont, "b"),
                         client_frame(fin | op_cont, "c")}),
                    {text("ab"), error(e1002)}},
        reader_case{"text_inside_fragmented_message",
                    cat({client_frame(op_text, "a"), client_frame(fin | op_text, "b")}),
                    {error(e1002)}},
        reader_case{"binary_inside_fragmented_message_after_ping",
                    cat({client_frame(op_text, "a"), client_frame(fin | op_ping, "p"),
                         client_frame(op_binary, "b")}),
                    {ping("p"), error(e1002)}},
        reader_case{"length_top_bit_set",
                    header_64(fin | op_binary, 0x8000'0000'0000'0000ULL),
                    {error(e1002)}},
        reader_case{"non_minimal_16_bit_length",
                    {0x82, 0xFE, 0x00, 0x05, 1, 2, 3, 4, 'a', 'b', 'c', 'd', 'e'},
                    {error(e1002)}},
        reader_case{
            "non_minimal_64_bit_length", header_64(fin | op_binary, 0xFFFF), {error(e1002)}},
        // 1009 from the header alone: no masking key and no payload bytes are ever sent.
        reader_case{
            "too_big_64_bit_header_only", header_64(fin | op_binary, 1ULL << 40), {error(e1009)}},
        reader_case{"too_big_max_plus_one_header_only",
                    header_64(fin | op_text, reader_limits{}.max_message_size + 1),
                    {error(e1009)}},
        reader_case{"too_big_16_bit_header_only", {0x81, 0xFE, 0x00, 0xC8}, {error(e1009)}, 150},
        reader_case{
            "too_big_7_bit", client_frame(fin | op_text, "01234567890"), {error(e1009)}, 10},
        reader_case{"too_big_non_final_fragment",
                    client_frame(op_binary, "01234567890"),
                    {error(e1009)},
                    10},
        reader_case{"fragments_exceed_max_at_continuation_header",
                    cat({client_frame(op_text, "hello"), client_frame(fin | op_ping, ""),
                         bytes{fin | op_cont, 0x86}}),
                    {ping(""), error(e1009)},
                    10},
        reader_case{"invalid_utf8_byte", client_frame(fin | op_text, "ab\xff"), {error(e1007)}},
        reader_case{
            "invalid_utf8_bad_continuation", client_frame(fin | op_text, "\xC3("), {error(e1007)}},
        reader_case{
            "invalid_utf8_surrogate", client_frame(fin | op_text, "\xED\xA0\x80"), {error(e1007)}},
        reader_case{
            "invalid_utf8_overlong", client_frame(fin | op_text, "\xC0\xAF"), {error(e1007)}},
        reader_case{"invalid_utf8_above_max",
                    client_frame(fin | op_text, "\xF4\x90\x80\x80"),
                    {error(e1007)}},
        reader_case{
            "invalid_utf8_truncated", client_frame(fin | op_text, "abc\xE2\x82"), {error(e1007)}},
        reader_case{"invalid_utf8_split_across_fragments",
                    cat({client_frame(op_text, "caf\xC3"), client_frame(fin | op_cont, "(")}),
                    {error(e1007)}},
        reader_case{"invalid_utf8_4_byte_split_in_three",
                    cat({client_frame(op_text, "\xF0\x9F"), client_frame(fin | op_ping, "x"),
                         client_frame(op_cont, "\x98"), client_frame(fin | op_cont, "A")}),
                    {ping("x"), error(e1007)}},
        reader_case{"invalid_utf8_truncated_at_last_fragment",
                    cat({client_frame(op_text, "ok "), client_frame(fin | op_cont, "\xE2\x82")}),
                    {error(e1007)}},
        reader_case{"close_1_byte", client_frame(fin | op_close, "\x03"), {error(e1002)}},
        reader_case{"close_reason_invalid_utf8",
                    client_frame(fin | op_close, close_body(1000, "a\xff")),
                    {error(e1007)}},
        reader_case{"close_reason_truncated_utf8",
                    client_frame(fin | op_close, close_body(1001, "\xC3")),
                    {error(e1007)}}),
    [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------------------------
// Close codes (§7.4.1, as the brief restricts them).

class WebsocketReaderCloseCode : public ::testing::TestWithParam<std::uint16_t> {};

TEST_P(WebsocketReaderCloseCode, Classified) {
  const std::uint16_t code = GetParam();
  const bool valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
                     (code >= 3000 && code <= 4999);
  const run_result r = run(client_frame(fin | op_close, close_body(code, "why")), {});
  ASSERT_EQ(r.events.size(), 1u);
  if (valid) {
    EXPECT_EQ(r.events[0], closed(code, "why"));
  } else {
    EXPECT_EQ(r.events[0], error(e1002));
  }
}

INSTANTIATE_TEST_SUITE_P(Websocket, WebsocketReaderCloseCode,
                         ::testing::Values(0, 999, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007,
                                           1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015, 1016,
                                           1100, 2000, 2999, 3000, 3999, 4000, 4999, 5000, 65535));

TEST(WebsocketReaderCloseCode, ValidCodesAreAccepted) {
  // Guards the classification above against a reader that refuses everything.
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999}) {
    const run_result r = run(client_frame(fin | op_close, close_body(code)), {});
    ASSERT_EQ(r.events, std::vector<seen>{closed(code)}) << code;
  }
}

// ---------------------------------------------------------------------------------------------
// Buffer contract: zero copy, consumption, partial state, terminal states.

TEST(WebsocketReader, RfcHelloIsAViewIntoTheBufferUnmaskedInPlace) {
  bytes data{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
  frame_reader reader;
  std::size_t consumed = 0;
  const reader_event e = reader.next(data, consumed);
  ASSERT_EQ(e.what, kind::message);
  EXPECT_EQ(e.message_opcode, opcode::text);
  EXPECT_EQ(e.payload, "Hello");
  EXPECT_EQ(consumed, 11u);
  EXPECT_EQ(static_cast<const void*>(e.payload.data()), static_cast<const void*>(data.data() + 6));
  EXPECT_EQ(std::string(data.begin() + 6, data.end()), "Hello");
}

TEST(WebsocketReader, TwoFramesInOneBufferComeOneCallAtATime) {
  bytes data = cat({client_frame(fin | op_text, "one"), client_frame(fin | op_binary, "two!")});
  frame_reader reader;
  std::size_t consumed = 0;
  reader_event e = reader.next(data, consumed);
  ASSERT_EQ(e.what, kind::message);
  EXPECT_EQ(e.payload, "one");
  EXPECT_EQ(consumed, 9u);
  e = reader.next(std::span(data).subspan(9), consumed);
  ASSERT_EQ(e.what, kind::message);
  EXPECT_EQ(e.message_opcode, opcode::binary);
  EXPECT_EQ(e.payload, "two!");
  EXPECT_EQ(consumed, 10u);
  e = reader.next(std::span(data).subspan(19), consumed);
  EXPECT_EQ(e.what, kind::need_more);
  EXPECT_EQ(consumed, 0u);
}

TEST(WebsocketReader, TooBigFromHeaderAloneConsumesNothing) {
  // 10 header bytes declaring 4 GiB: refused before a masking key or payload byte exists.
  bytes data = header_64(fin | op_binary, 1ULL << 32);
  frame_reader reader;
  std::size_t consumed = 99;
  const reader_event e = reader.next(data, consumed);
  ASSERT_EQ(e.what, kind::error);
  EXPECT_EQ(e.error_code, close_code::message_too_big);
  EXPECT_STREQ(e.error_reason, "message too big");
  EXPECT_EQ(consumed, 0u);
}

TEST(WebsocketReader, IncompleteHeaderConsumesNothing) {
  const bytes frame = client_frame(fin | op_binary, pattern(300));  // 8-byte header
  frame_reader reader;
  for (std::size_t n = 0; n < 8; ++n) {
    bytes part(frame.begin(), frame.begin() + n);
    std::size_t consumed = 99;
    EXPECT_EQ(reader.next(part, consumed).what, kind::need_more) << n;
    EXPECT_EQ(consumed, 0u) << n;
  }
}

TEST(WebsocketReader, PartialPayloadIsConsumedAndAssembled) {
  const std::string payload = pattern(1000);
  const bytes frame = client_frame(fin | op_binary, payload);  // 8-byte header
  frame_reader reader;
  bytes first(frame.begin(), frame.begin() + 508);
  std::size_t consumed = 0;
  EXPECT_EQ(reader.next(first, consumed).what, kind::need_more);
  EXPECT_EQ(consumed, 508u);  // header + 500 payload bytes taken into the reader
  bytes second(frame.begin() + 508, frame.end());
  const reader_event e = reader.next(second, consumed);
  ASSERT_EQ(e.what, kind::message);
  EXPECT_EQ(e.message_opcode, opcode::binary);
  EXPECT_EQ(consumed, 500u);
  EXPECT_EQ(e.payload, payload);
}

TEST(WebsocketReader, PartialControlFrameWaitsWithoutConsuming) {
  const bytes frame = client_frame(fin | op_ping, "hello");
  frame_reader reader;
  bytes part(frame.begin(), frame.end() - 1);
  std::size_t consumed = 99;
  EXPECT_EQ(reader.next(part, consumed).what, kind::need_more);
  EXPECT_EQ(consumed, 0u);
  EXPECT_EQ(part, bytes(frame.begin(), frame.end() - 1))
      << "nothing unmasked before it is consumed";
  bytes whole = frame;
  const reader_event e = reader.next(whole, consumed);
  ASSERT_EQ(e.what, kind::ping);
  EXPECT_EQ(e.payload, "hello");
  EXPECT_EQ(consumed, frame.size());
}

TEST(WebsocketReader, FragmentsAreConsumedAsTheyArrive) {
  bytes data = cat({client_frame(op_text, "Hel"), client_frame(fin | op_ping, "p")});
  frame_reader reader;
  std::size_t consumed = 0;
  reader_event e = reader.next(data, consumed);
  ASSERT_EQ(e.what, kind::ping);  // the first fragment was taken on the way
  EXPECT_EQ(consumed, data.size());
  bytes last = client_frame(fin | op_cont, "lo");
  e = reader.next(last, consumed);
  ASSERT_EQ(e.what, kind::message);
  EXPECT_EQ(e.payload, "Hello");
  EXPECT_EQ(consumed, last.size());
}

TEST(WebsocketReader, StaysFailedAfterError) {
  bytes bad{0x81, 0x05, 'H', 'e', 'l', 'l', 'o'};
  frame_reader reader;
  std::size_t consumed = 0;
  reader_event e = reader.next(bad, consumed);
  ASSERT_EQ(e.what, kind::error);
  EXPECT_EQ(e.error_code, close_code::protocol_error);
  EXPECT_STREQ(e.error_reason, "unmasked frame");
  bytes good = client_frame(fin | op_text, "fine");
  e = reader.next(good, consumed);
  ASSERT_EQ(e.what, kind::error);
  EXPECT_EQ(e.error_code, close_code::protocol_error);
  EXPECT_STREQ(e.error_reason, "unmasked frame");
  EXPECT_EQ(consumed, 0u);
}

TEST(WebsocketReader, StaysFailedAfterUtf8Error) {
  bytes bad = client_frame(fin | op_text, "\xff");
  frame_reader reader;
  std::size_t consumed = 0;
  EXPECT_EQ(reader.next(bad, consumed).error_code, close_code::invalid_payload);
  bytes good = client_frame(fin | op_text, "fine");
  const reader_event e = reader.next(good, consumed);
  EXPECT_EQ(e.what, kind::error);
  EXPECT_EQ(e.error_code, close_code::invalid_payload);
}

TEST(WebsocketReader, NothingIsReadAfterClose) {
  bytes data = cat(
      {client_frame(fin | op_close, close_body(1001, "bye")), client_frame(fin | op_text, "late")});
  frame_reader reader;
  std::size_t consumed = 0;
  reader_event e = reader.next(data, consumed);
  ASSERT_EQ(e.what, kind::close);
  EXPECT_EQ(e.close_code, 1001);
  EXPECT_EQ(e.payload, "bye");
  EXPECT_EQ(consumed, 11u);
  e = reader.next(std::span(data).subspan(consumed), consumed);
  ASSERT_EQ(e.what, kind::error);
  EXPECT_EQ(e.error_code, close_code::protocol_error);
  EXPECT_EQ(consumed, 0u);
}

TEST(WebsocketReader, ReaderIsReusableAcrossManyMessages) {
  // Alternating zero-copy and assembled messages with different keys keep the mask phase right.
  frame_reader reader;
  for (int i = 0; i < 50; ++i) {
    const std::string payload = pattern(static_cast<std::size_t>(i * 37 % 300));
    const key4 key{static_cast<std::uint8_t>(i), 0x5A, static_cast<std::uint8_t>(255 - i), 0x11};
    const std::size_t split = std::min<std::size_t>(static_cast<std::size_t>(i), payload.size());
    bytes data = i % 2 == 0 ? client_frame(fin | op_binary, payload, key)
                            : cat({client_frame(op_binary, payload.substr(0, split), key),
                                   client_frame(fin | op_cont, payload.substr(split), key)});
    std::size_t consumed = 0;
    const reader_event e = reader.next(data, consumed);
    ASSERT_EQ(e.what, kind::message) << i;
    EXPECT_EQ(e.payload, payload) << i;
    EXPECT_EQ(consumed, data.size()) << i;
  }
}

}  // namespace
}  // namespace chorus::protocol::websocket
