#include "server/metrics/exposition.hpp"

#include <fmt/format.h>

#include <cmath>

namespace chorus::server::metrics {
namespace {

std::string_view type_name(metric_type type) {
  switch (type) {
    case metric_type::counter:
      return "counter";
    case metric_type::gauge:
      return "gauge";
    case metric_type::histogram:
      return "histogram";
  }
  return "untyped";
}

// `{a="x",b="y"}`, with `extra` (the histogram's le) last; nothing when there are no labels.
void append_labels(std::string& out, const std::vector<label>& labels, const label* extra) {
  if (labels.empty() && !extra) return;
  out += '{';
  bool first = true;
  auto one = [&](const label& l) {
    if (!first) out += ',';
    first = false;
    out += l.name;
    out += "=\"";
    out += escape_label_value(l.value);
    out += '"';
  };
  for (const label& l : labels) one(l);
  if (extra) one(*extra);
  out += '}';
}

void append_line(std::string& out, std::string_view name, std::string_view suffix,
                 const std::vector<label>& labels, const label* extra, std::string_view value) {
  out += name;
  out += suffix;
  append_labels(out, labels, extra);
  out += ' ';
  out += value;
  out += '\n';
}

void append_histogram(std::string& out, const std::string& name, const histogram_sample& h) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.upper_bounds.size(); ++i) {
    if (i < h.bucket_counts.size()) cumulative += h.bucket_counts[i];
    label le{"le", format_value(h.upper_bounds[i])};
    append_line(out, name, "_bucket", h.labels, &le, fmt::format("{}", cumulative));
  }
  for (std::size_t i = h.upper_bounds.size(); i < h.bucket_counts.size(); ++i)
    cumulative += h.bucket_counts[i];
  label inf{"le", "+Inf"};
  append_line(out, name, "_bucket", h.labels, &inf, fmt::format("{}", cumulative));
  append_line(out, name, "_sum", h.labels, nullptr, format_value(h.sum));
  append_line(out, name, "_count", h.labels, nullptr, fmt::format("{}", cumulative));
}

std::string escape(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (quote && c == '"')
      out += "\\\"";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string escape_help(std::string_view text) {
  return escape(text, false);
}

std::string escape_label_value(std::string_view text) {
  return escape(text, true);
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Counters and gauges are mostly whole numbers: print them without an exponent up to 2^53.
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0)
    return fmt::format("{}", static_cast<std::int64_t>(value));
  return fmt::format("{}", value);
}

std::string write_exposition(std::span<const family> families) {
  std::string out;
  for (const family& f : families) {
    out += "# HELP ";
    out += f.name;
    out += ' ';
    out += escape_help(f.help);
    out += "\n# TYPE ";
    out += f.name;
    out += ' ';
    out += type_name(f.type);
    out += '\n';
    if (f.type == metric_type::histogram) {
      for (const histogram_sample& h : f.histograms) append_histogram(out, f.name, h);
      continue;
    }
    for (const sample& s : f.samples)
      append_line(out, f.name, "", s.labels, nullptr, format_value(s.value));
  }
  return out;
}

}  // namespace chorus::server::metrics
