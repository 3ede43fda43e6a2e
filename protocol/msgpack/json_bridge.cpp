#include "protocol/msgpack/json_bridge.hpp"

#include <msgpuck.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "protocol/json/escape.hpp"
#include "protocol/json/js_date.hpp"
#include "protocol/json/js_keys.hpp"
#include "protocol/json/js_number.hpp"
#include "protocol/json/placeholder.hpp"
#include "protocol/json/utf8_repair.hpp"
#include "protocol/msgpack/ext.hpp"
#include "protocol/msgpack/writer.hpp"

namespace chorus::protocol::msgpack {
namespace {

using error = std::optional<bridge_error>;

// One walk over a value already passed by mp_check: writes JSON when json_ is set, else only
// checks. Every read is checked against end_ again (see the header on mp_check's counter).
class walker {
 public:
  walker(const char* end, std::size_t depth_limit, std::string* json,
         std::vector<std::string>* attachments)
      : end_(end),
        depth_limit_(depth_limit),
        json_(json),
        attachments_(attachments),
        attachments_base_(attachments ? attachments->size() : 0) {}

  // The value at *p, inside `level` containers.
  error value(const char** p, std::size_t level) {
    if (*p >= end_) return bridge_error::truncated;
    const char c = **p;
    switch (mp_typeof(c)) {
      case MP_NIL:
        ++*p;
        write("null");
        return {};
      case MP_BOOL:
        write(mp_decode_bool(p) ? "true" : "false");
        return {};
      case MP_UINT:
      case MP_INT:
      case MP_FLOAT:
      case MP_DOUBLE: {
        double number = 0;
        if (auto e = read_number(p, number)) return e;
        if (json_) json::append_json_number(*json_, number);
        return {};
      }
      case MP_STR: {
        std::string_view text;
        if (auto e = read_str(p, text)) return e;
        if (json_) append_text(text);
        return {};
      }
      case MP_BIN: {
        if (mp_check_binl(*p, end_) > 0) return bridge_error::truncated;
        const std::uint32_t length = mp_decode_binl(p);
        if (length > left(*p)) return bridge_error::truncated;
        add_attachment(std::string_view(*p, length));
        *p += length;
        return {};
      }
      case MP_ARRAY:
        return array(p, level + 1);
      case MP_MAP:
        return map(p, level + 1);
      case MP_EXT:
        return ext(p);
    }
    return bridge_error::reserved_byte;
  }

 private:
  std::size_t left(const char* p) const { return static_cast<std::size_t>(end_ - p); }

  void write(std::string_view text) {
    if (json_) *json_ += text;
  }

  void append_text(std::string_view bytes) {
    std::string repaired;
    json::append_quoted(*json_, json::repair_utf8(bytes, repaired) ? repaired : bytes);
  }

  // Where a placeholder's num is written, so that a map put back in JS's order can renumber
  // its placeholders: sites_[i] is the placeholder of attachments_[attachments_base_ + i].
  struct site {
    std::size_t at;      // offset of the digits in *json_
    std::size_t length;  // how many digits
  };

  static std::size_t append_number(std::string& out, std::size_t n) {
    char digits[24];
    const auto [digits_end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, digits_end);
    return static_cast<std::size_t>(digits_end - digits);
  }

  void add_attachment(std::string_view bytes) {
    if (!json_) return;
    *json_ += R"({"_placeholder":true,"num":)";
    const std::size_t at = json_->size();
    sites_.push_back({at, append_number(*json_, attachments_->size())});
    attachments_->emplace_back(bytes);
    *json_ += '}';
  }

  error read_number(const char** p, double& number) {
    const std::optional<double> n = read_js_number(p, end_);
    if (!n) return bridge_error::truncated;
    number = *n;
    return {};
  }

  error read_str(const char** p, std::string_view& text) {
    if (mp_check_strl(*p, end_) > 0) return bridge_error::truncated;
    const std::uint32_t length = mp_decode_strl(p);
    if (length > left(*p)) return bridge_error::truncated;
    text = std::string_view(*p, length);
    *p += length;
    return {};
  }

  error ext(const char** p) {
    if (static_cast<unsigned char>(**p) == 0xc1) return bridge_error::reserved_byte;
    const std::optional<notepack_ext> ext = read_notepack_ext(p, end_);
    if (!ext) return bridge_error::truncated;
    switch (ext->kind) {
      case ext_kind::undefined:
        write("null");  // in an array or at the top; a map leaves the key out before this
        return {};
      case ext_kind::binary:
        add_attachment(ext->data);
        return {};
      case ext_kind::date:
        if (json_) json::append_js_date_json(*json_, ext->time_value);
        return {};
      case ext_kind::unknown:
        break;
    }
    return bridge_error::unknown_ext;
  }

