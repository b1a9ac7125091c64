// The SVG writer of the research report (svg_chart.hpp): line charts and bar panels.
#include "sim/research/svg_chart.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "sim/research/report_number.hpp"

namespace craton::research {
namespace {

// Colour-blind friendly (Okabe-Ito, then Tableau's); series past the tenth repeat colours
// with a dash pattern so lines stay distinct.
constexpr std::array<std::string_view, 10> kColours = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                                       "#e69f00", "#56b4e9", "#000000", "#f0e442",
                                                       "#8c564b", "#7f7f7f"};

std::string colour(std::size_t i) {
  return std::string(kColours[i % kColours.size()]);
}
std::string dash(std::size_t i) {
  return i < kColours.size() ? "" : " stroke-dasharray=\"6 3\"";
}

// Plot geometry, in SVG user units.
struct Frame {
  double width = 760, height = 380;
  double left = 70, right = 190, top = 40, bottom = 56;
  double plot_w() const { return width - left - right; }
  double plot_h() const { return height - top - bottom; }
};

struct Range {
  double low = 0, high = 1;
};

std::string num(double v) {
  return format_number(v, 2);
}

std::string svg_open(double w, double h, const std::string& title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(w) + "\" height=\"" + num(h) +
         "\" viewBox=\"0 0 " + num(w) + " " + num(h) +
         "\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n<title>" +
         escape_markup(title) + "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
}

std::string text_at(double x, double y, const std::string& text, const std::string& extra = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"" + extra + ">" + escape_markup(text) +
         "</text>\n";
}

// The data's range over all series, widened to nice ticks; a flat range gets a unit of room.
Range data_range(const std::vector<ChartSeries>& series, bool x_axis) {
  double low = std::numeric_limits<double>::infinity(), high = -low;
  for (const auto& s : series)
    for (const auto& p : s.points) {
      double v = x_axis ? p.x : p.y;
      if (!std::isfinite(v)) continue;
      low = std::min(low, v);
      high = std::max(high, v);
    }
  if (low > high) return {0, 1};
  if (!x_axis) low = std::min(low, 0.0);
  if (high - low < 1e-12) high = low + 1;
  return {low, high};
}

// Series thinned to at most kSeriesPointsMax points, evenly spaced by index, ends kept.
std::vector<ChartPoint> thinned(const std::vector<ChartPoint>& points) {
  if (points.size() <= kSeriesPointsMax) return points;
  std::vector<ChartPoint> out;
  out.reserve(kSeriesPointsMax);
  double step = double(points.size() - 1) / double(kSeriesPointsMax - 1);
  for (std::size_t i = 0; i < kSeriesPointsMax; ++i)
    out.push_back(points[std::size_t(std::llround(double(i) * step))]);
  return out;
}

std::string axes(const Frame& f, const std::vector<double>& xt, const std::vector<double>& yt,
                 const Range& xr, const Range& yr, const LineChart& c) {
  auto sx = [&](double x) { return f.left + (x - xr.low) / (xr.high - xr.low) * f.plot_w(); };
  auto sy = [&](double y) {
    return f.top + f.plot_h() - (y - yr.low) / (yr.high - yr.low) * f.plot_h();
  };
  std::string out = "<g class=\"axes\" stroke=\"#999\" stroke-width=\"1\">\n";
  for (double y : yt)
    out += "<line x1=\"" + num(f.left) + "\" y1=\"" + num(sy(y)) + "\" x2=\"" +
           num(f.left + f.plot_w()) + "\" y2=\"" + num(sy(y)) + "\" stroke=\"#eee\"/>\n";
  out += "<rect x=\"" + num(f.left) + "\" y=\"" + num(f.top) + "\" width=\"" + num(f.plot_w()) +
         "\" height=\"" + num(f.plot_h()) + "\" fill=\"none\"/>\n</g>\n<g class=\"ticks\">\n";
  for (double x : xt)
    out += text_at(sx(x), f.top + f.plot_h() + 16, format_number(x, 4), " text-anchor=\"middle\"");
  for (double y : yt)
    out += text_at(f.left - 6, sy(y) + 4, format_number(y, 4), " text-anchor=\"end\"");
  out += "</g>\n";
  out += text_at(f.left + f.plot_w() / 2, f.height - 12, c.x_label, " text-anchor=\"middle\"");
  out += text_at(
      16, f.top + f.plot_h() / 2, c.y_label,
      " text-anchor=\"middle\" transform=\"rotate(-90 16 " + num(f.top + f.plot_h() / 2) + ")\"");
  return out;
}

std::string legend(const std::vector<std::string>& names, double x, double y) {
  std::string out = "<g class=\"legend\">\n";
  for (std::size_t i = 0; i < names.size(); ++i) {
    double row = y + 18.0 * double(i);
    out += "<rect x=\"" + num(x) + "\" y=\"" + num(row - 9) +
           "\" width=\"14\" height=\"10\" fill=\"" + colour(i) + "\"/>\n";
    out += text_at(x + 20, row, names[i]);
  }
  return out + "</g>\n";
}

// The polyline's points: straight segments, or horizontal-then-vertical steps.
std::string polyline_points(const std::vector<ChartPoint>& points, bool steps, auto sx, auto sy) {
  std::string out;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!std::isfinite(points[i].x) || !std::isfinite(points[i].y)) continue;
    if (steps && i > 0) out += num(sx(points[i].x)) + "," + num(sy(points[i - 1].y)) + " ";
    out += num(sx(points[i].x)) + "," + num(sy(points[i].y)) + " ";
  }
  if (!out.empty()) out.pop_back();
  return out;
}

}  // namespace

