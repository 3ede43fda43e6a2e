#include "server/config_file.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <iterator>
#include <sstream>

namespace chorus::server {
namespace {

constexpr const char* config_env = "CHORUS_CONFIG";

std::string_view trimmed(std::string_view s) {
  auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

bool is_option_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

// CLI11's reader passes lines it cannot make sense of as flags set to "true" and drops short
// ones silently; a configuration mistake must not go unnoticed, so every line is checked first.
void check_lines(const std::string& file, const std::string& text) {
  std::istringstream lines(text);
  std::string raw;
  for (int number = 1; std::getline(lines, raw); ++number) {
    std::string_view line = trimmed(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[')
      throw CLI::ConfigError(
          fmt::format("{} line {}: sections are not used; write `name = value` "
                      "lines at the top level",
                      file, number));
    auto equals = line.find('=');
    std::string_view name = trimmed(line.substr(0, equals));
    if (equals == std::string_view::npos || !is_option_name(name) ||
        trimmed(line.substr(equals + 1)).empty())
      throw CLI::ConfigError(
          fmt::format("{} line {}: expected `name = value`, got `{}`", file, number, line));
  }
}

bool set_in_environment(const CLI::Option& option) {
  const std::string& name = option.get_envname();
  if (name.empty()) return false;
  const char* value = std::getenv(name.c_str());
  return value != nullptr && *value != '\0';  // CLI11 ignores an empty variable
}

// CLI11's TOML reader, made strict (unknown names are errors that name the file and the key) and
// with the environment ranked above the file: a key whose option's variable is set is left out,
// so CLI11 (which reads the file before the environment) takes the variable's value.
class strict_config : public CLI::ConfigTOML {
 public:
  explicit strict_config(const CLI::App& app) : app_(app) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    std::string file = file_name();
    std::string text{std::istreambuf_iterator<char>(input), std::istreambuf_iterator<char>()};
    check_lines(file, text);
    std::istringstream again(text);
    std::vector<CLI::ConfigItem> kept;
    for (auto& item : CLI::ConfigTOML::from_config(again)) {
      const CLI::Option* option = app_.get_option_no_throw("--" + item.name);
      if (!item.parents.empty() || option == nullptr || !option->get_configurable())
        throw CLI::ConfigError(fmt::format("{}: unknown option '{}'", file, item.fullname()));
      if (!set_in_environment(*option)) kept.push_back(std::move(item));
    }
    return kept;
  }

 private:
  std::string file_name() const {
    const CLI::Option* config = app_.get_config_ptr();
    return config ? config->as<std::string>() : std::string("config file");
  }

  const CLI::App& app_;
};

}  // namespace

void add_config_file_option(CLI::App& app) {
  CLI::Option* option =
      app.set_config("--config", "",
                     "TOML file of `name = value` lines, one per long option without its dashes "
                     "(e.g. port = 3000); precedence: flag > environment variable > file > default",
                     false);
  option->envname(config_env);
  // CLI11 reads the file before it looks at the environment; a path from CHORUS_CONFIG is
  // taken as the default instead, and required so that a missing file is an error too.
  if (const char* from_env = std::getenv(config_env); from_env != nullptr && *from_env != '\0') {
    option->default_str(from_env);
    option->required();
  }
  app.config_formatter(std::make_shared<strict_config>(app));
  app.allow_config_extras(CLI::config_extras_mode::error);
}

}  // namespace chorus::server