  error array(const char** p, std::size_t level) {
    if (level > depth_limit_) return bridge_error::too_deep;
    if (mp_check_array(*p, end_) > 0) return bridge_error::truncated;
    const std::uint32_t count = mp_decode_array(p);
    if (count > left(*p)) return bridge_error::truncated;  // every element takes a byte
    write("[");
    for (std::uint32_t i = 0; i < count; ++i) {
      if (i > 0) write(",");
      if (auto e = value(p, level)) return e;
    }
    write("]");
    return {};
  }

  // A map key as the property name JS makes of it.
  error read_key(const char** p, std::string& key) {
    if (*p >= end_) return bridge_error::truncated;
    switch (mp_typeof(**p)) {
      case MP_STR: {
        std::string_view text;
        if (auto e = read_str(p, text)) return e;
        if (!json::repair_utf8(text, key)) key.assign(text);
        if (key == "__proto__") return bridge_error::proto_key;
        return {};
      }
      case MP_UINT:
      case MP_INT:
      case MP_FLOAT:
      case MP_DOUBLE: {
        double number = 0;
        if (auto e = read_number(p, number)) return e;
        json::append_js_number(key, number);
        return {};
      }
      case MP_NIL:
        ++*p;
        key = "null";
        return {};
      case MP_BOOL:
        key = mp_decode_bool(p) ? "true" : "false";
        return {};
      case MP_EXT: {
        if (static_cast<unsigned char>(**p) == 0xc1) return bridge_error::reserved_byte;
        const std::optional<notepack_ext> ext = read_notepack_ext(p, end_);
        if (!ext) return bridge_error::truncated;
        if (ext->kind == ext_kind::unknown) return bridge_error::unknown_ext;
        if (ext->kind != ext_kind::undefined) return bridge_error::bad_key;
        key = "undefined";
        return {};
      }
      default:  // bin, array, map
        return bridge_error::bad_key;
    }
  }

  // A map entry as written: `"key":value` at [start, end) of *json_, with the attachments
  // (and placeholder sites) [first_attachment, end_attachment).
  struct entry {
    std::string key;
    bool undefined = false;  // written as nothing
    std::size_t start = 0, end = 0;
    std::size_t first_attachment = 0, end_attachment = 0;
  };

  error map(const char** p, std::size_t level) {
    if (level > depth_limit_) return bridge_error::too_deep;
    if (mp_check_map(*p, end_) > 0) return bridge_error::truncated;
    const std::uint32_t count = mp_decode_map(p);
    if (count > left(*p) / 2) return bridge_error::truncated;  // every entry takes two bytes
    if (!json_) {
      std::string key;
      for (std::uint32_t i = 0; i < count; ++i) {
        key.clear();
        if (auto e = read_key(p, key)) return e;
        if (auto e = value(p, level)) return e;
      }
      return {};
    }
    // Written as it comes; put in JS's order afterwards in the rare case the keys are not in
    // it, by moving what was written (never by writing it again: nested maps would double).
    const std::size_t open = json_->size();
    std::vector<entry> entries;
    entries.reserve(std::min<std::uint32_t>(count, 16));
    *json_ += '{';
    for (std::uint32_t i = 0; i < count; ++i) {
      entry e;
      if (auto err = read_key(p, e.key)) return err;
      e.undefined = is_undefined(*p, end_);
      e.first_attachment = attachments_->size();
      if (e.undefined) {
        *p += 3;
        e.start = e.end = json_->size();
      } else {
        if (json_->size() > open + 1) *json_ += ',';
        e.start = json_->size();
        json::append_quoted(*json_, e.key);
        *json_ += ':';
        if (auto err = value(p, level)) return err;
        e.end = json_->size();
      }
      e.end_attachment = attachments_->size();
      entries.push_back(std::move(e));
    }
    std::vector<std::string_view> keys;
    keys.reserve(entries.size());
    for (const entry& e : entries) keys.push_back(e.key);
    if (const auto order = json::js_key_order(keys)) {
      reorder(open, entries, *order);
    }
    *json_ += '}';
    return {};
  }

