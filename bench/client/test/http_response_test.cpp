#include "bench/client/http_response.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chorus::bench {
namespace {

using status = http_response_head::status;

TEST(HttpResponse, ParsesChorusPollingAnswer) {
  std::string text =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: 5\r\n\r\n"
      "40abc";
  auto head = parse_http_response_head(text);
  ASSERT_EQ(head.state, status::complete) << head.error;
  EXPECT_EQ(head.code, 200);
  EXPECT_EQ(head.content_length, 5u);
  EXPECT_TRUE(head.keep_alive);
  EXPECT_EQ(text.substr(head.head_size), "40abc");
}

TEST(HttpResponse, HeaderNamesAndConnectionClose) {
  auto head = parse_http_response_head(
      "HTTP/1.1 400 Bad Request\r\ncontent-length:  2 \r\nCONNECTION: Close\r\n\r\n{}");
  ASSERT_EQ(head.state, status::complete) << head.error;
  EXPECT_EQ(head.code, 400);
  EXPECT_EQ(head.content_length, 2u);
  EXPECT_FALSE(head.keep_alive);
  auto old = parse_http_response_head("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_FALSE(old.keep_alive);
  auto old_kept = parse_http_response_head(
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(old_kept.keep_alive);
}

TEST(HttpResponse, IncompleteUntilTheBlankLine) {
  EXPECT_EQ(parse_http_response_head("").state, status::incomplete);
  EXPECT_EQ(parse_http_response_head("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n").state,
            status::incomplete);
}

TEST(HttpResponse, RefusesWhatItCannotRead) {
  for (const char* text :
       {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n",
        "HTTP/2 200\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1a\r\n\r\n", "garbage\r\n\r\n"}) {
    auto head = parse_http_response_head(text);
    EXPECT_EQ(head.state, status::invalid) << text;
    EXPECT_FALSE(head.error.empty()) << text;
  }
  EXPECT_EQ(parse_http_response_head(std::string(20000, 'x')).state, status::invalid);
}

}  // namespace
}  // namespace chorus::bench
