#include "server/admin/admin_service.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <any>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <future>
#include <limits>
#include <mutex>

#include "protocol/json/escape.hpp"
#include "server/admin/admin_json.hpp"
#include "server/admin/admin_login.hpp"
#include "server/admin/aggregated_events.hpp"
#include "server/admin/socket_reporter.hpp"
#include "server/ask_each.hpp"
#include "server/metrics/shard_census.hpp"
#include "server/node_services.hpp"
#include "server/shard.hpp"
#include "server/socketio/broadcast_operator.hpp"
#include "server/socketio/event.hpp"
#include "server/socketio/socket.hpp"

namespace chorus::server::admin {

struct admin_service::state {
  admin_options options;
  const socketio::application& app;
  std::unique_ptr<admin_login> login;         // null with --admin-auth off
  std::shared_ptr<socket_reporter> reporter;  // null in production mode
  node_services* node = nullptr;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::string hostname;
  aggregated_events events;  // shard 0's stats loop only
  // The stats loop's timer (shard 0's thread only), and what stop() waits for.
  asio::steady_timer* stats_timer = nullptr;
  bool stopping = false;  // shard 0's thread only
  std::promise<void> stats_loop_ended;
  // Where the logins' bcrypt runs (20-80 ms), so that no shard stalls meanwhile; one thread, as
  // logins are rare. Posted to only under the mutex while open: stop() closes it, then waits for
  // what was posted; a login after that runs its bcrypt on its shard. Null with auth off.
  struct password_pool {
    asio::thread_pool threads{1};
    std::mutex mutex;
    bool open = true;
  };
  std::unique_ptr<password_pool> passwords;
};

namespace {

using socketio::event;
using socketio::socket;
using state = admin_service::state;
using state_ptr = std::shared_ptr<state>;

constexpr const char* invalid_credentials = "invalid credentials";
// Bounds on what a command names: the UI sends short names; anything longer is refused.
constexpr std::size_t max_name = 1024;
constexpr std::chrono::seconds stats_interval{2};

std::string read_hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

std::string supported_features_json(const admin_options& options) {
  std::string out = R"({"supportedFeatures":[)";
  if (!options.readonly)
    out += R"("EMIT","JOIN","LEAVE","DISCONNECT","MJOIN","MLEAVE","MDISCONNECT",)";
  out += R"("AGGREGATED_EVENTS")";
  if (options.development) out += R"(,"ALL_EVENTS")";
  out += "]}";
  return out;
}

// A command's string argument `i`, bounded; nullopt when it is not one.
std::optional<std::string> string_arg(const event& e, std::size_t i) {
  std::string_view value;
  if (i >= e.arg_count() || e.arg(i).get_string().get(value) || value.empty() ||
      value.size() > max_name)
    return std::nullopt;
  return std::string(value);
}

// The sockets a command names: the namespace `nsp` (one the application serves), narrowed to
// the room or socket id `filter` when it is a string (absent, null or undefined: all of them).
std::optional<socketio::broadcast_operator> target_of(const state& st, const event& e,
                                                      std::size_t nsp_arg, std::size_t filter_arg) {
  auto nsp = string_arg(e, nsp_arg);
  if (!nsp || st.app.find(*nsp) == nullptr) return std::nullopt;
  socketio::broadcast_operator target(*st.node, nullptr, *nsp);
  if (filter_arg >= e.arg_count() || e.arg(filter_arg).is_null()) return target;
  auto room = string_arg(e, filter_arg);
  if (!room) return std::nullopt;  // a filter that is neither a name nor null
  target.to(*room);
  return target;
}

// Names socket.io keeps for itself: its server refuses to emit them and its client's decoder
// closes the connection (parse error) on receiving one.
bool is_reserved_event(std::string_view name) {
  for (std::string_view reserved :
       {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"})
    if (name == reserved) return true;
  return false;
}

// The login's bcrypt, on the password pool; completes on the awaiting coroutine's executor.
awaitable<bool> check_password(state_ptr shared, admin_login::password_check request) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(bool)>(
      [shared = std::move(shared), request = std::move(request)](auto handler) mutable {
        auto back = asio::get_associated_executor(handler);
        auto complete = [back](auto handler, bool ok) {
          asio::post(back,
                     [handler = std::move(handler), ok]() mutable { std::move(handler)(ok); });
        };
        auto& pool = *shared->passwords;
        std::lock_guard lock(pool.mutex);
        if (!pool.open) return complete(std::move(handler), shared->login->check(request));
        asio::post(pool.threads, [shared, request = std::move(request), complete,
                                  handler = std::move(handler)]() mutable {
          complete(std::move(handler), shared->login->check(request));
        });
      },
      asio::use_awaitable);
}

// Ends the password pool's thread once what was posted to it ran. Idempotent.
void close_password_pool(state& st) {
  auto& pool = *st.passwords;
  {
    std::lock_guard lock(pool.mutex);
    if (!pool.open) return;
    pool.open = false;
  }
  pool.threads.join();
}

void refuse(const socket& s, const event& e) {
  spdlog::debug("admin: {} from {} refused: bad arguments", e.name(), s.id());
}

// emit(nsp, filter, event, ...args)
void on_emit(const state& st, socket& s, const event& e) {
  auto target = target_of(st, e, 0, 1);
  auto name = string_arg(e, 2);
  if (!target || !name || is_reserved_event(*name)) return refuse(s, e);
  std::string args;
  for (std::size_t i = 3; i < e.arg_count(); ++i) {
    if (!args.empty()) args += ',';
    args += simdjson::minify(e.arg(i));
  }
  target->emit(*name, args);
}

// join(nsp, room, filter?) and leave(nsp, room, filter?)
void on_join_or_leave(const state& st, socket& s, const event& e, bool join) {
  auto target = target_of(st, e, 0, 2);
  auto room = string_arg(e, 1);
  if (!target || !room) return refuse(s, e);
  if (join)
    target->sockets_join({*room});
  else
    target->sockets_leave({*room});
}

// _disconnect(nsp, close, filter?)
void on_disconnect_command(const state& st, socket& s, const event& e) {
  auto target = target_of(st, e, 0, 2);
  bool close = false;
  if (!target || e.arg_count() < 2 || e.arg(1).get_bool().get(close)) return refuse(s, e);
  target->disconnect_sockets(close);
}

// Development mode: every socket of every namespace, on every node, in one all_sockets.
awaitable<void> send_all_sockets(state_ptr st, std::shared_ptr<socket> admin) {
  std::string list = "[";
  for (const auto& nsp : st->app.namespace_names()) {
    auto fetched = socketio::broadcast_operator(*st->node, nullptr, nsp).fetch_sockets();
    auto sockets = co_await std::move(fetched);
    for (const auto& described : sockets) {
      if (list.size() > 1) list += ',';
      list += serialized_socket_json(nsp, described);
    }
  }
  list += ']';
  if (admin->connected()) admin->emit("all_sockets", list);
}

void on_admin_connection(const state_ptr& st, socket& s) {
  s.emit("config", supported_features_json(st->options));
  if (st->options.development)
    asio::co_spawn(s.executor(), send_all_sockets(st, s.shared_from_this()), asio::detached);
}

node_counters read_counters(node_services& node) {
  node_counters sum;
  for (unsigned i = 0; i < node.shard_count(); ++i) {
    const auto& m = node.shard_at(i).metrics();
    for (const auto& opened : m.sessions_opened) sum.connections += opened.value();
    for (std::size_t r = 0; r < sum.disconnections.size(); ++r)
      sum.disconnections[r] += m.session_closes[r].value();
    sum.packets_in += m.packets_in.value();
    sum.packets_out += m.packets_out.value();
    sum.bytes_in += m.bytes_in.value();
    sum.bytes_out += m.bytes_out.value();
  }
  return sum;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

awaitable<server_stats> gather_stats(state& st) {
  node_services& node = *st.node;
  server_stats stats;
  stats.server_id = st.options.server_id;
  stats.hostname = st.hostname;
  stats.pid = static_cast<long>(getpid());
  stats.uptime_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - st.started).count();
  for (const auto& nsp : st.app.namespace_names()) stats.namespaces.push_back({nsp, 0});
  std::vector<shard*> shards;
  for (unsigned i = 0; i < node.shard_count(); ++i) {
    auto& m = node.shard_at(i).metrics();
    auto polling = m.sessions_open[0].value();
    auto websocket = m.sessions_open[1].value();
    stats.polling_clients += static_cast<std::uint64_t>(std::max<std::int64_t>(0, polling));
    stats.clients += static_cast<std::uint64_t>(std::max<std::int64_t>(0, polling + websocket));
    shards.push_back(&node.shard_at(i));
  }
  auto asked = ask_each(
      shards, [](shard& s) { return metrics::take_census(s); },
      [&stats](const metrics::shard_census& census) {
        for (const auto& counted : census.namespaces) {
          auto it = std::find_if(stats.namespaces.begin(), stats.namespaces.end(),
                                 [&](const auto& n) { return n.name == counted.nsp; });
          if (it == stats.namespaces.end())
            stats.namespaces.push_back({counted.nsp, counted.sockets});
          else
            it->sockets += counted.sockets;
        }
      });
  co_await std::move(asked);
  co_return stats;
}

// Every second the counters are sampled (aggregatedEvents per second), every other second the
// figures go to the admin namespace on every node. Ends when shard 0's loop stops.
awaitable<void> stats_loop(state_ptr st) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  st->stats_timer = &timer;
  // Ends before the server stops (stop()): the census below waits on every shard, which must
  // all still run when it does.
  struct on_exit {
    state& st;
    ~on_exit() {
      st.stats_timer = nullptr;
      st.stats_loop_ended.set_value();
    }
  } ended{*st};
  st->events.sample(read_counters(*st->node), now_ms());
  for (unsigned tick = 0; !st->stopping; ++tick) {
    if (tick % stats_interval.count() == 0) {
      auto gathered = gather_stats(*st);
      server_stats stats = co_await std::move(gathered);
      stats.aggregated_events_json = st->events.take_json();
      socketio::broadcast_operator(*st->node, &st->node->shard_at(0),
                                   std::string(admin_service::nsp))
          .emit("server_stats", server_stats_json(stats));
    }
    timer.expires_after(std::chrono::seconds(1));
    auto [error] = co_await timer.async_wait(use_nothrow_awaitable);
    if (error) co_return;
    st->events.sample(read_counters(*st->node), now_ms());
  }
}

}  // namespace

admin_service::admin_service(admin_options options, socketio::application& app)
    : state_(std::make_shared<state>(state{std::move(options), app})) {
  auto& st = *state_;
  st.hostname = read_hostname();
  if (st.options.server_id.empty())
    st.options.server_id = fmt::format("{}#{}", st.hostname, static_cast<long>(getpid()));
  if (st.options.auth)
    st.login = std::make_unique<admin_login>(st.options.username, st.options.password_hash);
  auto& handlers = app.of(nsp);
  state_ptr shared = state_;
  if (st.login) {
    st.passwords = std::make_unique<state::password_pool>();
    // Asynchronous: what needs no bcrypt is decided here, the bcrypt runs on the password pool.
    handlers.use_async([shared](std::shared_ptr<socket> s,
                                std::string auth_json) -> awaitable<std::optional<std::string>> {
      auto next = shared->login->start(auth_json, s->address());
      std::optional<admin_login::granted> granted;
      if (auto* decided = std::get_if<std::optional<admin_login::granted>>(&next)) {
        granted = std::move(*decided);
      } else {
        auto request = std::get<admin_login::password_check>(std::move(next));
        bool ok = co_await check_password(shared, request);
        granted = shared->login->finish(request, ok);
      }
      if (!granted) co_return std::string(invalid_credentials);
      if (granted->is_new) {
        // Before the CONNECT reply, as upstream's middleware emits it: the client hands it on
        // before `connect`.
        std::string args;
        protocol::json::append_quoted(args, granted->session_id);
        s->emit_before_connect("session", args);
      }
      co_return std::nullopt;
    });
  }
  handlers.on_connection([shared](socket& s) { on_admin_connection(shared, s); });
  if (!st.options.readonly) {
    handlers.on("emit", [shared](socket& s, const event& e) { on_emit(*shared, s, e); });
    handlers.on("join",
                [shared](socket& s, const event& e) { on_join_or_leave(*shared, s, e, true); });
    handlers.on("leave",
                [shared](socket& s, const event& e) { on_join_or_leave(*shared, s, e, false); });
    handlers.on("_disconnect",
                [shared](socket& s, const event& e) { on_disconnect_command(*shared, s, e); });
  }
  // SerializedSocket's clientId and transport travel in socket.data._admin, as upstream's.
  app.expose_admin_data(true);
  if (st.options.development) {
    st.reporter = std::make_shared<socket_reporter>(std::string(nsp));
    app.observe(st.reporter);
  }
}

admin_service::~admin_service() {
  if (state_->passwords) close_password_pool(*state_);
}

void admin_service::attach(node_services& node) {
  state_->node = &node;
  if (state_->reporter) state_->reporter->attach(node);
}

void admin_service::start() {
  asio::co_spawn(state_->node->shard_at(0).executor(), stats_loop(state_), asio::detached);
  started_ = true;
}

void admin_service::stop() {
  if (state_->passwords) close_password_pool(*state_);
  if (!started_) return;
  started_ = false;
  auto ended = state_->stats_loop_ended.get_future();
  asio::post(state_->node->shard_at(0).executor(), [st = state_] {
    st->stopping = true;
    if (st->stats_timer) st->stats_timer->cancel();
  });
  // A census under way finishes first: bounded by the shards, which still run.
  if (ended.wait_for(std::chrono::seconds(5)) != std::future_status::ready)
    spdlog::warn("admin: the server_stats loop did not end within 5 s");
}

}  // namespace chorus::server::admin
