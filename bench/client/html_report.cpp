#include "bench/client/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <utility>
#include <vector>

namespace chorus::bench {

namespace {

constexpr int width = 760, height = 260;
constexpr int left = 70, right = 20, top = 20, bottom = 40;
constexpr int plot_w = width - left - right, plot_h = height - top - bottom;

std::string escape(std::string_view text) {
  std::string out;
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

// A round axis maximum at or above v: 1, 2 or 5 × 10^k.
double nice_ceiling(double v) {
  if (v <= 0) return 1;
  double base = std::pow(10.0, std::floor(std::log10(v)));
  for (double step : {1.0, 2.0, 5.0, 10.0}) {
    if (step * base >= v) return step * base;
  }
  return 10 * base;
}

std::string short_number(double v) {
  if (v >= 1e6) return fmt::format("{:.3g}M", v / 1e6);
  if (v >= 1e3) return fmt::format("{:.3g}k", v / 1e3);
  return fmt::format("{:.3g}", v);
}

std::string duration_label(double us) {
  if (us >= 1e6) return fmt::format("{:.3g} s", us / 1e6);
  if (us >= 1e3) return fmt::format("{:.3g} ms", us / 1e3);
  return fmt::format("{:.3g} µs", us);
}

std::string svg_open(std::string_view label) {
  return fmt::format(
      "<svg class=\"chart\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\" "
      "aria-label=\"{2}\">\n<rect x=\"{3}\" y=\"{4}\" width=\"{5}\" height=\"{6}\" "
      "class=\"plot\"/>\n",
      width, height, escape(label), left, top, plot_w, plot_h);
}

// Horizontal grid lines and labels for 0 … y_max.
void y_axis(std::string& svg, double y_max, std::string_view label) {
  for (int i = 0; i <= 4; ++i) {
    double value = y_max * i / 4;
    double y = top + plot_h - plot_h * i / 4.0;
    fmt::format_to(std::back_inserter(svg),
                   "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" class=\"grid\"/>\n"
                   "<text x=\"{}\" y=\"{:.1f}\" class=\"ylabel\">{}</text>\n",
                   left, y, left + plot_w, y, left - 6, y + 4, short_number(value));
  }
  fmt::format_to(
      std::back_inserter(svg),
      "<text x=\"14\" y=\"{}\" class=\"axis\" transform=\"rotate(-90 14 {})\">{}</text>\n",
      top + plot_h / 2, top + plot_h / 2, escape(label));
}

// The latency histogram on a log scale: buckets gathered into bins of equal ratio.
std::string latency_svg(const histogram& h, std::string_view what) {
  std::string svg = svg_open(fmt::format("{} histogram", what));
  if (h.count() == 0) {
    fmt::format_to(std::back_inserter(svg),
                   "<text x=\"{}\" y=\"{}\" class=\"axis\">no samples</text>\n", left + plot_w / 2,
                   top + plot_h / 2);
    return svg + "</svg>\n";
  }
  double lo_us = std::max(0.1, static_cast<double>(h.min()) / 1000.0);
  double hi_us = std::max(lo_us * 10, static_cast<double>(h.max()) / 1000.0);
  double lo = std::floor(std::log10(lo_us)), hi = std::ceil(std::log10(hi_us));
  if (hi <= lo) hi = lo + 1;
  constexpr int bins = 80;
  std::vector<std::uint64_t> counts(bins, 0);
  for (std::size_t b = 0; b < histogram::bucket_count; ++b) {
    std::uint64_t n = h.bucket(b);
    if (n == 0) continue;
    double mid_us = (static_cast<double>(histogram::bucket_lower(b)) +
                     static_cast<double>(histogram::bucket_upper(b))) /
                    2000.0;
    double pos = (std::log10(std::max(mid_us, 1e-3)) - lo) / (hi - lo);
    counts[std::clamp(static_cast<int>(pos * bins), 0, bins - 1)] += n;
  }
  double y_max = nice_ceiling(static_cast<double>(*std::max_element(counts.begin(), counts.end())));
  y_axis(svg, y_max, "count");
  double bar_w = static_cast<double>(plot_w) / bins;
  for (int i = 0; i < bins; ++i) {
    if (counts[i] == 0) continue;
    double bar_h = plot_h * static_cast<double>(counts[i]) / y_max;
    fmt::format_to(std::back_inserter(svg),
                   "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                   "class=\"bar\"><title>{}</title></rect>\n",
                   left + i * bar_w, top + plot_h - bar_h, std::max(1.0, bar_w - 1), bar_h,
                   counts[i]);
  }
  for (double decade = lo; decade <= hi; ++decade) {
    double x = left + plot_w * (decade - lo) / (hi - lo);
    fmt::format_to(std::back_inserter(svg),
                   "<text x=\"{:.1f}\" y=\"{}\" class=\"xlabel\">{}</text>\n", x, top + plot_h + 16,
                   duration_label(std::pow(10.0, decade)));
  }
  for (auto [p, name] : {std::pair{50.0, "p50"}, {99.0, "p99"}, {99.9, "p99.9"}}) {
    double v_us = static_cast<double>(h.percentile(p)) / 1000.0;
    double pos = (std::log10(std::max(v_us, 1e-3)) - lo) / (hi - lo);
    double x = left + plot_w * std::clamp(pos, 0.0, 1.0);
    bool near_right = pos > 0.75;  // label on the line's left, inside the chart
    fmt::format_to(std::back_inserter(svg),
                   "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"marker\"/>\n"
                   "<text x=\"{3:.1f}\" y=\"{4}\" class=\"marker-label\"{5}>{6} {7}</text>\n",
                   x, top, top + plot_h, near_right ? x - 3 : x + 3,
                   top + 12 + (p > 99 ? 14 : 0) + (p > 99.5 ? 14 : 0),
                   near_right ? " text-anchor=\"end\"" : "", name, escape(duration_label(v_us)));
  }
  fmt::format_to(std::back_inserter(svg), "<text x=\"{}\" y=\"{}\" class=\"axis\">{}</text>\n",
                 left + plot_w / 2, height - 4, escape(what));
  return svg + "</svg>\n";
}

// A series over time: bars (a rate per interval) or a line (a level).
std::string series_svg(const std::vector<std::pair<double, double>>& points, bool bars,
                       std::string_view y_label, std::string_view what) {
  std::string svg = svg_open(what);
  if (points.empty()) {
    fmt::format_to(std::back_inserter(svg),
                   "<text x=\"{}\" y=\"{}\" class=\"axis\">no samples</text>\n", left + plot_w / 2,
                   top + plot_h / 2);
    return svg + "</svg>\n";
  }
  double t_max = std::max(1.0, std::ceil(points.back().first));
  double v_max = 0;
  for (const auto& [t, v] : points) v_max = std::max(v_max, v);
  double y_max = nice_ceiling(v_max * 1.05);
  y_axis(svg, y_max, y_label);
  auto x_of = [&](double t) { return left + plot_w * t / t_max; };
  auto y_of = [&](double v) { return top + plot_h - plot_h * v / y_max; };
  if (bars) {
    double previous = 0;
    for (const auto& [t, v] : points) {
      double x0 = x_of(previous), x1 = x_of(t);
      fmt::format_to(std::back_inserter(svg),
                     "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                     "class=\"bar\"><title>{:.1f} s: {}</title></rect>\n",
                     x0, y_of(v), std::max(1.0, x1 - x0 - 1), top + plot_h - y_of(v), t,
                     short_number(v));
      previous = t;
    }
  } else {
    std::string line;
    for (const auto& [t, v] : points) {
      fmt::format_to(std::back_inserter(line), "{}{:.1f},{:.1f}", line.empty() ? "" : " ", x_of(t),
                     y_of(v));
    }
    fmt::format_to(std::back_inserter(svg), "<polyline points=\"{}\" class=\"line\"/>\n", line);
  }
  double step = nice_ceiling(t_max / 10);  // ticks on round seconds, at most ~10
  for (double t = 0; t <= t_max + 1e-9; t += step) {
    fmt::format_to(std::back_inserter(svg),
                   "<text x=\"{:.1f}\" y=\"{}\" class=\"xlabel\">{:g} s</text>\n", x_of(t),
                   top + plot_h + 16, std::round(t * 10) / 10);
  }
  fmt::format_to(std::back_inserter(svg), "<text x=\"{}\" y=\"{}\" class=\"axis\">{}</text>\n",
                 left + plot_w / 2, height - 4, escape(what));
  return svg + "</svg>\n";
}

constexpr std::string_view style =
    R"(body{font-family:sans-serif;margin:2em;color:#222;max-width:820px}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse}th,td{text-align:left;padding:2px 12px 2px 0;border-bottom:1px solid #eee}
th{font-weight:normal;color:#555}.plot{fill:#fafafa;stroke:#ccc}.grid{stroke:#e4e4e4}
.bar{fill:#4a7bd0}.line{fill:none;stroke:#c0392b;stroke-width:2}.marker{stroke:#c0392b;stroke-dasharray:4 3}
.marker-label{font-size:11px;fill:#c0392b}.xlabel{font-size:11px;text-anchor:middle;fill:#555}
.ylabel{font-size:11px;text-anchor:end;fill:#555}.axis{font-size:12px;text-anchor:middle;fill:#333}
.failed{color:#c0392b;font-weight:bold}pre{background:#f6f6f6;padding:8px;font-size:12px})";

}  // namespace

std::string format_html(const run_report& r) {
  const auto& o = r.options;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n";
  fmt::format_to(std::back_inserter(out), "<title>chorus-bench {}</title>\n<style>{}</style>\n",
                 to_string(o.kind), style);
  out += "</head>\n<body>\n";
  fmt::format_to(std::back_inserter(out), "<h1>chorus-bench: {}</h1>\n<p>{}</p>\n",
                 to_string(o.kind), escape(headline(r)));
  if (r.lost > 0) {
    fmt::format_to(std::back_inserter(out), "<p class=\"failed\">{} {} lost</p>\n", r.lost,
                   received_label(o.kind));
  }
  out += "<table>\n<tbody>\n";
  auto row = [&](std::string_view k, const std::string& v) {
    fmt::format_to(std::back_inserter(out), "<tr><th>{}</th><td>{}</td></tr>\n", escape(k),
                   escape(v));
  };
  const auto& h = r.latency_ns;
  row("measured", fmt::format("{:.3f} s", r.seconds));
  row(received_label(o.kind), fmt::format("{} of {} expected", r.received, r.expected));
  row(fmt::format("{}/s", received_label(o.kind)), fmt::format("{:.0f}", r.per_second()));
  row("lost", fmt::format("{}", r.lost));
  row(fmt::format("{} p50 / p90 / p99 / p99.9 / max", latency_label(o.kind)),
      fmt::format("{} / {} / {} / {} / {}", duration_label(h.percentile(50) / 1000.0),
                  duration_label(h.percentile(90) / 1000.0),
                  duration_label(h.percentile(99) / 1000.0),
                  duration_label(h.percentile(99.9) / 1000.0), duration_label(h.max() / 1000.0)));
  if (r.server_cpu_us) row("server CPU", fmt::format("{:.3f} s", *r.server_cpu_us / 1e6));
  if (r.servers.size() > 1) {
    for (const auto& s : r.servers) {
      std::string v =
          fmt::format("{} connections, {} {}", s.connections, s.received, received_label(o.kind));
      if (s.cpu_us) v += fmt::format(", CPU {:.3f} s", *s.cpu_us / 1e6);
      row(fmt::format("server {}", s.address), v);
    }
  }
  if (auto per = r.rss_per_connection_bytes()) {
    row("server RSS per connection", fmt::format("{:.0f} B", *per));
  }
  out += "</tbody>\n</table>\n";

  fmt::format_to(std::back_inserter(out), "<h2>{} histogram</h2>\n", escape(latency_label(o.kind)));
  out += latency_svg(h, fmt::format("{} (log scale)", latency_label(o.kind)));

  std::vector<std::pair<double, double>> rate, rss;
  double previous_t = 0;
  std::uint64_t previous = 0;
  for (const auto& s : r.samples) {
    double dt = s.t - previous_t;
    // The last, partial second is in the totals; as a rate over a sliver of time it is noise.
    if (dt > 0.25) rate.emplace_back(s.t, static_cast<double>(s.received - previous) / dt);
    previous_t = s.t;
    previous = s.received;
    if (s.server_rss_kib) rss.emplace_back(s.t, static_cast<double>(*s.server_rss_kib) / 1024.0);
  }
  fmt::format_to(std::back_inserter(out), "<h2>Throughput over time</h2>\n");
  out += series_svg(rate, true, fmt::format("{}/s", received_label(o.kind)), "seconds");
  if (!rss.empty()) {
    out += "<h2>Server RSS over time</h2>\n";
    out += series_svg(rss, false, "MiB", "seconds");
  }
  fmt::format_to(std::back_inserter(out), "<h2>Report</h2>\n<pre>{}</pre>\n",
                 escape(format_text(r)));
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace chorus::bench
