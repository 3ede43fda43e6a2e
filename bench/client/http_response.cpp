#include "bench/client/http_response.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace chorus::bench {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool icontains(std::string_view text, std::string_view word) {
  for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
    if (iequals(text.substr(i, word.size()), word)) return true;
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

http_response_head parse_http_response_head(std::string_view data) {
  http_response_head head;
  auto invalid = [&](std::string why) {
    head.state = http_response_head::status::invalid;
    head.error = std::move(why);
    return head;
  };
  std::size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (data.size() > 16 * 1024) return invalid("response head too long");
    return head;
  }
  head.head_size = end + 4;
  std::string_view lines = data.substr(0, end + 2);
  std::size_t eol = lines.find("\r\n");
  std::string_view status_line = lines.substr(0, eol);
  bool http10 = status_line.starts_with("HTTP/1.0 ");
  if (!(status_line.starts_with("HTTP/1.1 ") || http10) || status_line.size() < 12) {
    return invalid("bad status line: " + std::string(status_line.substr(0, 80)));
  }
  auto [p, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, head.code);
  if (ec != std::errc() || p != status_line.data() + 12) {
    return invalid("bad status line: " + std::string(status_line.substr(0, 80)));
  }
  head.keep_alive = !http10;
  bool has_length = false;
  for (std::size_t pos = eol + 2; pos < lines.size();) {
    std::size_t next = lines.find("\r\n", pos);
    std::string_view line = lines.substr(pos, next - pos);
    pos = next + 2;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      auto [q, e] = std::from_chars(value.data(), value.data() + value.size(), head.content_length);
      if (e != std::errc() || q != value.data() + value.size()) {
        return invalid("bad Content-Length");
      }
      has_length = true;
    } else if (iequals(name, "transfer-encoding") && icontains(value, "chunked")) {
      return invalid("chunked responses are not supported");
    } else if (iequals(name, "connection")) {
      if (icontains(value, "close")) head.keep_alive = false;
      if (icontains(value, "keep-alive")) head.keep_alive = true;
    }
  }
  if (!has_length) return invalid("response without Content-Length");
  head.state = http_response_head::status::complete;
  return head;
}

}  // namespace chorus::bench
