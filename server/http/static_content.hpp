#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/string_hash.hpp"

namespace chorus::server::http {

// One file of the site, read once and never changed: every shard serves it without a lock.
struct static_file {
  std::string body;
  std::string_view content_type;  // from content_type_for: static storage
  std::string etag;               // strong and quoted: "<size>-<hash of the bytes>"
  std::string last_modified;      // IMF-fixdate; empty when unknown
};

// The files chorus serves over plain HTTP, keyed by their path relative to the site root
// ("index.html", "socket.io/socket.io.min.js"), as resolve_static_path yields it.
class static_content {
 public:
  // Adds a file unless one is already there under that path (the first one wins).
  bool add(std::string relative, static_file file);
  const static_file* find(std::string_view relative) const;

  std::size_t file_count() const { return files_.size(); }
  std::size_t total_bytes() const { return total_bytes_; }

 private:
  std::unordered_map<std::string, static_file, string_hash, std::equal_to<>> files_;
  std::size_t total_bytes_ = 0;
};

// A strong entity tag for a file's bytes (stable across restarts, so browsers keep their copies).
std::string make_etag(std::string_view body);

}  // namespace chorus::server::http
