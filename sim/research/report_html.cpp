// The HTML page of the research report (report_html.hpp).
#include "sim/research/report_html.hpp"

#include <algorithm>

#include "sim/research/report_number.hpp"
#include "sim/research/svg_chart.hpp"

namespace craton::research {
namespace {

constexpr const char* kStyle =
    "body{font-family:sans-serif;margin:2em;max-width:1600px;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}"
    "th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}"
    "th:first-child,td:first-child{text-align:left}"
    "pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}"
    "figure{margin:1em 0;display:inline-block;vertical-align:top}"
    ".wide{overflow-x:auto}";

std::string figures_table(const std::vector<PolicySummary>& summaries, bool per_seed) {
  std::string out =
      "<div class=\"wide\"><table class=\"summary\">\n<tr><th>policy</th><th>seed</th>";
  for (const auto& field : figure_fields()) out += "<th>" + std::string(field.name) + "</th>";
  out += "</tr>\n";
  auto row = [&](const std::string& policy, const std::string& seed, const RunFigures& f) {
    out += "<tr><td>" + escape_markup(policy) + "</td><td>" + seed + "</td>";
    for (const auto& field : figure_fields())
      out += "<td>" + format_number(f.*field.field, 4) + "</td>";
    out += "</tr>\n";
  };
  for (const auto& s : summaries) {
    if (!per_seed)
      row(s.policy, s.per_seed.size() == 1 ? std::to_string(s.mean.seed) : "mean", s.mean);
    else
      for (const auto& f : s.per_seed) row(s.policy, std::to_string(f.seed), f);
  }
  return out + "</table></div>\n";
}

std::string record_section(const CompareRecord& record, const std::vector<RunResult>& runs) {
  std::string seeds;
  for (auto seed : record.seeds) seeds += (seeds.empty() ? "" : ", ") + std::to_string(seed);
  std::string out = "<h2>Reproducibility</h2>\n<table class=\"record\">\n";
  auto line = [&](const std::string& key, const std::string& value) {
    out += "<tr><th>" + key + "</th><td><code>" + escape_markup(value) + "</code></td></tr>\n";
  };
  line("craton version", runs.empty() ? "" : runs.front().run.craton_version);
  line("command", record.command_line);
  line("workload", record.workload_file);
  line("workload hash", record.workload_hash);
  line("seeds", seeds);
  out += "</table>\n";
  std::vector<std::string> shown;
  for (const auto& r : runs) {
    if (std::find(shown.begin(), shown.end(), r.run.policy) != shown.end()) continue;
    shown.push_back(r.run.policy);
    out += "<details><summary>policy " + escape_markup(r.run.policy) + " (" +
           escape_markup(r.run.config_file) + ")</summary>\n<pre>" +
           escape_markup(r.run.config_text) + "</pre></details>\n";
  }
  return out + "<p>The full record is <a href=\"run.json\">run.json</a>.</p>\n";
}

}  // namespace

std::string report_html(const std::vector<PolicySummary>& summaries,
                        const std::vector<ReportChart>& charts, const CompareRecord& record,
                        const std::vector<RunResult>& runs) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>craton research compare</title>\n<style>" +
      std::string(kStyle) + "</style>\n</head>\n<body>\n<h1>Policy comparison</h1>\n";
  out += "<p>Workload <code>" + escape_markup(record.workload_file) + "</code>, " +
         std::to_string(summaries.size()) + " policies, " + std::to_string(record.seeds.size()) +
         " seed(s). Figures as defined in docs/research.md (\"Comparing policies\"); "
         "the same in <a href=\"summary.json\">summary.json</a> and "
         "<a href=\"summary.csv\">summary.csv</a>.</p>\n";
  out += "<h2>Summary</h2>\n" + figures_table(summaries, false);
  if (!record.seeds.empty() && record.seeds.size() > 1)
    out += "<h2>Per seed</h2>\n" + figures_table(summaries, true);
  out += "<h2>Charts</h2>\n";
  for (const auto& chart : charts)
    out += "<figure id=\"" + escape_markup(chart.file) + "\">\n" + chart.svg + "<figcaption>" +
           escape_markup(chart.title) + " (<a href=\"charts/" + escape_markup(chart.file) + "\">" +
           escape_markup(chart.file) + "</a>)</figcaption>\n</figure>\n";
  out += record_section(record, runs);
  return out + "</body>\n</html>\n";
}

}  // namespace craton::research
