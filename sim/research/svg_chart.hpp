// SVG charts for the research report: line charts (series over x, with axes, ticks and a legend)
// and panels of bars (one bar per series in each panel). A small writer of our own: Debian has no
// C++ chart library worth depending on, and the report needs only these two shapes.
//
// Promises: the output is one standalone <svg> element (it also inlines into HTML), well-formed
// XML, the same bytes for the same chart (numbers through format_number, no clock, no random
// ids). Every series is one <g class="series" data-series="NAME"> (NAME escaped), in the order
// given, so a reader or a test finds each policy's drawing by name. Series colours follow their
// index (series i of every chart has one colour). A series longer than kSeriesPointsMax is
// thinned to evenly spaced points (first and last kept): a browser draws a few thousand points
// per line quickly, not a million. Pure: no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace craton::research {

inline constexpr std::size_t kSeriesPointsMax = 2000;

struct ChartPoint {
  double x = 0;
  double y = 0;
};

struct ChartSeries {
  std::string name;
  std::vector<ChartPoint> points;  ///< in x order
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<ChartSeries> series;
  std::optional<double> y_min;  ///< fixed axis bounds; absent: from the data (0 included)
  std::optional<double> y_max;
  bool steps = false;  ///< draw as a step function (a CDF), not straight segments
  /// A dashed vertical line at this x, labelled (e.g. the last submission), when inside the axis.
  std::optional<double> marker_x;
  std::string marker_label;
};

/// One panel of a bar chart: one figure, one bar per series (values in the series' order).
struct BarPanel {
  std::string title;
  std::vector<double> values;
};

struct BarChart {
  std::string title;
  std::vector<std::string> series_names;
  std::vector<BarPanel> panels;  ///< laid out in rows of kBarPanelsPerRow
};
inline constexpr std::size_t kBarPanelsPerRow = 3;

std::string render_line_chart(const LineChart& chart);
std::string render_bar_chart(const BarChart& chart);

/// `text` with &, <, >, " and ' escaped: safe in XML and HTML text and attribute values.
std::string escape_markup(std::string_view text);

/// "Nice" tick values covering [low, high] (steps of 1, 2, 2.5 or 5 times a power of ten), about
/// `count` of them, the first <= low and the last >= high. At least two ticks.
std::vector<double> nice_ticks(double low, double high, int count = 5);

}  // namespace craton::research
