#include "protocol/json/placeholder.hpp"

#include <cmath>
#include <cstdint>

namespace chorus::protocol::json {
namespace {

// num as a non-negative integer, or -1.
double index_of(simdjson::dom::element num) {
  double value = -1;
  switch (num.type()) {
    case simdjson::dom::element_type::INT64:
      value = static_cast<double>(num.get_int64().value_unsafe());
      break;
    case simdjson::dom::element_type::UINT64:
      value = static_cast<double>(num.get_uint64().value_unsafe());
      break;
    case simdjson::dom::element_type::DOUBLE:
      value = num.get_double().value_unsafe();
      break;
    default:
      return -1;
  }
  return value >= 0 && std::trunc(value) == value ? value : -1;
}

}  // namespace

placeholder_ref find_placeholder(simdjson::dom::object object, std::size_t attachment_count) {
  bool is_placeholder = false;
  double num = -1;
  for (const auto field : object) {
    if (field.key == "_placeholder") {
      is_placeholder = field.value.is_bool() && field.value.get_bool().value_unsafe();
    } else if (field.key == "num") {
      num = index_of(field.value);
    }
  }
  if (!is_placeholder) return {};
  if (num < 0 || num >= static_cast<double>(attachment_count)) {
    return {placeholder_kind::invalid, 0};
  }
  return {placeholder_kind::valid, static_cast<std::size_t>(num)};
}

}  // namespace chorus::protocol::json
