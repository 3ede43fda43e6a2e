#include "protocol/json/js_keys.hpp"

#include <algorithm>
#include <numeric>

namespace chorus::protocol::json {
namespace {

bool has_duplicate_name(std::span<const std::string_view> keys) {
  if (keys.size() <= 8) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      for (std::size_t j = i + 1; j < keys.size(); ++j) {
        if (keys[i] == keys[j]) return true;
      }
    }
    return false;
  }
  std::vector<std::string_view> sorted(keys.begin(), keys.end());
  std::sort(sorted.begin(), sorted.end());
  return std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end();
}

bool in_js_order(std::span<const std::string_view> keys) {
  bool seen_name = false;
  bool seen_index = false;
  std::uint32_t last_index = 0;
  for (const std::string_view key : keys) {
    std::uint32_t index = 0;
    if (is_array_index(key, &index)) {
      if (seen_name || (seen_index && index <= last_index)) return false;
      seen_index = true;
      last_index = index;
    } else {
      seen_name = true;
    }
  }
  // Indices are strictly ascending, so only names can repeat; they come after the indices.
  std::size_t first_name = 0;
  while (first_name < keys.size() && is_array_index(keys[first_name])) ++first_name;
  return !has_duplicate_name(keys.subspan(first_name));
}

}  // namespace

bool is_array_index(std::string_view key, std::uint32_t* index) {
  if (key.empty() || key.size() > 10 || (key.size() > 1 && key[0] == '0')) return false;
  std::uint64_t value = 0;
  for (const char c : key) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value >= 0xffffffffu) return false;
  if (index) *index = static_cast<std::uint32_t>(value);
  return true;
}

std::optional<std::vector<std::size_t>> js_key_order(std::span<const std::string_view> keys) {
  if (in_js_order(keys)) return std::nullopt;

  // Group equal keys; within a group the positions ascend (stable sort).
  std::vector<std::size_t> by_key(keys.size());
  std::iota(by_key.begin(), by_key.end(), std::size_t{0});
  std::stable_sort(by_key.begin(), by_key.end(),
                   [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });

  struct property {
    std::size_t first;  // where the key first came
    std::size_t last;   // whose value it holds
    bool is_index;
    std::uint32_t index;
  };
  std::vector<property> properties;
  for (std::size_t i = 0; i < by_key.size();) {
    std::size_t j = i + 1;
    while (j < by_key.size() && keys[by_key[j]] == keys[by_key[i]]) ++j;
    property p{by_key[i], by_key[j - 1], false, 0};
    p.is_index = is_array_index(keys[by_key[i]], &p.index);
    properties.push_back(p);
    i = j;
  }
  std::sort(properties.begin(), properties.end(), [](const property& a, const property& b) {
    if (a.is_index != b.is_index) return a.is_index;
    return a.is_index ? a.index < b.index : a.first < b.first;
  });
  std::vector<std::size_t> order;
  order.reserve(properties.size());
  for (const property& p : properties) order.push_back(p.last);
  return order;
}

}  // namespace chorus::protocol::json
