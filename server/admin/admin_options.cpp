#include "server/admin/admin_options.hpp"

#include <CLI/CLI.hpp>

#include "server/admin/password_check.hpp"

namespace chorus::server::admin {

void add_admin_options(CLI::App& app, admin_options& options) {
  app.add_flag("--admin-ui", options.enabled,
               "Serve @socket.io/admin-ui: its /admin namespace, and its page at /admin/")
      ->envname("CHORUS_ADMIN_UI");
  app.add_option("--admin-auth", options.auth,
                 "Ask the Admin UI for --admin-user and the password of --admin-password-hash "
                 "(off: anyone reaching the port may administer it)")
      ->envname("CHORUS_ADMIN_AUTH")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, std::string>{{"on", "true"}, {"off", "false"}}))
      ->capture_default_str();
  app.add_option("--admin-user", options.username, "The Admin UI's login name")
      ->envname("CHORUS_ADMIN_USER")
      ->capture_default_str();
  app.add_option("--admin-password-hash", options.password_hash,
                 "bcrypt hash of the Admin UI's password ($2b$…, e.g. from `mkpasswd -m bcrypt`)")
      ->envname("CHORUS_ADMIN_PASSWORD_HASH");
  app.add_option("--admin-mode", options.development,
                 "production (the server's figures) or development (also every socket, room and "
                 "event)")
      ->envname("CHORUS_ADMIN_MODE")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, std::string>{{"development", "true"}, {"production", "false"}}))
      ->default_str("production");
  app.add_flag("--admin-readonly", options.readonly,
               "The Admin UI watches only: no emit, join, leave or disconnect")
      ->envname("CHORUS_ADMIN_READONLY");
  app.add_option("--admin-server-id", options.server_id,
                 "This node's name in the Admin UI (default: <hostname>#<pid>)")
      ->envname("CHORUS_ADMIN_SERVER_ID");
}

void check_admin_options(const admin_options& options) {
  if (!options.enabled || !options.auth) return;
  if (options.password_hash.empty())
    throw CLI::ValidationError("--admin-password-hash",
                               "--admin-ui needs a password hash, or --admin-auth off");
  if (!is_bcrypt_hash(options.password_hash))
    throw CLI::ValidationError("--admin-password-hash",
                               "not a bcrypt hash ($2a$, $2b$ or $2y$, cost, 53 characters)");
  if (options.username.empty()) throw CLI::ValidationError("--admin-user", "must not be empty");
}

}  // namespace chorus::server::admin
