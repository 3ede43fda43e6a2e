#include "protocol/socketio/event_args.hpp"

namespace chorus::protocol::socketio {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string_view array_elements(std::string_view array) {
  array = trim(array);
  if (array.size() < 2 || array.front() != '[' || array.back() != ']') return {};
  return trim(array.substr(1, array.size() - 2));
}

std::string_view args_after_name(std::string_view event_array) {
  std::string_view elements = array_elements(event_array);
  if (elements.empty() || elements.front() != '"') return {};
  // Skip the name's string literal; escapes may hide quotes.
  std::size_t i = 1;
  while (i < elements.size() && elements[i] != '"') i += elements[i] == '\\' ? 2 : 1;
  std::string_view rest = trim(elements.substr(std::min(i + 1, elements.size())));
  if (rest.empty() || rest.front() != ',') return {};
  return trim(rest.substr(1));
}

}  // namespace chorus::protocol::socketio
