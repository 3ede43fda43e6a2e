#include "server/server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <cctype>

#include "server/engineio/endpoint.hpp"
#include "server/fanout/local_adapter.hpp"
#include "server/guard/refusal.hpp"
#include "server/http/http_session.hpp"
#include "server/http/over_limit.hpp"
#include "server/http/responses.hpp"
#include "server/http/router.hpp"
#include "server/ops/ops_routes.hpp"
#include "server/recovery/state_recovery.hpp"
#include "server/tls/tls_session.hpp"

namespace chorus::server {
namespace {

// After the last session of a draining shard is gone: time for its close frames and last writes
// to reach the kernel (one event-loop turn is usually enough; a full socket gets this long).
constexpr auto final_flush = std::chrono::milliseconds(200);
// Sessions left after every session was closed are polling ones waiting for the client's next
// GET to hand it the close packet; a live client sends it at once, a gone one is not waited for.
constexpr auto polling_grace = std::chrono::seconds(2);

// Counts a new connection in the process's limits. One over a limit gets an empty slot and is
// refused here: a 503 in plain HTTP, a bare close under TLS (there is no TLS session to answer in).
// Over --max-connections a few are read first, so that the operator's endpoints still answer.
guard::connection_slot admit(server& owner, shard& home, tcp::socket& socket) {
  boost::system::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  if (ec) return {};  // gone already
  guard::admission verdict{};
  auto slot = owner.guard().admit(peer.address(), verdict);
  if (slot || owner.tls_context()) return slot;
  auto message = guard::refusal_message(verdict);
  guard::admission reserved{};
  guard::connection_slot reserve;
  if (verdict == guard::admission::too_many_connections)
    reserve = owner.over_limit_reserve().admit(peer.address(), reserved);
  if (reserve)
    asio::co_spawn(
        home.executor(),
        http::answer_over_limit(home, owner.site(), std::move(socket), std::move(reserve), message),
        log_exceptions{"over-limit connection"});
  else
    guard::refuse_connection(std::move(socket), message);
  return {};
}

awaitable<void> accept_loop(server& owner, shard& home, tcp::acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(home.executor(), use_nothrow_awaitable);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      // Out of file descriptors or similar: back off briefly instead of spinning.
      spdlog::warn("accept on shard {}: {}", home.index(), ec.message());
      asio::steady_timer pause(home.executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(use_nothrow_awaitable);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    guard::connection_slot slot = admit(owner, home, socket);
    if (!slot) continue;
    home.metrics().tcp_accepted.add();
    if (const auto& tls = owner.tls_context())
      asio::co_spawn(
          home.executor(),
          tls::run_tls_session(home, owner.site(), std::move(socket), std::move(slot), tls),
          log_exceptions{"tls session"});
    else
      asio::co_spawn(home.executor(),
                     http::run_http_session(home, owner.site(), std::move(socket), std::move(slot)),
                     log_exceptions{"http session"});
  }
}

std::string endpoint_text(const tcp::endpoint& at) {
  if (at.address().is_v6()) return fmt::format("[{}]:{}", at.address().to_string(), at.port());
  return fmt::format("{}:{}", at.address().to_string(), at.port());
}

// "cannot listen on 0.0.0.0:3000: address already in use": no error category, no source location.
[[noreturn]] void fail_to_listen(const tcp::endpoint& at, const boost::system::error_code& ec) {
  std::string reason = ec.message();
  if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(reason[0]));
  throw listen_error(fmt::format("cannot listen on {}: {}", endpoint_text(at), reason));
}

std::unique_ptr<tcp::acceptor> bind_acceptor(asio::io_context& context, const tcp::endpoint& at) {
  auto acceptor = std::make_unique<tcp::acceptor>(context);
  boost::system::error_code ec;
  acceptor->open(at.protocol(), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  int one = 1;
  if (!ec &&
      ::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
    ec.assign(errno, boost::system::system_category());
  if (!ec) acceptor->bind(at, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail_to_listen(at, ec);
  return acceptor;
}

// SO_REUSEPORT lets the shards share the port, but it also lets any other process of the same
// user bind it: a second chorus would start and take a share of the connections. A socket bound
// without SO_REUSEPORT conflicts with every socket on the port, so binding one first tells
// whether the port is taken (SO_REUSEADDR: a port left in TIME_WAIT is free). It must be closed
// again before the shards bind, so a process that binds in the moment between the two (another
// chorus starting at the very same time) still gets in; that window is a few system calls long.
void check_port_free(asio::io_context& context, const tcp::endpoint& at) {
  tcp::acceptor probe(context);
  boost::system::error_code ec;
  probe.open(at.protocol(), ec);
  if (!ec) probe.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) probe.bind(at, ec);
  if (ec) fail_to_listen(at, ec);
}

// Polls (cheaply, on the shard) until the shard's sessions are gone — each polling client has
// fetched its close packet, each WebSocket has its close frame queued — or `give_up`, then lets
// the last writes leave and ends the loop.
void end_when_drained(shard& s, const engineio::session_registry& sessions,
                      std::shared_ptr<asio::steady_timer> timer,
                      std::chrono::steady_clock::time_point give_up) {
  timer->expires_after(std::chrono::milliseconds(10));
  timer->async_wait([&s, &sessions, timer, give_up](boost::system::error_code) {
    if (sessions.size() > 0 && std::chrono::steady_clock::now() < give_up)
      return end_when_drained(s, sessions, timer, give_up);
    timer->expires_after(final_flush);
    timer->async_wait([&s, timer](boost::system::error_code) { s.context().stop(); });
  });
}

}  // namespace

server::server(server_config config, session_handler_factory factory) : config_(std::move(config)) {
  site_.fallback = [](const http::request& req) { return http::make_not_found(req); };

  unsigned count =
      config_.threads ? config_.threads : std::max(1u, std::thread::hardware_concurrency());
  count = std::min(count, 4096u);  // the sid names the shard in two base64 characters
  guard_ = std::make_unique<guard::connection_guard>(guard::connection_limits{
      config_.max_connections ? config_.max_connections : default_max_connections(),
      config_.max_connections_per_ip, config_.handshakes_per_second_per_ip});
  over_limit_reserve_ = std::make_unique<guard::connection_guard>(
      guard::connection_limits{.max_connections = http::over_limit_reserve});
  auto services = std::make_shared<engineio::endpoint_services>();
  for (unsigned i = 0; i < count; ++i) {
    shards_.push_back(std::make_unique<shard>(i, config_));
    sessions_.push_back(std::make_unique<engineio::session_registry>());
    services->shards.push_back(shards_.back().get());
    services->sessions.push_back(sessions_.back().get());
  }
  services->guard = guard_.get();
  services->make_handler = [this, factory = std::move(factory)](shard& home) {
    return factory(home, *this);
  };
  site_.router.add(engineio::make_route(config_, std::move(services)));
  ops::add_ops_routes(site_.router, *this);
  if (config_.recovery.enabled())
    recovery_ = std::make_unique<recovery::state_recovery>(config_.recovery);
  adapter_ = std::make_unique<fanout::local_adapter>(hubs(), recovery_.get());
}

std::vector<fanout::shard_hub*> server::hubs() {
  std::vector<fanout::shard_hub*> all;
  all.reserve(shards_.size());
  for (auto& s : shards_) all.push_back(&s->hub());
  return all;
}

void server::set_adapter(std::unique_ptr<fanout::adapter> adapter) {
  adapter_ = std::move(adapter);
}

server::~server() {
  if (!threads_.empty()) {
    stop();
    wait();
  }
}

void server::start() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(config_.host, ec);
  if (ec) throw listen_error(fmt::format("cannot listen on {}: not an IP address", config_.host));
  tcp::endpoint at(address, config_.port);
  // With port 0 the first shard picks a free port: nobody else has it.
  if (at.port() != 0) check_port_free(shards_.front()->context(), at);
  for (auto& s : shards_) {
    acceptors_.push_back(bind_acceptor(s->context(), at));
    if (at.port() == 0) at.port(acceptors_.front()->local_endpoint().port());
  }
  port_ = at.port();
  for (unsigned i = 0; i < shards_.size(); ++i) {
    shard& s = *shards_[i];
    asio::co_spawn(s.executor(), accept_loop(*this, s, *acceptors_[i]),
                   log_exceptions{"accept loop"});
    threads_.emplace_back([this, &s] {
      try {
        s.context().run();
      } catch (const std::exception& e) {
        spdlog::critical("shard {} stopped: {}", s.index(), e.what());
      }
      std::lock_guard lock(finished_mutex_);
      ++finished_;
      finished_changed_.notify_all();
    });
  }
  accepting_.store(true, std::memory_order_release);
}

void server::close_every_shard(void (*then)(shard&, const engineio::session_registry&)) {
  draining_.store(true, std::memory_order_release);
  for (unsigned i = 0; i < shards_.size(); ++i) {
    shard& s = *shards_[i];
    engineio::session_registry& sessions = *sessions_[i];
    tcp::acceptor& acceptor = *acceptors_[i];
    asio::post(s.context(), [&s, &sessions, &acceptor, then] {
      boost::system::error_code ignored;
      acceptor.close(ignored);
      sessions.close_all(disconnect_reason::server_shutting_down);
      then(s, sessions);
    });
  }
}

void server::stop() {
  close_every_shard([](shard& s, const engineio::session_registry&) {
    // Give queued writes and close frames a moment, then end the loop for good.
    auto grace = std::make_shared<asio::steady_timer>(s.context(), std::chrono::milliseconds(500));
    grace->async_wait([&s, grace](boost::system::error_code) { s.context().stop(); });
  });
}

void server::begin_drain() {
  close_every_shard([](shard& s, const engineio::session_registry& sessions) {
    end_when_drained(s, sessions, std::make_shared<asio::steady_timer>(s.context()),
                     std::chrono::steady_clock::now() + polling_grace);
  });
}

bool server::wait_for(std::chrono::milliseconds bound) {
  std::unique_lock lock(finished_mutex_);
  return finished_changed_.wait_for(lock, bound, [this] { return finished_ == threads_.size(); });
}

void server::stop_now() {
  for (auto& s : shards_) s->context().stop();
}

void server::wait() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

std::size_t default_max_connections() {
  // Room for what is not a client: the listeners, the database, logs, a TLS tunnel's pairs.
  constexpr rlim_t reserve = 64;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  return limit.rlim_cur > 2 * reserve ? limit.rlim_cur - reserve : limit.rlim_cur / 2;
}

void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace chorus::server
