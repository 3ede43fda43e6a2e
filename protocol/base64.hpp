#pragma once

#include <string>
#include <string_view>

namespace chorus::protocol {

// Standard base64 (RFC 4648 section 4, with '=' padding), as Engine.IO v4 uses for binary packets
// in polling bodies. Hand-written because protocol/ may depend on neither Boost nor OpenSSL.

// Appends the base64 text of `bytes` to `out`.
void append_base64(std::string& out, std::string_view bytes);

// Appends the bytes encoded by `text` to `out`. Strict: the length must be a multiple of 4, only
// the alphabet may appear and '=' only as one or two trailing pad characters. Returns false, with
// `out` unchanged, on any violation.
bool decode_base64(std::string_view text, std::string& out);

}  // namespace chorus::protocol
