// The charts of the research report (report_charts.hpp).
#include "sim/research/report_charts.hpp"

#include <algorithm>

#include "sim/research/svg_chart.hpp"

namespace craton::research {
namespace {

// The CDF's points: at most kCdfPointsMax, evenly spaced over the sorted values.
constexpr std::size_t kCdfPointsMax = 500;

const RunResult* first_run_of(const std::vector<RunResult>& runs, const std::string& policy) {
  for (const auto& r : runs)
    if (r.run.policy == policy) return &r;
  return nullptr;
}

// One line per policy, a point per sample of its first run.
template <typename Point>
void add_sample_lines(LineChart& chart, const std::vector<RunResult>& runs,
                      const std::vector<PolicySummary>& policies, Point point) {
  for (const auto& s : policies) {
    ChartSeries series{s.policy, {}};
    if (const auto* run = first_run_of(runs, s.policy))
      for (const auto& sample : run->samples) series.points.push_back(point(sample));
    chart.series.push_back(std::move(series));
  }
}

// Over time, a dashed line marks the last submission: where the summary's end-of-run figures
// are read (run_figures.hpp). Every policy ran the same workload, so the first run tells it.
LineChart over_time(const std::vector<RunResult>& runs, const std::vector<PolicySummary>& policies,
                    double UsageSample::*field) {
  LineChart chart;
  chart.x_label = "simulated time (s)";
  if (!runs.empty() && !runs.front().pods.empty()) {
    double last_submit = 0;
    for (const auto& pod : runs.front().pods) last_submit = std::max(last_submit, pod.submit_s);
    chart.marker_x = last_submit;
    chart.marker_label = "last submission";
  }
  add_sample_lines(chart, runs, policies, [field](const UsageSample& sample) {
    return ChartPoint{sample.t_s, sample.*field};
  });
  return chart;
}

ReportChart allocation(const std::vector<RunResult>& runs,
                       const std::vector<PolicySummary>& policies, const std::string& resource,
                       double UsageSample::*field) {
  LineChart chart = over_time(runs, policies, field);
  chart.title = resource + " allocation over time";
  chart.y_label = resource + " requested / allocatable";
  chart.y_min = 0;
  chart.y_max = 1;
  std::string lower = resource;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return char(std::tolower(c)); });
  return {"allocation_" + lower + ".svg", chart.title, render_line_chart(chart)};
}

ReportChart fragmentation(const std::vector<RunResult>& runs,
                          const std::vector<PolicySummary>& policies) {
  LineChart chart = over_time(runs, policies, &UsageSample::gpu_fragmentation);
  chart.title = "GPU fragmentation over time";
  chart.y_label = "fragmented GPUs";
  return {"gpu_fragmentation.svg", chart.title, render_line_chart(chart)};
}

// The FGD paper's figure (Weng et al., ATC '23: unallocated GPUs vs. arrived workload): the
// share of the cluster's GPUs no pod holds, against the GPU requests submitted so far over the
// cluster's GPUs, in percent. Samples are in time order and arrived demand never falls, so each
// line runs left to right; once everything has arrived the line stands at its last demand.
ReportChart unallocated_gpu_vs_demand(const std::vector<RunResult>& runs,
                                      const std::vector<PolicySummary>& policies) {
  LineChart chart;
  chart.title = "Unallocated GPUs vs. arrived GPU demand";
  chart.x_label = "arrived GPU demand (% of the cluster's GPUs)";
  chart.y_label = "unallocated GPUs (% of the cluster's)";
  chart.y_min = 0;
  chart.y_max = 100;
  add_sample_lines(chart, runs, policies, [](const UsageSample& sample) {
    return ChartPoint{100 * sample.gpu_demand_arrived, 100 * (1 - sample.gpu_allocation)};
  });
  return {"unallocated_gpu_vs_demand.svg", chart.title, render_line_chart(chart)};
}

std::vector<ChartPoint> cdf_points(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::vector<ChartPoint> out;
  if (values.empty()) return out;
  out.push_back({values.front(), 0});
  std::size_t n = values.size(), step = std::max<std::size_t>(1, n / kCdfPointsMax);
  for (std::size_t i = step - 1; i < n; i += step)
    out.push_back({values[i], double(i + 1) / double(n)});
  if (out.back().y < 1) out.push_back({values.back(), 1});
  return out;
}

ReportChart pending_cdf(const std::vector<RunResult>& runs,
                        const std::vector<PolicySummary>& policies) {
  LineChart chart;
  chart.title = "Pending time (CDF)";
  chart.x_label = "submission to binding (s)";
  chart.y_label = "share of bound pods";
  chart.y_min = 0;
  chart.y_max = 1;
  chart.steps = true;
  for (const auto& s : policies) {
    std::vector<double> pending;
    for (const auto& r : runs)
      if (r.run.policy == s.policy) {
        auto one = pending_times_s(r);
        pending.insert(pending.end(), one.begin(), one.end());
      }
    chart.series.push_back({s.policy, cdf_points(std::move(pending))});
  }
  return {"pending_cdf.svg", chart.title, render_line_chart(chart)};
}

ReportChart summary_bars(const std::vector<PolicySummary>& policies) {
  BarChart chart;
  chart.title = "Summary (mean over seeds)";
  for (const auto& s : policies) chart.series_names.push_back(s.policy);
  const std::pair<const char*, double RunFigures::*> shown[] = {
      {"GPU allocation at end", &RunFigures::gpu_allocation_ratio},
      {"CPU allocation at end", &RunFigures::cpu_allocation_ratio},
      {"GPU fragmentation at end", &RunFigures::gpu_fragmentation},
      {"pending p99 (s)", &RunFigures::pending_p99_s},
      {"unschedulable pods", &RunFigures::pods_unschedulable},
      {"makespan (s)", &RunFigures::makespan_s},
  };
  for (const auto& [title, field] : shown) {
    BarPanel panel{title, {}};
    for (const auto& s : policies) panel.values.push_back(s.mean.*field);
    chart.panels.push_back(std::move(panel));
  }
  return {"summary.svg", chart.title, render_bar_chart(chart)};
}

}  // namespace

std::vector<ReportChart> report_charts(const std::vector<RunResult>& runs,
                                       const std::vector<PolicySummary>& summaries) {
  return {allocation(runs, summaries, "CPU", &UsageSample::cpu_allocation),
          allocation(runs, summaries, "Memory", &UsageSample::memory_allocation),
          allocation(runs, summaries, "GPU", &UsageSample::gpu_allocation),
          unallocated_gpu_vs_demand(runs, summaries),
          fragmentation(runs, summaries),
          pending_cdf(runs, summaries),
          summary_bars(summaries)};
}

}  // namespace craton::research
