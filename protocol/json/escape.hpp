#pragma once

#include <string>
#include <string_view>

namespace chorus::protocol::json {

// Appends `utf8` as a JSON string literal, quotes included. Escapes '"', '\\' and the control
// characters below 0x20 (the short forms \b \f \n \r \t, else \u00XX) -- exactly what JSON
// requires; every other byte passes through, so valid UTF-8 stays valid UTF-8.
void append_quoted(std::string& out, std::string_view utf8);

std::string quoted(std::string_view utf8);

}  // namespace chorus::protocol::json
