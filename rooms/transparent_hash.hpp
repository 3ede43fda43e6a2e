#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace chorus::rooms {

// Hash for unordered containers keyed by std::string that also accepts string_view, so lookups
// by a room name arriving as a view build no std::string temporary (C++20 heterogeneous lookup;
// pair with std::equal_to<>).
struct transparent_string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

}  // namespace chorus::rooms
