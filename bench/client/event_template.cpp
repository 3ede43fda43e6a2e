#include "bench/client/event_template.hpp"

#include <algorithm>

namespace chorus::bench {

namespace {

// The placeholder name at text[pos] == '{' and the position after its '}', if it is one.
std::optional<std::pair<std::string_view, std::size_t>> placeholder_at(std::string_view text,
                                                                       std::size_t pos) {
  std::size_t end = pos + 1;
  while (end < text.size() && ((text[end] >= 'a' && text[end] <= 'z') || text[end] == '_')) ++end;
  if (end == pos + 1 || end >= text.size() || text[end] != '}') return std::nullopt;
  return std::pair{text.substr(pos + 1, end - pos - 1), end + 1};
}

}  // namespace

std::optional<std::string> unknown_placeholder(std::string_view text,
                                               const std::vector<std::string_view>& allowed) {
  for (std::size_t pos = text.find('{'); pos != std::string_view::npos;
       pos = text.find('{', pos + 1)) {
    auto found = placeholder_at(text, pos);
    if (!found) continue;
    if (std::find(allowed.begin(), allowed.end(), found->first) == allowed.end()) {
      return std::string(found->first);
    }
  }
  return std::nullopt;
}

void append_expanded(std::string& out, std::string_view text, const template_vars& vars) {
  std::size_t done = 0;
  for (std::size_t pos = text.find('{'); pos != std::string_view::npos;
       pos = text.find('{', pos + 1)) {
    auto found = placeholder_at(text, pos);
    if (!found) continue;
    auto var = std::find_if(vars.begin(), vars.end(),
                            [&](const auto& v) { return v.first == found->first; });
    if (var == vars.end()) continue;
    out.append(text.substr(done, pos - done));
    out.append(var->second);
    done = found->second;
    pos = done - 1;
  }
  out.append(text.substr(done));
}

std::string with_namespace(std::string_view packet, std::string_view nsp) {
  if (nsp == "/" || !packet.starts_with("42") || packet.substr(2).starts_with("/")) {
    return std::string(packet);
  }
  std::string out = "42";
  out.append(nsp);
  out += ',';
  out.append(packet.substr(2));
  return out;
}

std::size_t ack_id_position(std::string_view packet) {
  if (!packet.starts_with("42")) return 0;
  if (!packet.substr(2).starts_with("/")) return 2;
  std::size_t comma = packet.find(',', 2);
  return comma == std::string_view::npos ? packet.size() : comma + 1;
}

std::string expand_template(std::string_view text, const template_vars& vars) {
  std::string out;
  append_expanded(out, text, vars);
  return out;
}

}  // namespace chorus::bench
