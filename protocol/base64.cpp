#include "protocol/base64.hpp"

#include <array>
#include <cstdint>

namespace chorus::protocol {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t invalid = 0xff;

// Reverse lookup built at compile time: one table read per input character.
constexpr std::array<std::uint8_t, 256> make_reverse() {
  std::array<std::uint8_t, 256> table{};
  table.fill(invalid);
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}

constexpr auto reverse = make_reverse();

}  // namespace

void append_base64(std::string& out, std::string_view bytes) {
  const std::size_t start = out.size();
  out.resize(start + (bytes.size() + 2) / 3 * 4);
  char* dst = out.data() + start;
  const auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (src[i] << 16) | (src[i + 1] << 8) | src[i + 2];
    *dst++ = alphabet[(v >> 18) & 63];
    *dst++ = alphabet[(v >> 12) & 63];
    *dst++ = alphabet[(v >> 6) & 63];
    *dst++ = alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = src[i] << 16;
    *dst++ = alphabet[(v >> 18) & 63];
    *dst++ = alphabet[(v >> 12) & 63];
    *dst++ = '=';
    *dst++ = '=';
  } else if (rest == 2) {
    const std::uint32_t v = (src[i] << 16) | (src[i + 1] << 8);
    *dst++ = alphabet[(v >> 18) & 63];
    *dst++ = alphabet[(v >> 12) & 63];
    *dst++ = alphabet[(v >> 6) & 63];
    *dst++ = '=';
  }
}

bool decode_base64(std::string_view text, std::string& out) {
  if (text.size() % 4 != 0) return false;
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  const std::size_t start = out.size();
  out.resize(start + text.size() / 4 * 3 - pad);
  char* dst = out.data() + start;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    // Pad characters are only allowed at the very end; elsewhere '=' fails the table lookup.
    const std::size_t data_chars = last ? 4 - pad : 4;
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      std::uint8_t d = 0;
      if (k < data_chars) {
        d = reverse[static_cast<unsigned char>(text[i + k])];
        if (d == invalid) {
          out.resize(start);
          return false;
        }
      }
      v = (v << 6) | d;
    }
    *dst++ = static_cast<char>((v >> 16) & 0xff);
    if (data_chars > 2) *dst++ = static_cast<char>((v >> 8) & 0xff);
    if (data_chars > 3) *dst++ = static_cast<char>(v & 0xff);
  }
  return true;
}

}  // namespace chorus::protocol
