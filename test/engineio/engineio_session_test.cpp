// An Engine.IO session driven through a stub transport (packet_transport) and a stub handler on
// a shard of its own, its loop run by the test: the heartbeat (ping, pong, timeout),
// the client's packets, close reasons and the close codes the transport gets, the upgrade probe
// (ping probe, pong probe, the held GET's noop, upgrade, failure, timeout) and the long-polling
// GET/POST rules (one GET at a time, payload encoding, bad payloads, transport mismatches, the
// close packet), with no socket anywhere.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/engineio/session.hpp"
#include "server/engineio/session_registry.hpp"
#include "server/shard.hpp"

namespace chorus::server::engineio {
namespace {

namespace ws = protocol::websocket;
using namespace std::chrono_literals;

// What the session hands its transport.
struct stub_transport : packet_transport {
  std::vector<std::string> sent;  // each packet's Engine.IO bytes ("4hello", "2", ...)
  std::optional<ws::close_code> close_code;
  std::string close_reason;
  send_result answer = send_result::queued;
  void start(std::shared_ptr<transport_handler>) override {}
  send_result send(shared_packet packet, bool) override {
    sent.emplace_back(packet->payload());
    return answer;
  }
  void close(ws::close_code code, std::string_view reason) override {
    close_code = code;
    close_reason = reason;
  }
};

// What the session hands the layer above.
struct stub_handler : session_handler {
  int opened = 0;
  std::vector<std::string> messages;
  std::optional<disconnect_reason> closed;
  void on_open(session&) override { ++opened; }
  void on_message(session&, std::string_view data, bool) override { messages.emplace_back(data); }
  void on_close(session&, disconnect_reason reason) override { closed = reason; }
};

class engineio_session_test : public ::testing::Test {
 protected:
  static server_config config() {
    server_config c;
    c.threads = 1;
    // Long enough that no ping lands in a test that does not wait for one, on a loaded machine.
    c.ping_interval = 200ms;
    c.ping_timeout = 300ms;
    c.upgrade_timeout = 300ms;
    c.max_queued_bytes = 64;
    return c;
  }

  shard& home() { return home_; }

  // A started session, as the endpoint makes it: on transport_ for a WebSocket one.
  std::shared_ptr<session> open(transport_kind kind) {
    auto handler = std::make_unique<stub_handler>();
    handler_ = handler.get();
    auto created = std::make_shared<session>(home_, registry_, "sid-" + std::to_string(++opened_),
                                             kind, std::move(handler));
    registry_.add(created);
    if (kind == transport_kind::websocket) created->attach_websocket(transport_);
    created->start();
    return created;
  }
  std::shared_ptr<session> open_websocket() { return open(transport_kind::websocket); }

  // Runs the shard's loop until `done` holds or a bound passes (the bound only stops a broken
  // session from hanging the test; the assertions that follow decide).
  void run_until(const std::function<bool()>& done, std::chrono::milliseconds bound = 2s) {
    auto until = std::chrono::steady_clock::now() + bound;
    while (!done() && std::chrono::steady_clock::now() < until) {
      home().context().restart();
      home().context().run_for(5ms);
    }
  }
  void run_pending() {
    home().context().restart();
    home().context().poll();
  }

  // Starts a GET; its body lands in `body` (error in `error`) when it ends.
  void start_get(const std::shared_ptr<session>& s, std::optional<std::string>& body,
                 polling_error& error) {
    asio::co_spawn(home().executor(), s->poll(),
                   [&body, &error](std::exception_ptr, session::poll_result result) {
                     error = result.error;
                     body = std::move(result.body);
                   });
  }

