#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "server/socketio/ack.hpp"

namespace chorus::server::socketio {

// An event a client sent, as its handler sees it. Views are valid during the handler call.
class event {
 public:
  event(std::string_view name, simdjson::dom::array array, std::string_view args_json,
        std::vector<std::string>& attachments, ack_sender ack)
      : name_(name), array_(array), args_json_(args_json), attachments_(attachments), ack_(ack) {}

  std::string_view name() const { return name_; }
  // The arguments after the name, as the client wrote them: comma-separated JSON elements.
  std::string_view args_json() const { return args_json_; }
  std::size_t arg_count() const { return array_.size() - 1; }
  // The i-th argument after the name, parsed.
  simdjson::dom::element arg(std::size_t i) const {
    auto found = array_.at(i + 1);
    return found.error() ? simdjson::dom::element() : found.value_unsafe();
  }
  std::vector<std::string>& attachments() const { return attachments_; }

  bool wants_ack() const { return static_cast<bool>(ack_); }
  // Answers the client's ack (once); keep a copy of ack_sender() to answer later.
  void ack(std::string_view args_json = {}, std::vector<std::string> attachments = {}) const {
    ack_(args_json, std::move(attachments));
  }
  const ack_sender& ack_sender_ref() const { return ack_; }

 private:
  std::string_view name_;
  simdjson::dom::array array_;
  std::string_view args_json_;
  std::vector<std::string>& attachments_;
  ack_sender ack_;
};

}  // namespace chorus::server::socketio
