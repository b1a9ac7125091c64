// TraceCsv: zlib line reading and field parsing (trace_csv.hpp).
#include "sim/workload/trace_csv.hpp"

#include <charconv>
#include <cstdlib>

#include <zlib.h>

namespace craton::workload {

Result<std::unique_ptr<TraceCsv>> TraceCsv::open(const std::string& path) {
  gzFile gz = gzopen(path.c_str(), "rb");
  if (!gz) return Error{"not_found", "cannot open " + path};
  gzbuffer(gz, 256 * 1024);
  return std::unique_ptr<TraceCsv>(new TraceCsv(path, gz));
}

TraceCsv::~TraceCsv() {
  gzclose(static_cast<gzFile>(gz_));
}

Result<std::optional<std::vector<std::string_view>>> TraceCsv::next_row() {
  auto gz = static_cast<gzFile>(gz_);
  text_.clear();
  char chunk[4096];
  bool any = false;
  while (gzgets(gz, chunk, sizeof chunk)) {
    any = true;
    text_ += chunk;
    if (!text_.empty() && text_.back() == '\n') break;
    if (text_.size() > kLineBytesMax)
      return Error{"malformed", path_ + ":" + std::to_string(line_ + 1) + ": line longer than " +
                                    std::to_string(kLineBytesMax) + " bytes"};
  }
  int err = 0;
  const char* message = gzerror(gz, &err);
  if (err != Z_OK && err != Z_BUF_ERROR)
    return Error{"io", path_ + ":" + std::to_string(line_ + 1) + ": " + message};
  if (!any) return std::optional<std::vector<std::string_view>>{};
  ++line_;
  while (!text_.empty() && (text_.back() == '\n' || text_.back() == '\r')) text_.pop_back();
  std::vector<std::string_view> fields;
  std::string_view rest = text_;
  for (;;) {
    auto comma = rest.find(',');
    fields.push_back(rest.substr(0, comma));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return std::optional<std::vector<std::string_view>>{std::move(fields)};
}

Status read_trace_rows(const std::string& path, const std::function<bool(const CsvRow&)>& is_header,
                       const std::function<Status(const CsvRow&, std::int64_t line)>& on_row,
                       ImportReport& report) {
  auto csv = TraceCsv::open(path);
  if (!csv) return csv.error();
  for (;;) {
    auto row = (*csv)->next_row();
    if (!row) return row.error();
    if (!*row) return Ok{};
    if ((*csv)->line() == 1 && is_header && is_header(**row)) continue;
    ++report.rows_read;
    if (auto s = on_row(**row, (*csv)->line()); !s) return s;
  }
}

namespace {
std::string_view trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}
}  // namespace

std::optional<std::int64_t> parse_int(std::string_view field) {
  field = trimmed(field);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
  if (field.empty() || ec != std::errc{} || end != field.data() + field.size()) return {};
  return v;
}

std::optional<double> parse_double(std::string_view field) {
  field = trimmed(field);
  double v = 0;
  auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
  if (field.empty() || ec != std::errc{} || end != field.data() + field.size()) return {};
  return v;
}

}  // namespace craton::workload
