#include "protocol/socketio/payload.hpp"

#include <array>
#include <string_view>

#include "protocol/json/surrogates.hpp"

namespace chorus::protocol::socketio {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::array<std::string_view, 7> reserved_event_names = {
    "connect",     "connect_error",  "disconnect", "disconnecting",
    "newListener", "removeListener", "error"};

bool is_valid_num(element value, std::size_t attachments) {
  if (value.type() == element_type::INT64) {
    const std::int64_t n = value.get_int64().value_unsafe();
    return n >= 0 && static_cast<std::uint64_t>(n) < attachments;
  }
  if (value.type() == element_type::UINT64) return value.get_uint64().value_unsafe() < attachments;
  return false;  // strings ("splice"), fractions, booleans, null ...
}

// An object is a placeholder when any "_placeholder" key is true; it is sound when its "num" is
// an index of the attachments. Duplicate keys are judged strictly: JSON.parse keeps the last
// one, so every "num" must be valid, not just the first.
struct placeholder_check {
  bool is_placeholder = false;
  bool sound = true;
};

placeholder_check check_placeholder(simdjson::dom::object object, std::size_t attachments) {
  bool is_placeholder = false;
  bool has_num = false;
  bool nums_ok = true;
  for (const auto field : object) {
    if (field.key == "_placeholder") {
      bool flag = false;
      if (field.value.get_bool().get(flag) == simdjson::SUCCESS && flag) is_placeholder = true;
    } else if (field.key == "num") {
      has_num = true;
      nums_ok = nums_ok && is_valid_num(field.value, attachments);
    }
  }
  return {is_placeholder, !is_placeholder || (has_num && nums_ok)};
}

// One walk checks the nesting bound and, for binary packets, every placeholder; asked to, it
// counts the placeholders of any packet. Recursion stops at lim.max_depth + 1, so the stack
// stays small whatever the input.
class walker {
 public:
  walker(const limits& lim, bool check_placeholders, bool count_placeholders,
         std::size_t attachments)
      : lim_(lim),
        check_placeholders_(check_placeholders),
        count_placeholders_(count_placeholders),
        attachments_(attachments) {}

  // too_deep as soon as the bound is crossed; a bad placeholder is remembered in bad_placeholder_.
  parse_error walk(element value, std::size_t depth) {
    const auto type = value.type();
    if (type != element_type::ARRAY && type != element_type::OBJECT) return parse_error::ok;
    if (depth + 1 > lim_.max_depth) return parse_error::too_deep;
    if (type == element_type::ARRAY) {
      // A named copy: value_unsafe() on the temporary result would dangle in a range-for.
      const simdjson::dom::array array = value.get_array().value_unsafe();
      for (const element child : array) {
        if (walk(child, depth + 1) != parse_error::ok) return parse_error::too_deep;
      }
      return parse_error::ok;
    }
    const auto object = value.get_object().value_unsafe();
    if (check_placeholders_ || count_placeholders_) {
      const placeholder_check found = check_placeholder(object, attachments_);
      if (check_placeholders_ && !found.sound) bad_placeholder_ = true;
      if (found.is_placeholder) ++placeholders_;
    }
    for (const auto field : object) {
      if (walk(field.value, depth + 1) != parse_error::ok) return parse_error::too_deep;
    }
    return parse_error::ok;
  }

  bool bad_placeholder() const { return bad_placeholder_; }
  std::size_t placeholders() const { return placeholders_; }

 private:
  const limits& lim_;
  bool check_placeholders_;
  bool count_placeholders_;
  std::size_t attachments_;
  bool bad_placeholder_ = false;
  std::size_t placeholders_ = 0;
};

// Only called when simdjson has refused the text: tells input that also nests too deep (say an
// unclosed "[[[[..." flood) from merely malformed JSON, so the resource bound is what gets
// reported.
bool nests_deeper_than(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

parse_error check_event(element root) {
  simdjson::dom::array array;
  if (root.get_array().get(array) != simdjson::SUCCESS) return parse_error::invalid_payload;
  if (array.begin() == array.end()) return parse_error::bad_event_name;
  std::string_view name;
  if ((*array.begin()).get_string().get(name) != simdjson::SUCCESS) {
    return parse_error::bad_event_name;
  }
  return is_reserved_event_name(name) ? parse_error::reserved_event_name : parse_error::ok;
}

// The shape rules per packet type, after the JSON itself is known to be sound.
parse_error check_shape(packet_type type, element root) {
  switch (type) {
    case packet_type::connect:
      return root.is_object() ? parse_error::ok : parse_error::invalid_payload;
    case packet_type::disconnect:
      return parse_error::invalid_payload;
    case packet_type::connect_error:
      return root.is_object() || root.is_string() ? parse_error::ok : parse_error::invalid_payload;
    case packet_type::event:
    case packet_type::binary_event:
      return check_event(root);
    case packet_type::ack:
    case packet_type::binary_ack:
      return root.is_array() ? parse_error::ok : parse_error::invalid_payload;
  }
  return parse_error::invalid_payload;
}

}  // namespace

bool is_reserved_event_name(std::string_view name) {
  for (const auto reserved : reserved_event_names) {
    if (name == reserved) return true;
  }
  return false;
}

parse_error parse_payload(simdjson::dom::parser& parser, const header& h, const limits& lim,
                          parsed_payload& out, bool count_placeholders) {
  out = parsed_payload{};
  if (h.payload.empty()) {
    const bool may_be_absent = h.type == packet_type::connect || h.type == packet_type::disconnect;
    return may_be_absent ? parse_error::ok : parse_error::invalid_payload;
  }
  // Nothing to parse: DISCONNECT never carries data.
  if (h.type == packet_type::disconnect) return parse_error::invalid_payload;

  // A lone surrogate escape is valid to JavaScript clients but not to simdjson: replaced.
  element root;
  const auto error = json::parse_as_javascript(parser, h.payload, root);
  if (error == simdjson::DEPTH_ERROR) return parse_error::too_deep;
  if (error != simdjson::SUCCESS) {
    return nests_deeper_than(h.payload, lim.max_depth) ? parse_error::too_deep
                                                       : parse_error::invalid_json;
  }

  walker walk(lim, is_binary(h.type), count_placeholders, h.attachments);
  if (walk.walk(root, 0) != parse_error::ok) return parse_error::too_deep;
  if (const auto shape = check_shape(h.type, root); shape != parse_error::ok) return shape;
  if (walk.bad_placeholder()) return parse_error::bad_placeholder;

  out.has_payload = true;
  out.root = root;
  out.placeholders = walk.placeholders();
  return parse_error::ok;
}

}  // namespace chorus::protocol::socketio
