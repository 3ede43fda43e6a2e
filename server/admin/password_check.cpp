#include "server/admin/password_check.hpp"

#include <crypt.h>
#include <openssl/crypto.h>

#include <cstring>
#include <memory>

namespace chorus::server::admin {

bool is_bcrypt_hash(std::string_view hash) {
  if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$')
    return false;
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
  if (hash[4] < '0' || hash[4] > '3' || hash[5] < '0' || hash[5] > '9') return false;
  int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < 4 || cost > 31) return false;
  for (char c : hash.substr(7)) {
    bool base64 = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '/';
    if (!base64) return false;
  }
  return true;
}

bool password_matches(std::string_view password, const std::string& bcrypt_hash) {
  constexpr std::size_t max_password = 1024;
  if (!is_bcrypt_hash(bcrypt_hash) || password.size() > max_password ||
      password.find('\0') != std::string_view::npos)
    return false;
  std::string key(password);
  // crypt_data is ~32 KiB: on the heap, not a shard's coroutine stack.
  auto data = std::make_unique<crypt_data>();
  std::memset(data.get(), 0, sizeof(crypt_data));
  const char* computed = crypt_r(key.c_str(), bcrypt_hash.c_str(), data.get());
  OPENSSL_cleanse(key.data(), key.size());
  if (computed == nullptr || std::strlen(computed) != bcrypt_hash.size()) return false;
  return CRYPTO_memcmp(computed, bcrypt_hash.data(), bcrypt_hash.size()) == 0;
}

}  // namespace chorus::server::admin