  const server_config config_ = config();
  shard home_{0, config_};
  session_registry registry_;
  std::shared_ptr<stub_transport> transport_ = std::make_shared<stub_transport>();
  stub_handler* handler_ = nullptr;
  int opened_ = 0;
};

TEST_F(engineio_session_test, StartsTheHandlerAndCarriesPacketsBothWays) {
  auto s = open_websocket();
  EXPECT_EQ(handler_->opened, 1);
  s->on_transport_text(*transport_, "4hello");
  s->on_transport_binary(*transport_, "\x01\x02");
  ASSERT_EQ(handler_->messages.size(), 2u);
  EXPECT_EQ(handler_->messages[0], "hello");
  EXPECT_EQ(handler_->messages[1], "\x01\x02");
  s->send(make_text_packet("4back"));
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_EQ(transport_->sent[0], "4back");
}

TEST_F(engineio_session_test, PingsEveryIntervalWhileTheClientAnswers) {
  auto s = open_websocket();
  run_until([&] { return transport_->sent.size() == 1; });
  ASSERT_EQ(transport_->sent, std::vector<std::string>{"2"});
  s->on_transport_text(*transport_, "3");
  run_until([&] { return transport_->sent.size() == 2; });
  EXPECT_EQ(transport_->sent, (std::vector<std::string>{"2", "2"}));
  EXPECT_FALSE(s->closed());
  EXPECT_FALSE(handler_->closed);
}

TEST_F(engineio_session_test, ClosesWithPingTimeoutWhenNoPongComes) {
  auto s = open_websocket();
  run_until([&] { return s->closed(); });
  ASSERT_TRUE(s->closed());
  EXPECT_EQ(handler_->closed, disconnect_reason::ping_timeout);
  EXPECT_EQ(transport_->close_code, ws::close_code::normal);
  EXPECT_EQ(transport_->close_reason, "ping timeout");
  EXPECT_EQ(registry_.find(s->sid()), nullptr);  // a WebSocket session is gone at once
}

TEST_F(engineio_session_test, AnswersTheClientsPingWithItsData) {
  auto s = open_websocket();
  s->on_transport_text(*transport_, "2hi");
  EXPECT_EQ(transport_->sent, std::vector<std::string>{"3hi"});
}

TEST_F(engineio_session_test, TheClientsClosePacketIsATransportClose) {
  auto s = open_websocket();
  s->on_transport_text(*transport_, "1");
  EXPECT_EQ(handler_->closed, disconnect_reason::transport_close);
  EXPECT_EQ(transport_->close_code, ws::close_code::normal);
}

TEST_F(engineio_session_test, AnUnparsableOrMisplacedPacketIsAParseError) {
  for (std::string_view bad : {"x", "", "0{}", "5"}) {
    transport_ = std::make_shared<stub_transport>();
    auto s = open_websocket();
    s->on_transport_text(*transport_, bad);
    EXPECT_EQ(handler_->closed, disconnect_reason::parse_error) << "packet '" << bad << "'";
    EXPECT_EQ(transport_->close_code, ws::close_code::protocol_error) << "packet '" << bad << "'";
    EXPECT_EQ(transport_->close_reason, "parse error");
  }
}

TEST_F(engineio_session_test, TheTransportsEndEndsTheSessionWithItsReason) {
  auto s = open_websocket();
  s->on_transport_closed(*transport_, disconnect_reason::transport_error);
  EXPECT_EQ(handler_->closed, disconnect_reason::transport_error);
  EXPECT_TRUE(s->closed());
  EXPECT_EQ(registry_.find(s->sid()), nullptr);
}

TEST_F(engineio_session_test, ATransportOverItsBoundClosesTheSessionAfterTheCurrentHandler) {
  auto s = open_websocket();
  transport_->answer = send_result::over_bound;
  s->send(make_text_packet("4too much"));
  EXPECT_FALSE(s->closed());  // not from inside the send: the caller may be walking a room
  s->send(make_text_packet("4more"));
  EXPECT_EQ(transport_->sent.size(), 1u);  // an overflowed session takes nothing more
  run_pending();
  EXPECT_EQ(handler_->closed, disconnect_reason::write_queue_full);
  EXPECT_EQ(transport_->close_code, ws::close_code::policy_violation);
}

TEST_F(engineio_session_test, TheServersCloseUsesTheReasonsCloseCode) {
  auto s = open_websocket();
  s->close(disconnect_reason::server_shutting_down);
  EXPECT_EQ(transport_->close_code, ws::close_code::going_away);
  EXPECT_EQ(transport_->close_reason, "server shutting down");
}

TEST_F(engineio_session_test, UpgradesAPollingSessionThroughTheProbe) {
  auto s = open(transport_kind::polling);
  std::optional<std::string> body;
  polling_error error = polling_error::none;
  start_get(s, body, error);
  run_pending();
  EXPECT_FALSE(body);  // held: nothing queued
  ASSERT_TRUE(s->attach_probe(transport_));
  EXPECT_FALSE(s->can_upgrade());  // one probe at a time
  s->on_transport_text(*transport_, "2probe");
  EXPECT_EQ(transport_->sent, std::vector<std::string>{"3probe"});
  run_until([&] { return body.has_value(); });
  EXPECT_EQ(body, "6");  // the held GET is released with a noop
  s->send(make_text_packet("4queued while upgrading"));
  s->on_transport_text(*transport_, "5");
  EXPECT_EQ(s->transport(), transport_kind::websocket);
  EXPECT_EQ(transport_->sent, (std::vector<std::string>{"3probe", "4queued while upgrading"}));
  s->send(make_text_packet("4after"));
  EXPECT_EQ(transport_->sent.back(), "4after");
  // The session polls no more.
  start_get(s, body, error);
  run_pending();
  EXPECT_EQ(error, polling_error::transport_mismatch);
}

TEST_F(engineio_session_test, AProbeThatSendsAnythingElseIsClosedAndPollingGoesOn) {
  auto s = open(transport_kind::polling);
  ASSERT_TRUE(s->attach_probe(transport_));
  s->on_transport_text(*transport_, "4not a probe");
  EXPECT_EQ(transport_->close_code, ws::close_code::protocol_error);
  EXPECT_EQ(transport_->close_reason, "bad upgrade");
  EXPECT_EQ(s->transport(), transport_kind::polling);
  EXPECT_FALSE(s->closed());
  EXPECT_TRUE(s->can_upgrade());
}

TEST_F(engineio_session_test, AProbeThatNeverUpgradesIsClosedAtTheUpgradeTimeout) {
  auto s = open(transport_kind::polling);
  ASSERT_TRUE(s->attach_probe(transport_));
  s->on_transport_text(*transport_, "2probe");
  run_until([&] { return transport_->close_code.has_value(); });
  EXPECT_EQ(transport_->close_code, ws::close_code::policy_violation);
  EXPECT_EQ(transport_->close_reason, "upgrade timeout");
  EXPECT_EQ(s->transport(), transport_kind::polling);
}

TEST_F(engineio_session_test, AGetTakesEveryQueuedPacketAsOnePayload) {
  auto s = open(transport_kind::polling);
  s->send(make_text_packet("4a"));
  s->send(make_text_packet("4b"));
  s->send(make_binary_packet("\x01"));
  std::optional<std::string> body;
  polling_error error = polling_error::none;
  start_get(s, body, error);
  run_until([&] { return body.has_value(); });
  EXPECT_EQ(error, polling_error::none);
  EXPECT_EQ(body,
            "4a\x1e"
            "4b\x1e"
            "bAQ==");
}

TEST_F(engineio_session_test, ASecondGetWhileOneIsHeldClosesTheSession) {
  auto s = open(transport_kind::polling);
  std::optional<std::string> first, second;
  polling_error first_error = polling_error::none, second_error = polling_error::none;
  start_get(s, first, first_error);
  run_pending();
  start_get(s, second, second_error);
  run_until([&] { return first.has_value() && second.has_value(); });
  EXPECT_EQ(second_error, polling_error::concurrent_get);
  EXPECT_EQ(handler_->closed, disconnect_reason::transport_error);
  EXPECT_EQ(first, "1");  // the held GET hears the close
}

TEST_F(engineio_session_test, APostHandsEveryPacketOnAndABadOneIsAParseError) {
  auto s = open(transport_kind::polling);
  EXPECT_EQ(s->post("4one\x1e"
                    "4two"),
            polling_error::none);
  EXPECT_EQ(handler_->messages, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(s->post("4three\x1e"), polling_error::bad_payload);  // an empty packet after RS
  EXPECT_EQ(handler_->closed, disconnect_reason::parse_error);
}

TEST_F(engineio_session_test, APostWithTheClosePacketReleasesTheHeldGetWithANoop) {
  auto s = open(transport_kind::polling);
  std::optional<std::string> body;
  polling_error error = polling_error::none;
  start_get(s, body, error);
  run_pending();
  EXPECT_EQ(s->post("1"), polling_error::none);
  EXPECT_EQ(handler_->closed, disconnect_reason::transport_close);
  run_until([&] { return body.has_value(); });
  EXPECT_EQ(body, "6");
  EXPECT_EQ(registry_.find(s->sid()), nullptr);
}

TEST_F(engineio_session_test, PollingRequestsOnAWebSocketSessionAreATransportMismatch) {
  auto s = open_websocket();
  EXPECT_EQ(s->post("4x"), polling_error::transport_mismatch);
  std::optional<std::string> body;
  polling_error error = polling_error::none;
  start_get(s, body, error);
  run_until([&] { return body.has_value(); });
  EXPECT_EQ(error, polling_error::transport_mismatch);
  EXPECT_FALSE(s->closed());
}

TEST_F(engineio_session_test, AVolatilePacketPastTheBoundIsDroppedAndAnyOtherClosesTheSession) {
  auto s = open(transport_kind::polling);
  const std::string big = "4" + std::string(60, 'x');
  s->send(make_text_packet(big));
  s->send(make_text_packet(big), true);  // volatile: dropped, the session stays
  run_pending();
  EXPECT_FALSE(s->closed());
  s->send(make_text_packet(big));  // over the bound: closes
  run_pending();
  EXPECT_EQ(handler_->closed, disconnect_reason::write_queue_full);
}

TEST_F(engineio_session_test, AServerCloseLeavesTheClosePacketForTheNextGet) {
  auto s = open(transport_kind::polling);
  s->send(make_text_packet("4last words"));
  s->close(disconnect_reason::forced_close);
  std::optional<std::string> body;
  polling_error error = polling_error::none;
  start_get(s, body, error);
  run_until([&] { return body.has_value(); });
  EXPECT_EQ(body, "4last words");  // what was queued first, alone
  body.reset();
  start_get(s, body, error);
  run_until([&] { return body.has_value(); });
  EXPECT_EQ(body, "1");
  EXPECT_EQ(registry_.find(s->sid()), nullptr);
}

}  // namespace
}  // namespace chorus::server::engineio
