#pragma once

// Event templates: an Engine.IO text packet with {name} placeholders, e.g.
//   42["join_room",{"room":"{room}","username":"{user}"}]
// A placeholder is '{' + [a-z_]+ + '}'; any other '{' (JSON's) is literal text.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chorus::bench {

using template_vars = std::vector<std::pair<std::string_view, std::string_view>>;

// The first placeholder of `text` whose name is not in `allowed`, if any.
std::optional<std::string> unknown_placeholder(std::string_view text,
                                               const std::vector<std::string_view>& allowed);

// `text` with every placeholder replaced by its value (placeholders not in vars stay as written).
std::string expand_template(std::string_view text, const template_vars& vars);
void append_expanded(std::string& out, std::string_view text, const template_vars& vars);

// An Engine.IO EVENT packet ("42[…]") addressed to namespace `nsp`: "42/chat,[…]". Packets that
// name a namespace already, and any packet for "/", stay as written.
std::string with_namespace(std::string_view packet, std::string_view nsp);

// Where an ack id goes in an EVENT packet: after "42" and the namespace's "/name," if any.
std::size_t ack_id_position(std::string_view packet);

}  // namespace chorus::bench
