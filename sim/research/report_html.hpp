// index.html of a `craton research compare` report: one self-contained page (no script, no
// network, no external file) with the summary tables, every chart inlined as SVG, and the
// reproducibility record (run.json's content and each policy's configuration). Promises: the
// same inputs give the same bytes; every text from the inputs is escaped. Pure.
#pragma once

#include <string>
#include <vector>

#include "sim/research/report_charts.hpp"
#include "sim/research/report_documents.hpp"
#include "sim/research/run_figures.hpp"

namespace craton::research {

std::string report_html(const std::vector<PolicySummary>& summaries,
                        const std::vector<ReportChart>& charts, const CompareRecord& record,
                        const std::vector<RunResult>& runs);

}  // namespace craton::research
