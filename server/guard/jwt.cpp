#include "server/guard/jwt.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <simdjson.h>

#include <array>
#include <optional>

#include "protocol/base64.hpp"

namespace chorus::server::guard {
namespace {

// Parses `text` as a JSON object; false when it is anything else.
bool parse_object(simdjson::dom::parser& parser, const std::string& text,
                  simdjson::dom::object& out) {
  auto doc = parser.parse(simdjson::padded_string(text));
  if (doc.error()) return false;
  return !doc.get_object().get(out);
}

// A numeric claim, when present; false when present but not a number.
bool number_claim(simdjson::dom::object claims, const char* name, std::optional<double>& out) {
  auto field = claims[name];
  if (field.error() == simdjson::NO_SUCH_FIELD) return true;
  double value = 0;
  if (field.get_double().get(value)) return false;
  out = value;
  return true;
}

// `sub`, else `name`; false when either is present but not a string.
bool subject_claim(simdjson::dom::object claims, std::string& out) {
  for (const char* name : {"sub", "name"}) {
    auto field = claims[name];
    if (field.error() == simdjson::NO_SUCH_FIELD) continue;
    std::string_view text;
    if (field.get_string().get(text)) return false;
    if (out.empty()) out = text;
  }
  return true;
}

bool signature_matches(std::string_view signed_part, std::string_view secret,
                       const std::string& signature) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(),
            digest.data(), &size))
    return false;
  // Constant time, so the comparison does not tell how many leading bytes were right.
  return signature.size() == size && CRYPTO_memcmp(digest.data(), signature.data(), size) == 0;
}

}  // namespace

bool decode_base64url(std::string_view text, std::string& out) {
  if (text.size() % 4 == 1) return false;
  std::string standard;
  standard.reserve(text.size() + 2);
  for (char c : text) {
    if (c == '+' || c == '/' || c == '=') return false;  // not in the URL-safe alphabet
    standard += c == '-' ? '+' : c == '_' ? '/' : c;
  }
  standard.append((4 - standard.size() % 4) % 4, '=');
  return protocol::decode_base64(standard, out);
}

jwt_result verify_jwt_hs256(std::string_view token, std::string_view secret, std::int64_t now) {
  if (token.empty()) return {jwt_error::missing, {}};
  if (token.size() > max_jwt_size) return {jwt_error::oversize, {}};
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return {jwt_error::malformed, {}};
  std::string_view header_part = token.substr(0, first);
  std::string_view claims_part = token.substr(first + 1, second - first - 1);
  std::string_view signature_part = token.substr(second + 1);
  if (header_part.empty() || claims_part.empty() || signature_part.empty())
    return {jwt_error::malformed, {}};

  std::string header, claims_text, signature;
  if (!decode_base64url(header_part, header) || !decode_base64url(claims_part, claims_text) ||
      !decode_base64url(signature_part, signature))
    return {jwt_error::bad_base64, {}};

  thread_local simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (!parse_object(parser, header, object)) return {jwt_error::bad_json, {}};
  std::string_view alg;
  if (object["alg"].get_string().get(alg) || alg != "HS256")
    return {jwt_error::unsupported_alg, {}};
  // The signature before the claims are looked at: nothing unauthenticated is trusted.
  if (!signature_matches(token.substr(0, second), secret, signature))
    return {jwt_error::bad_signature, {}};

  if (!parse_object(parser, claims_text, object)) return {jwt_error::bad_json, {}};
  std::optional<double> exp, nbf;
  jwt_result result;
  if (!number_claim(object, "exp", exp) || !number_claim(object, "nbf", nbf) ||
      !subject_claim(object, result.subject))
    return {jwt_error::bad_claim, {}};
  auto seconds = static_cast<double>(now);
  if (exp && seconds > *exp + jwt_leeway_seconds) return {jwt_error::expired, {}};
  if (nbf && seconds + jwt_leeway_seconds < *nbf) return {jwt_error::not_yet_valid, {}};
  return result;
}

}  // namespace chorus::server::guard
