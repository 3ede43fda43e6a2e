#include "protocol/json/js_stringify.hpp"

#include <string_view>

#include "protocol/json/escape.hpp"
#include "protocol/json/js_keys.hpp"
#include "protocol/json/js_number.hpp"
#include "protocol/json/placeholder.hpp"

namespace chorus::protocol::json {
namespace {

class stringifier {
 public:
  stringifier(std::string& out, std::size_t depth_limit, const std::vector<std::string>* in,
              std::vector<std::string>* out_attachments)
      : out_(out), depth_limit_(depth_limit), in_(in), out_attachments_(out_attachments) {}

  bool value(simdjson::dom::element value, std::size_t level) {
    using type = simdjson::dom::element_type;
    switch (value.type()) {
      case type::ARRAY:
        return array(value.get_array().value_unsafe(), level + 1);
      case type::OBJECT:
        return object(value.get_object().value_unsafe(), level + 1);
      case type::INT64:
        append_js_number(out_, static_cast<double>(value.get_int64().value_unsafe()));
        return true;
      case type::UINT64:
        append_js_number(out_, static_cast<double>(value.get_uint64().value_unsafe()));
        return true;
      case type::DOUBLE:
        append_json_number(out_, value.get_double().value_unsafe());
        return true;
      case type::STRING:
        append_quoted(out_, value.get_string().value_unsafe());
        return true;
      case type::BOOL:
        out_ += value.get_bool().value_unsafe() ? "true" : "false";
        return true;
      case type::NULL_VALUE:
        out_ += "null";
        return true;
    }
    return false;
  }

 private:
  bool array(simdjson::dom::array array, std::size_t level) {
    if (level > depth_limit_) return false;
    out_ += '[';
    bool first = true;
    for (const simdjson::dom::element element : array) {
      if (!first) out_ += ',';
      first = false;
      if (!value(element, level)) return false;
    }
    out_ += ']';
    return true;
  }

  bool object(simdjson::dom::object object, std::size_t level) {
    if (level > depth_limit_) return false;
    if (in_ && out_attachments_) {
      const placeholder_ref placeholder = find_placeholder(object, in_->size());
      if (placeholder.kind == placeholder_kind::invalid) return false;
      if (placeholder.kind == placeholder_kind::valid) {
        out_ += R"({"_placeholder":true,"num":)";
        out_ += std::to_string(out_attachments_->size());
        out_ += '}';
        out_attachments_->push_back((*in_)[placeholder.num]);
        return true;
      }
    }
    std::vector<std::string_view> keys;
    std::vector<simdjson::dom::element> values;
    for (const auto field : object) {
      keys.push_back(field.key);
      values.push_back(field.value);
    }
    const auto order = js_key_order(keys);
    const std::size_t count = order ? order->size() : keys.size();
    out_ += '{';
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t index = order ? (*order)[i] : i;
      if (i > 0) out_ += ',';
      append_quoted(out_, keys[index]);
      out_ += ':';
      if (!value(values[index], level)) return false;
    }
    out_ += '}';
    return true;
  }

  std::string& out_;
  std::size_t depth_limit_;
  const std::vector<std::string>* in_;
  std::vector<std::string>* out_attachments_;
};

}  // namespace

bool append_js_json(simdjson::dom::element value, std::string& out, std::size_t depth_limit,
                    const std::vector<std::string>* attachments_in,
                    std::vector<std::string>* attachments_out) {
  const std::size_t mark = out.size();
  const std::size_t attachments_mark = attachments_out ? attachments_out->size() : 0;
  stringifier s(out, depth_limit, attachments_in, attachments_out);
  if (s.value(value, 0)) return true;
  out.resize(mark);
  if (attachments_out) attachments_out->resize(attachments_mark);
  return false;
}

}  // namespace chorus::protocol::json
