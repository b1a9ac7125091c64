// The charts of a `craton research compare` report, as SVG text (svg_chart.hpp), one series per
// policy in every chart:
//   allocation_cpu.svg, allocation_memory.svg, allocation_gpu.svg   allocation ratio over time
//   unallocated_gpu_vs_demand.svg   the FGD paper's figure: unallocated GPUs (%) against
//                            the arrived GPU demand (% of the cluster's GPUs)
//   gpu_fragmentation.svg    FGD's fragmentation measure (GPUs) over time
//   pending_cdf.svg          share of bound pods bound within x seconds of submission
//   summary.svg              bars of the summary figures (the mean over seeds)
// Over time, a policy's line is its first seed's run (the summary has every seed); the pending
// CDF pools the pods of all its seeds. Pure.
#pragma once

#include <string>
#include <vector>

#include "sim/research/run_figures.hpp"
#include "sim/research/run_result.hpp"

namespace craton::research {

struct ReportChart {
  std::string file;   ///< "allocation_gpu.svg"
  std::string title;  ///< for the HTML report's heading
  std::string svg;
};

/// The charts above, in that order. `runs` in any order: grouped by policy as the summaries are.
std::vector<ReportChart> report_charts(const std::vector<RunResult>& runs,
                                       const std::vector<PolicySummary>& summaries);

}  // namespace craton::research
