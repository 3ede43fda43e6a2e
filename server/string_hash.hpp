#pragma once

#include <functional>
#include <string_view>

namespace chorus::server {

// Transparent hash so maps keyed by std::string can be searched with a string_view (no copy).
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

}  // namespace chorus::server
