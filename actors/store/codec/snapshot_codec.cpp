#include "actors/store/codec/snapshot_codec.hpp"

#include <algorithm>
#include <string>

namespace craton::store {
namespace {

constexpr std::size_t kErrorTextMax = 1024;
constexpr std::size_t kRecordsMax = std::size_t{3} << 20;  // under the 4 MiB envelope limit

std::string as_string(capnp::Data::Reader d) {
  return std::string(reinterpret_cast<const char*>(d.begin()), d.size());
}

capnp::Data::Reader as_data(const std::string& s) {
  return capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(s.data()), s.size());
}

// A position names a table (<= 64 bytes) and a key (<= 511 bytes), or nothing.
Result<storage::TablePosition> read_position(capnp::Text::Reader table, capnp::Data::Reader key) {
  if (table.size() > storage::kTableNameMax || key.size() > storage::kTableKeyMax ||
      (table.size() == 0 && key.size() != 0))
    return Error{"malformed", "snapshot transfer: bad table position"};
  return storage::TablePosition{std::string(table.cStr(), table.size()), as_string(key)};
}

}  // namespace

void write_snapshot_fetch(schema::SnapshotFetch::Builder b, const SnapshotFetch& f) {
  b.setFrom(f.from);
  b.setTo(f.to);
  b.setTransferId(f.transfer_id);
  b.setSeq(f.seq);
  b.setSnapshotIndex(f.snapshot_index);
  b.setAfterTable(f.after.table);
  b.setAfterKey(as_data(f.after.key));
  b.setWindow(f.window);
}

Result<SnapshotFetch> read_snapshot_fetch(schema::SnapshotFetch::Reader r) {
  auto after = read_position(r.getAfterTable(), r.getAfterKey());
  if (!after) return after.error();
  if (r.getFrom() == 0 || r.getTo() == 0 || r.getSnapshotIndex() == 0)
    return Error{"malformed", "snapshot fetch without replica ids or snapshot index"};
  return SnapshotFetch{r.getFrom(),
                       r.getTo(),
                       r.getTransferId(),
                       r.getSeq(),
                       r.getSnapshotIndex(),
                       std::move(*after),
                       std::max<std::uint32_t>(r.getWindow(), 1)};
}

void write_snapshot_chunk(schema::SnapshotChunk::Builder b, const SnapshotChunk& c) {
  b.setFrom(c.from);
  b.setTo(c.to);
  b.setTransferId(c.transfer_id);
  b.setSeq(c.seq);
  b.setAppliedIndex(c.applied_index);
  b.setAppliedTerm(c.applied_term);
  b.setRecords(as_data(c.records));
  b.setLastTable(c.last.table);
  b.setLastKey(as_data(c.last.key));
  b.setDone(c.done);
  b.setError(c.error);
}

Result<SnapshotChunk> read_snapshot_chunk(schema::SnapshotChunk::Reader r) {
  auto last = read_position(r.getLastTable(), r.getLastKey());
  if (!last) return last.error();
  if (r.getRecords().size() > kRecordsMax || r.getError().size() > kErrorTextMax)
    return Error{"malformed", "snapshot chunk too large"};
  if (r.getFrom() == 0 || r.getTo() == 0)
    return Error{"malformed", "snapshot chunk without replica ids"};
  SnapshotChunk c;
  c.from = r.getFrom();
  c.to = r.getTo();
  c.transfer_id = r.getTransferId();
  c.seq = r.getSeq();
  c.applied_index = r.getAppliedIndex();
  c.applied_term = r.getAppliedTerm();
  c.records = as_string(r.getRecords());
  c.last = std::move(*last);
  c.done = r.getDone();
  c.error = std::string(r.getError().cStr(), r.getError().size());
  return c;
}

}  // namespace craton::store