std::string escape_markup(std::string_view text) {
  std::string out;
  out.reserve(text.size());
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
      case '\'':
        out += "&#39;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double low, double high, int count) {
  if (!std::isfinite(low) || !std::isfinite(high) || high <= low) return {low, low + 1};
  double raw = (high - low) / double(std::max(count - 1, 1));
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude * 10;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (raw <= m * magnitude) {
      step = m * magnitude;
      break;
    }
  std::vector<double> ticks;
  double first = std::floor(low / step + 1e-9) * step;
  for (double t = first; ticks.size() < 100; t += step) {
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    if (t >= high - step * 1e-9) break;
  }
  if (ticks.size() < 2) ticks.push_back(first + step);
  return ticks;
}

std::string render_line_chart(const LineChart& c) {
  Frame f;
  Range xr = data_range(c.series, true), yr = data_range(c.series, false);
  if (c.y_min) yr.low = *c.y_min;
  if (c.y_max) yr.high = *c.y_max;
  auto xt = nice_ticks(xr.low, xr.high), yt = nice_ticks(yr.low, yr.high);
  xr = {xt.front(), xt.back()};
  if (!c.y_min || !c.y_max) yr = {yt.front(), yt.back()};
  auto sx = [&](double x) { return f.left + (x - xr.low) / (xr.high - xr.low) * f.plot_w(); };
  auto sy = [&](double y) {
    return f.top + f.plot_h() - (y - yr.low) / (yr.high - yr.low) * f.plot_h();
  };
  std::string out = svg_open(f.width, f.height, c.title);
  out += text_at(f.left, 24, c.title, " font-size=\"15\" font-weight=\"bold\"");
  out += axes(f, xt, yt, xr, yr, c);
  if (c.marker_x && *c.marker_x >= xr.low && *c.marker_x <= xr.high)
    out += "<g class=\"marker\"><line x1=\"" + num(sx(*c.marker_x)) + "\" y1=\"" + num(f.top) +
           "\" x2=\"" + num(sx(*c.marker_x)) + "\" y2=\"" + num(f.top + f.plot_h()) +
           "\" stroke=\"#888\" stroke-dasharray=\"4 4\"/>\n" +
           text_at(sx(*c.marker_x) + 4, f.top + 12, c.marker_label, " fill=\"#666\"") + "</g>\n";
  std::vector<std::string> names;
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    const auto& s = c.series[i];
    names.push_back(s.name);
    out += "<g class=\"series\" data-series=\"" + escape_markup(s.name) + "\">\n";
    out += "<polyline fill=\"none\" stroke=\"" + colour(i) + "\" stroke-width=\"1.8\"" + dash(i) +
           " points=\"" + polyline_points(thinned(s.points), c.steps, sx, sy) + "\"/>\n</g>\n";
  }
  out += legend(names, f.width - f.right + 16, f.top + 10);
  return out + "</svg>\n";
}

std::string render_bar_chart(const BarChart& c) {
  const double panel_w = 250, panel_h = 200, top = 40;
  std::size_t rows = (c.panels.size() + kBarPanelsPerRow - 1) / kBarPanelsPerRow;
  double width = panel_w * double(kBarPanelsPerRow) + 170;
  double height = top + panel_h * double(std::max<std::size_t>(rows, 1)) + 10;
  std::string out = svg_open(width, height, c.title);
  out += text_at(10, 24, c.title, " font-size=\"15\" font-weight=\"bold\"");
  std::vector<std::string> bars(c.series_names.size());
  for (std::size_t p = 0; p < c.panels.size(); ++p) {
    const auto& panel = c.panels[p];
    double x0 = panel_w * double(p % kBarPanelsPerRow) + 50;
    double y0 = top + panel_h * double(p / kBarPanelsPerRow) + 20;
    double plot_w = panel_w - 70, plot_h = panel_h - 60;
    double high = 0;
    for (double v : panel.values) high = std::max(high, std::isfinite(v) ? v : 0.0);
    auto ticks = nice_ticks(0, high > 0 ? high : 1, 4);
    double top_tick = ticks.back();
    out +=
        text_at(x0 + plot_w / 2, y0, panel.title, " text-anchor=\"middle\" font-weight=\"bold\"");
    for (double t : ticks) {
      double y = y0 + 10 + plot_h - t / top_tick * plot_h;
      out += "<line x1=\"" + num(x0) + "\" y1=\"" + num(y) + "\" x2=\"" + num(x0 + plot_w) +
             "\" y2=\"" + num(y) + "\" stroke=\"#eee\"/>\n";
      out += text_at(x0 - 4, y + 4, format_number(t, 4), " text-anchor=\"end\" font-size=\"10\"");
    }
    double bar_w = plot_w / double(std::max<std::size_t>(panel.values.size(), 1));
    for (std::size_t i = 0; i < panel.values.size() && i < bars.size(); ++i) {
      double v = std::isfinite(panel.values[i]) ? std::max(panel.values[i], 0.0) : 0.0;
      double h = v / top_tick * plot_h;
      double x = x0 + bar_w * double(i) + bar_w * 0.1;
      bars[i] += "<rect x=\"" + num(x) + "\" y=\"" + num(y0 + 10 + plot_h - h) + "\" width=\"" +
                 num(bar_w * 0.8) + "\" height=\"" + num(h) + "\" fill=\"" + colour(i) +
                 "\"><title>" + escape_markup(panel.title) + ": " +
                 format_number(panel.values[i], 4) + "</title></rect>\n";
    }
  }
  for (std::size_t i = 0; i < bars.size(); ++i)
    out += "<g class=\"series\" data-series=\"" + escape_markup(c.series_names[i]) + "\">\n" +
           bars[i] + "</g>\n";
  out += legend(c.series_names, width - 160, top + 10);
  return out + "</svg>\n";
}

}  // namespace craton::research