  // Rewrites the map opened at `open` with its entries in `order` (undefined ones left out),
  // the attachments in the new document order and each placeholder renumbered to match.
  void reorder(std::size_t open, const std::vector<entry>& entries,
               const std::vector<std::size_t>& order) {
    const std::size_t first =
        entries.empty() ? attachments_->size() : entries.front().first_attachment;
    std::string text = "{";
    std::vector<std::string> attachments;
    std::vector<site> sites;
    for (const std::size_t index : order) {
      const entry& e = entries[index];
      if (e.undefined) continue;
      if (text.size() > 1) text += ',';
      std::size_t copied = e.start;
      for (std::size_t a = e.first_attachment; a < e.end_attachment; ++a) {
        const site& old = sites_[a - attachments_base_];
        text.append(*json_, copied, old.at - copied);
        const std::size_t at = open + text.size();
        sites.push_back({at, append_number(text, first + attachments.size())});
        attachments.push_back(std::move((*attachments_)[a]));
        copied = old.at + old.length;
      }
      text.append(*json_, copied, e.end - copied);
    }
    json_->resize(open);
    *json_ += text;
    attachments_->resize(first);
    for (std::string& a : attachments) attachments_->push_back(std::move(a));
    sites_.resize(first - attachments_base_);
    sites_.insert(sites_.end(), sites.begin(), sites.end());
  }

  const char* end_;
  std::size_t depth_limit_;
  std::string* json_;
  std::vector<std::string>* attachments_;
  std::size_t attachments_base_;
  std::vector<site> sites_;
};

// notepack.io 3's number cases: integral and finite → the smallest int form, else float64.
// Past ±2^64 (uint64) and -2^63 (int64) notepack writes wrapped bytes; chorus writes float64.
void put_number(std::string& out, double value) {
  constexpr double two_to_64 = 18446744073709551616.0;
  constexpr double minus_two_to_63 = -9223372036854775808.0;
  if (std::isfinite(value) && std::floor(value) == value) {
    if (value >= 0 && value < two_to_64) {  // -0 too, as 0
      put(out, max_header,
          [&](char* p) { return mp_encode_uint(p, static_cast<std::uint64_t>(value)); });
      return;
    }
    if (value < 0 && value >= minus_two_to_63) {
      put(out, max_header,
          [&](char* p) { return mp_encode_int(p, static_cast<std::int64_t>(value)); });
      return;
    }
  }
  put(out, max_header, [&](char* p) { return mp_encode_double(p, value); });
}

bool put_checked_str(std::string& out, std::string_view text) {
  if (text.size() > UINT32_MAX) return false;
  put_str(out, text);
  return true;
}

class json_writer {
 public:
  json_writer(const std::vector<std::string>& attachments, std::size_t depth_limit)
      : attachments_(attachments), depth_limit_(depth_limit) {}

  bool value(simdjson::dom::element value, std::string& out, std::size_t level) {
    using type = simdjson::dom::element_type;
    switch (value.type()) {
      case type::ARRAY:
        return array(value.get_array().value_unsafe(), out, level + 1);
      case type::OBJECT:
        return object(value.get_object().value_unsafe(), out, level + 1);
      case type::INT64:  // JSON.parse makes every number a double
        put_number(out, static_cast<double>(value.get_int64().value_unsafe()));
        return true;
      case type::UINT64:
        put_number(out, static_cast<double>(value.get_uint64().value_unsafe()));
        return true;
      case type::DOUBLE:
        put_number(out, value.get_double().value_unsafe());
        return true;
      case type::STRING:
        return put_checked_str(out, value.get_string().value_unsafe());
      case type::BOOL:
        put_bool(out, value.get_bool().value_unsafe());
        return true;
      case type::NULL_VALUE:
        put_nil(out);
        return true;
    }
    return false;
  }

 private:
  bool array(simdjson::dom::array array, std::string& out, std::size_t level) {
    if (level > depth_limit_) return false;
    const std::size_t count = array.size();
    if (count > UINT32_MAX) return false;
    put_array(out, static_cast<std::uint32_t>(count));
    for (const simdjson::dom::element element : array) {
      if (!value(element, out, level)) return false;
    }
    return true;
  }

