#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <string_view>

namespace chorus::server::cluster {

// `length` characters from `alphabet`, at random (not for secrets: ids on the cluster's
// channels).
inline std::string random_id(std::string_view alphabet, std::size_t length) {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string id(length, ' ');
  for (char& c : id) c = alphabet[pick(generator)];
  return id;
}

// uid2(6): the classic Redis adapter's node and request ids.
inline std::string uid2_id() {
  return random_id("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 6);
}

// randomBytes(8).toString("hex"): the ClusterAdapter's node and request ids.
inline std::string hex_id() {
  return random_id("0123456789abcdef", 16);
}

}  // namespace chorus::server::cluster
