#include "bench/client/html_report.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "bench/client/test/report_fixture.hpp"

namespace chorus::bench {
namespace {

// Checks that every element is closed in order (or self-closed), every attribute is quoted,
// and text holds no bare '<', '>' or '&' outside an entity. Returns the first problem.
std::string well_formed(const std::string& html) {
  static const std::regex tag(
      R"(^<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"<>]*")*)\s*(/?)>)");
  static const std::regex entity(R"(^&(amp|lt|gt|quot|#[0-9]+);)");
  std::vector<std::string> open;
  std::size_t pos = 0;
  if (html.rfind("<!DOCTYPE html>\n", 0) != 0) return "no doctype";
  pos = html.find('\n') + 1;
  while (pos < html.size()) {
    char ch = html[pos];
    if (ch == '<') {
      std::smatch m;
      std::string rest = html.substr(pos, 400);
      if (!std::regex_search(rest, m, tag)) return "bad tag at " + rest.substr(0, 60);
      std::string name = m[2];
      if (m[1] == "/") {
        if (open.empty() || open.back() != name) return "unbalanced </" + name + ">";
        open.pop_back();
      } else if (m[4] != "/") {
        open.push_back(name);
      }
      pos += m.length(0);
      continue;
    }
    if (ch == '>') return "bare > at " + html.substr(pos, 40);
    if (ch == '&') {
      std::smatch m;
      std::string rest = html.substr(pos, 12);
      if (!std::regex_search(rest, m, entity)) return "bare & at " + html.substr(pos, 40);
    }
    ++pos;
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return "";
}

std::size_t count(const std::string& text, std::string_view part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(HtmlReport, IsWellFormedAndHasItsCharts) {
  for (scenario s :
       {scenario::fanout, scenario::echo, scenario::connect, scenario::idle, scenario::churn}) {
    std::string html = format_html(sample_report(s));
    EXPECT_EQ(well_formed(html), "") << to_string(s);
    EXPECT_EQ(count(html, "<svg"), 3u) << to_string(s);  // latency, throughput, RSS
    EXPECT_NE(html.find("<title>chorus-bench " + std::string(to_string(s)) + "</title>"),
              std::string::npos);
    EXPECT_NE(html.find("Throughput over time"), std::string::npos);
    EXPECT_NE(html.find("class=\"bar\""), std::string::npos);
    EXPECT_NE(html.find("<polyline"), std::string::npos);  // RSS
    EXPECT_NE(html.find("p99.9"), std::string::npos);
  }
}

TEST(HtmlReport, NeedsNothingFromElsewhere) {
  std::string html = format_html(sample_report(scenario::echo));
  for (const char* external : {"http:", "https:", "src=", "href=", "@import", "url(", "<script"}) {
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  }
}

TEST(HtmlReport, EscapesWhatItQuotes) {
  auto r = sample_report(scenario::echo);
  r.options.reply_event = "<b>&\"x\"";
  std::string html = format_html(r);
  EXPECT_EQ(well_formed(html), "");
  EXPECT_NE(html.find("&lt;b&gt;&amp;&quot;x&quot;"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
}

TEST(HtmlReport, EmptyRunStillRenders) {
  run_report r;
  r.options.kind = scenario::connect;
  std::string html = format_html(r);
  EXPECT_EQ(well_formed(html), "");
  EXPECT_EQ(count(html, "<svg"), 2u);  // no RSS without a server pid
  EXPECT_NE(html.find("no samples"), std::string::npos);
}

TEST(HtmlReport, ReportsLoss) {
  auto r = sample_report(scenario::fanout);
  r.lost = 7;
  EXPECT_NE(format_html(r).find("7 deliveries lost"), std::string::npos);
}

TEST(HtmlReport, CheckerCatchesBrokenMarkup) {
  EXPECT_NE(well_formed("<!DOCTYPE html>\n<p><b></p></b>"), "");
  EXPECT_NE(well_formed("<!DOCTYPE html>\n<p>a > b</p>"), "");
  EXPECT_NE(well_formed("<!DOCTYPE html>\n<p>a & b</p>"), "");
  EXPECT_NE(well_formed("<!DOCTYPE html>\n<p class=x>a</p>"), "");
  EXPECT_NE(well_formed("<!DOCTYPE html>\n<div>"), "");
  EXPECT_EQ(well_formed("<!DOCTYPE html>\n<p a=\"1\">x &amp; y<br/></p>"), "");
}

}  // namespace
}  // namespace chorus::bench
