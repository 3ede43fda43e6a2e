#include "server/cli_options.hpp"

#include "server/http/web_root.hpp"

namespace chorus::server {
namespace {

// CLI11 reads plain integers; durations are given in milliseconds.
void add_milliseconds(CLI::App& app, const std::string& name, std::chrono::milliseconds& target,
                      const std::string& env, const std::string& help) {
  app.add_option_function<std::int64_t>(
         name, [&target](std::int64_t ms) { target = std::chrono::milliseconds(ms); }, help)
      ->envname(env)
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3'600'000}))
      ->default_str(std::to_string(target.count()));
}

}  // namespace

void add_server_options(CLI::App& app, server_config& config) {
  app.add_option("--host", config.host, "Address to listen on")
      ->envname("CHORUS_HOST")
      ->capture_default_str();
  app.add_option("--port", config.port, "TCP port (0: any free port)")
      ->envname("CHORUS_PORT")
      ->capture_default_str();
  app.add_option("--threads", config.threads, "Shards, one thread each (0: one per core)")
      ->envname("CHORUS_THREADS")
      ->check(CLI::Range(0u, 4096u))
      ->capture_default_str();
  add_milliseconds(app, "--ping-interval", config.ping_interval, "CHORUS_PING_INTERVAL",
                   "Engine.IO heartbeat interval, ms");
  add_milliseconds(app, "--ping-timeout", config.ping_timeout, "CHORUS_PING_TIMEOUT",
                   "Close when no pong arrives within this many ms");
  add_milliseconds(app, "--connect-timeout", config.connect_timeout, "CHORUS_CONNECT_TIMEOUT",
                   "Close connections that join no namespace within this many ms");
  add_milliseconds(app, "--upgrade-timeout", config.upgrade_timeout, "CHORUS_UPGRADE_TIMEOUT",
                   "Drop a WebSocket upgrade that does not complete within this many ms");
  add_milliseconds(app, "--http-timeout", config.http_timeout, "CHORUS_HTTP_TIMEOUT",
                   "Bound on reading one HTTP request or waiting for the next, ms");
  app.add_option("--max-payload", config.max_payload,
                 "Largest polling body or WebSocket message, bytes")
      ->envname("CHORUS_MAX_PAYLOAD")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{256} << 20))
      ->capture_default_str();
  app.add_option("--max-queued-bytes", config.max_queued_bytes,
                 "Bytes queued for one slow connection before it is disconnected")
      ->envname("CHORUS_MAX_QUEUED_BYTES")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 32))
      ->capture_default_str();
  app.add_option(
         "--cors-origin", config.cors_origin,
         "Allowed cross-origin callers: empty (same origin only), '*', or a comma-separated "
         "list of origins")
      ->envname("CHORUS_CORS_ORIGIN");
}

void add_static_options(CLI::App& app, http::static_sources& sources) {
  sources.web_root = http::default_web_root();
  sources.client_bundle = http::default_client_bundle();
  app.add_option("--web-root", sources.web_root,
                 "Directory served at / (the chat page), read into memory at start-up; '' for none")
      ->envname("CHORUS_WEB_ROOT")
      ->capture_default_str();
  app.add_option("--client-bundle", sources.client_bundle,
                 "socket.io-client's dist/ directory, served as /socket.io/socket.io.min.js and "
                 "friends; '' for none")
      ->envname("CHORUS_CLIENT_BUNDLE")
      ->capture_default_str();
}

}  // namespace chorus::server
