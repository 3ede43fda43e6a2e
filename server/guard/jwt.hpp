#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chorus::server::guard {

// Why a JSON Web Token was refused. Callers show clients none of this (only "Not authorized");
// it is for tests and logs.
enum class jwt_error {
  none,
  missing,          // no token at all
  oversize,         // longer than max_jwt_size
  malformed,        // not three dot-separated segments
  bad_base64,       // a segment is not unpadded base64url
  bad_json,         // the header or the claims are not a JSON object
  unsupported_alg,  // alg is anything but "HS256" (none, HS512, RS256, ...)
  bad_signature,    // the HMAC does not match
  bad_claim,        // exp, nbf not numbers; sub, name not strings
  expired,          // exp (plus leeway) has passed
  not_yet_valid,    // nbf (minus leeway) is still ahead
};

struct jwt_result {
  jwt_error error = jwt_error::none;
  // The token's `sub`, or its `name` when it has no `sub`; may be empty.
  std::string subject;
  bool ok() const { return error == jwt_error::none; }
};

inline constexpr std::size_t max_jwt_size = 8 * 1024;
inline constexpr std::int64_t jwt_leeway_seconds = 30;

// Verifies a compact JWS signed with HMAC-SHA256 (RFC 7515/7519) against `secret` at `now`
// (seconds since the epoch). A pure function: no clock, no I/O.
jwt_result verify_jwt_hs256(std::string_view token, std::string_view secret, std::int64_t now);

// Decodes unpadded base64url (RFC 4648 §5) into `out`; false on any other character or a
// length no encoding produces.
bool decode_base64url(std::string_view text, std::string& out);

}  // namespace chorus::server::guard
