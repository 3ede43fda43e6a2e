#pragma once

#include <string>
#include <string_view>

namespace chorus::server::admin {

// Whether `hash` reads as a bcrypt hash: $2a$, $2b$ or $2y$, a two-digit cost 04–31, then 53
// characters of bcrypt's base64 (salt and digest), 60 in all.
bool is_bcrypt_hash(std::string_view hash);

// Whether `password` hashes to `bcrypt_hash` (libxcrypt's crypt_r, compared in constant time).
// bcrypt reads at most 72 bytes, as bcryptjs does; a password over 1 KiB or holding a NUL byte
// never matches (crypt_r takes a C string). Costs what the hash's cost says: about 2^cost
// Blowfish key setups (~20 ms at cost 8, ~80 ms at 10), so callers bound how often it runs.
bool password_matches(std::string_view password, const std::string& bcrypt_hash);

}  // namespace chorus::server::admin
