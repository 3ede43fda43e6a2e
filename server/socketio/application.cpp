#include "server/socketio/application.hpp"

#include "server/socketio/client.hpp"

namespace chorus::server::socketio {

namespace_handlers& application::of(std::string_view nsp) {
  auto it = namespaces_.find(nsp);
  if (it == namespaces_.end())
    it = namespaces_.emplace(std::string(nsp), namespace_handlers{}).first;
  return it->second;
}

std::vector<std::string> application::namespace_names() const {
  std::vector<std::string> names;
  for (const auto& [name, handlers] : namespaces_) names.push_back(name);
  return names;
}

const namespace_handlers* application::find(std::string_view nsp) const {
  auto it = namespaces_.find(nsp);
  return it == namespaces_.end() ? nullptr : &it->second;
}

session_handler_factory application::handler_factory() const {
  return [this](shard& home, node_services& node) {
    return std::make_unique<client>(*this, home, node);
  };
}

}  // namespace chorus::server::socketio
