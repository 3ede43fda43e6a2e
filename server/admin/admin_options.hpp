#pragma once

#include <string>

namespace CLI {
class App;
}

namespace chorus::server::admin {

// The server side of @socket.io/admin-ui 0.5.1 (--admin-ui), as instrument()'s options.
struct admin_options {
  bool enabled = false;
  // Basic auth: the login form's username and a bcrypt hash ($2a$/$2b$/$2y$) of its password.
  bool auth = true;
  std::string username = "admin";
  std::string password_hash;
  // development: also every socket's connections, rooms and events (ALL_EVENTS); production:
  // the server's figures only.
  bool development = false;
  // No commands from the UI (emit, join, leave, disconnect).
  bool readonly = false;
  // How this node shows in the UI; "" is socket.io's default, `<hostname>#<pid>`.
  std::string server_id;
};

void add_admin_options(CLI::App& app, admin_options& options);
// After parsing: refuses what cannot work (auth on without a usable hash), with CLI11's
// ValidationError naming the option.
void check_admin_options(const admin_options& options);

}  // namespace chorus::server::admin
