#include "server/http/static_content.hpp"

#include <fmt/format.h>

#include <cstdint>

namespace chorus::server::http {

bool static_content::add(std::string relative, static_file file) {
  std::size_t size = file.body.size();
  if (!files_.try_emplace(std::move(relative), std::move(file)).second) return false;
  total_bytes_ += size;
  return true;
}

const static_file* static_content::find(std::string_view relative) const {
  auto it = files_.find(relative);
  return it == files_.end() ? nullptr : &it->second;
}

std::string make_etag(std::string_view body) {
  // FNV-1a: not for security, only to tell two versions of a file apart.
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : body) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return fmt::format("\"{:x}-{:016x}\"", body.size(), hash);
}

}  // namespace chorus::server::http