  bool object(simdjson::dom::object object, std::string& out, std::size_t level) {
    // A placeholder is a leaf (bin) in msgpack, as the walker reads it: not a level deeper.
    const json::placeholder_ref placeholder = json::find_placeholder(object, attachments_.size());
    if (placeholder.kind == json::placeholder_kind::invalid) return false;
    if (placeholder.kind == json::placeholder_kind::valid) {
      const std::string& bytes = attachments_[placeholder.num];
      if (bytes.size() > UINT32_MAX) return false;
      put_bin(out, bytes);
      return true;
    }
    if (level > depth_limit_) return false;
    std::vector<std::string_view> keys;
    std::vector<simdjson::dom::element> values;
    for (const auto field : object) {
      keys.push_back(field.key);
      values.push_back(field.value);
    }
    const auto order = json::js_key_order(keys);
    const std::size_t count = order ? order->size() : keys.size();
    if (count > UINT32_MAX) return false;
    put_map(out, static_cast<std::uint32_t>(count));
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t index = order ? (*order)[i] : i;
      if (!put_checked_str(out, keys[index]) || !value(values[index], out, level)) return false;
    }
    return true;
  }

  const std::vector<std::string>& attachments_;
  std::size_t depth_limit_;
};

// What mp_check says of the value at cursor: its end, or nullptr.
const char* checked_end(const char* cursor, const char* end) {
  if (cursor >= end) return nullptr;
  const char* p = cursor;
  return mp_check(&p, end) == 0 ? p : nullptr;
}

}  // namespace

std::optional<double> read_js_number(const char** cursor, const char* end) {
  const char* p = *cursor;
  if (p >= end) return std::nullopt;
  double number = 0;
  switch (mp_typeof(*p)) {
    case MP_UINT:
      if (mp_check_uint(p, end) > 0) return std::nullopt;
      number = static_cast<double>(mp_decode_uint(&p));
      break;
    case MP_INT:
      if (mp_check_int(p, end) > 0) return std::nullopt;
      number = static_cast<double>(mp_decode_int(&p));
      break;
    case MP_FLOAT:
      if (mp_check_float(p, end) > 0) return std::nullopt;
      number = mp_decode_float(&p);
      break;
    case MP_DOUBLE:
      if (mp_check_double(p, end) > 0) return std::nullopt;
      number = mp_decode_double(&p);
      break;
    default:
      return std::nullopt;
  }
  *cursor = p;
  return number;
}

const char* to_string(bridge_error error) {
  switch (error) {
    case bridge_error::truncated:
      return "truncated msgpack";
    case bridge_error::reserved_byte:
      return "reserved msgpack byte 0xc1";
    case bridge_error::too_deep:
      return "msgpack nested too deep";
    case bridge_error::unknown_ext:
      return "unknown ext type";
    case bridge_error::bad_key:
      return "map key is not a string or number";
    case bridge_error::proto_key:
      return "map key __proto__";
  }
  return "unknown error";
}

std::optional<bridge_error> append_json(const char** cursor, const char* end, std::string& json,
                                        std::vector<std::string>& attachments,
                                        std::size_t depth_limit) {
  const char* value_end = checked_end(*cursor, end);
  if (!value_end) return bridge_error::truncated;
  const std::size_t json_mark = json.size();
  const std::size_t attachments_mark = attachments.size();
  walker w(value_end, depth_limit, &json, &attachments);
  const char* p = *cursor;
  std::optional<bridge_error> e = w.value(&p, 0);
  if (!e && p != value_end) e = bridge_error::truncated;
  if (e) {
    json.resize(json_mark);
    attachments.resize(attachments_mark);
    return e;
  }
  *cursor = p;
  return {};
}

std::optional<bridge_error> skip_value(const char** cursor, const char* end,
                                       std::size_t depth_limit) {
  const char* value_end = checked_end(*cursor, end);
  if (!value_end) return bridge_error::truncated;
  walker w(value_end, depth_limit, nullptr, nullptr);
  const char* p = *cursor;
  if (auto e = w.value(&p, 0)) return e;
  if (p != value_end) return bridge_error::truncated;
  *cursor = p;
  return {};
}

bool is_undefined(const char* cursor, const char* end) {
  return end - cursor >= 3 && static_cast<unsigned char>(cursor[0]) == 0xd4 && cursor[1] == 0;
}

bool append_msgpack(simdjson::dom::element value, const std::vector<std::string>& attachments,
                    std::string& out, std::size_t depth_limit) {
  const std::size_t mark = out.size();
  json_writer writer(attachments, depth_limit);
  if (writer.value(value, out, 0)) return true;
  out.resize(mark);
  return false;
}

}  // namespace chorus::protocol::msgpack
