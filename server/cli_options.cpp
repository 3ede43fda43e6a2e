#include "server/cli_options.hpp"

#include <boost/asio/ip/address.hpp>
#include <fstream>
#include <iterator>
#include <map>

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

void add_limit_options(CLI::App& app, server_config& config) {
  app.add_option("--max-connections", config.max_connections,
                 "Open TCP connections for the whole process; over it a new one gets 503 "
                 "(0: the open-file limit less 64)")
      ->envname("CHORUS_MAX_CONNECTIONS")
      ->capture_default_str();
  app.add_option("--max-connections-per-ip", config.max_connections_per_ip,
                 "Open TCP connections from one IP address (0: no limit)")
      ->envname("CHORUS_MAX_CONNECTIONS_PER_IP")
      ->capture_default_str();
  app.add_option("--handshakes-per-second-per-ip", config.handshakes_per_second_per_ip,
                 "Engine.IO handshakes one IP address may make per second, bursts as large "
                 "(0: no limit)")
      ->envname("CHORUS_HANDSHAKES_PER_SECOND_PER_IP")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
}

// The secret's file holds it alone; one trailing newline (as editors and `echo` leave) is not
// part of it.
std::string read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof())
    throw CLI::ValidationError("--jwt-secret-file", "cannot read " + path);
  if (secret.ends_with('\n')) secret.pop_back();
  if (secret.ends_with('\r')) secret.pop_back();
  if (secret.empty()) throw CLI::ValidationError("--jwt-secret-file", path + " is empty");
  return secret;
}

// The listener binds an address, not a name: a bad one is a bad flag (exit 2), not a failure to
// start.
const CLI::Validator ip_address(
    [](std::string& value) -> std::string {
      boost::system::error_code ec;
      boost::asio::ip::make_address(value, ec);
      return ec ? "not an IP address: '" + value + "' (e.g. 0.0.0.0, 127.0.0.1, ::)" : "";
    },
    "IP");

}  // namespace

void add_jwt_options(CLI::App& app, std::string& secret) {
  auto* inline_secret =
      app.add_option("--jwt-secret", secret,
                     "Require a JWT (HS256, signed with this secret) in the Socket.IO CONNECT "
                     "auth payload, {token: ...}; its sub (or name) is the chat username")
          ->envname("CHORUS_JWT_SECRET");
  app.add_option_function<std::string>(
         "--jwt-secret-file",
         [&secret](const std::string& path) { secret = read_secret_file(path); },
         "Read the --jwt-secret from this file (keeps it off the command line)")
      ->envname("CHORUS_JWT_SECRET_FILE")
      ->check(CLI::ExistingFile)
      ->excludes(inline_secret);
}

void add_server_options(CLI::App& app, server_config& config) {
  app.add_option("--host", config.host, "IP address to listen on")
      ->envname("CHORUS_HOST")
      ->check(ip_address)
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
  add_milliseconds(app, "--shutdown-timeout", config.shutdown_timeout, "CHORUS_SHUTDOWN_TIMEOUT",
                   "On SIGTERM/SIGINT: ms to let clients be told and queues drain before closing "
                   "hard; a second signal exits at once");
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
  app.add_option("--io-uring", config.io_uring,
                 "Send each shard's writes of one event-loop turn with one io_uring system call "
                 "(false: one sendmsg per connection; also used when the kernel refuses io_uring)")
      ->envname("CHORUS_IO_URING")
      ->capture_default_str();
  app.add_option("--allowed-origins", config.cors_origin,
                 "Browser origins allowed on the Socket.IO endpoint (WebSocket and polling; also "
                 "their CORS headers): empty (same origin only), '*', or a comma-separated list; "
                 "others get 403")
      ->envname("CHORUS_ALLOWED_ORIGINS");
  app.add_option("--cors-origin", config.cors_origin, "The same as --allowed-origins")
      ->envname("CHORUS_CORS_ORIGIN");
  add_limit_options(app, config);
  add_parser_option(app, config);
  app.add_option("--tls-cert", config.tls_cert,
                 "PEM certificate chain; with --tls-key the port serves TLS only (https, wss)")
      ->envname("CHORUS_TLS_CERT");
  app.add_option("--tls-key", config.tls_key, "PEM private key (unencrypted) for --tls-cert")
      ->envname("CHORUS_TLS_KEY");
}

void add_parser_option(CLI::App& app, server_config& config) {
  app.add_option("--parser", config.parser,
                 "Socket.IO packet encoding, as the clients' `parser` option: json "
                 "(socket.io-parser, the default) or msgpack (socket.io-msgpack-parser 3); "
                 "msgpack cannot yet be combined with --recovery-window or --redis-url")
      ->envname("CHORUS_PARSER")
      ->transform(CLI::CheckedTransformer(std::map<std::string, packet_parser>{
          {"json", packet_parser::json}, {"msgpack", packet_parser::msgpack}}))
      ->default_str("json");
}

void check_parser_option(const server_config& config, bool clustered) {
  if (config.parser != packet_parser::msgpack) return;
  // Both keep or forward packets as the JSON codec's text (the recovery log appends its offset
  // to it, the Redis adapters read the data array out of it): out of msgpack's first slice.
  if (config.recovery.window.count() > 0 || clustered)
    throw CLI::ValidationError(
        "--parser",
        "msgpack cannot be combined with --recovery-window > 0 or --redis-url yet (connection "
        "state recovery and the Redis adapters re-encode packets as JSON text): set "
        "--recovery-window 0 and leave --redis-url unset, or use --parser json");
}

void add_recovery_options(CLI::App& app, recovery::recovery_options& options) {
  app.add_option_function<std::int64_t>(
         "--recovery-window",
         [&options](std::int64_t ms) { options.window = std::chrono::milliseconds(ms); },
         "Connection state recovery: ms a client whose connection dropped may come back as the "
         "same socket (sid, rooms, data) and be sent what it missed; 0: off")
      ->envname("CHORUS_RECOVERY_WINDOW")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{86'400'000}))
      ->default_str(std::to_string(options.window.count()));
  app.add_option("--recovery-max-bytes", options.max_bytes,
                 "Bytes the recovery packet log may hold; over it the oldest packets go first")
      ->envname("CHORUS_RECOVERY_MAX_BYTES")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 40))
      ->capture_default_str();
  app.add_option("--recovery-max-sessions", options.max_sessions,
                 "Sessions of disconnected sockets kept for recovery; over it the oldest go first")
      ->envname("CHORUS_RECOVERY_MAX_SESSIONS")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}))
      ->capture_default_str();
  app.add_flag("--recovery-skip-middlewares", options.skip_middlewares,
               "A recovered socket skips the connect middlewares (JWT): only if a token that "
               "was valid once may come back for the whole window")
      ->envname("CHORUS_RECOVERY_SKIP_MIDDLEWARES");
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
  sources.admin_ui_dir = http::default_admin_ui_dir();
  app.add_option("--admin-ui-dir", sources.admin_ui_dir,
                 "The Socket.IO Admin UI's built files (@socket.io/admin-ui's ui/dist/), served "
                 "at /admin/ when --admin-ui is on; '' for none")
      ->envname("CHORUS_ADMIN_UI_DIR")
      ->capture_default_str();
}

}  // namespace chorus::server
