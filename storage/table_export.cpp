#include "storage/table_export.hpp"

#include "storage/byte_codec.hpp"
#include "storage/lmdb_error.hpp"

namespace craton::storage {
namespace {

constexpr std::uint8_t kChunkVersion = 1;

Error malformed(const std::string& what) {
  return Error{"malformed", "snapshot chunk: " + what};
}

// Opens the flags of `db` and refuses anything but a plain key/value database: the staging
// side recreates tables with default flags.
Status check_plain(const Txn& txn, Database db, const std::string& name) {
  unsigned flags = 0;
  int rc = mdb_dbi_flags(txn.raw(), db.dbi, &flags);
  if (rc != 0) return lmdb_error(rc, "flags of database " + name);
  if ((flags & (MDB_DUPSORT | MDB_INTEGERKEY | MDB_REVERSEKEY)) != 0)
    return Error{"unsupported", "snapshot: database " + name + " is not a plain key/value table"};
  return Ok{};
}

}  // namespace

Result<std::vector<std::string>> list_tables(const Environment& env) {
  auto txn = env.begin_read();
  if (!txn) return txn.error();
  MDB_dbi main = 0;
  int rc = mdb_dbi_open(txn->raw(), nullptr, 0, &main);
  if (rc != 0) return lmdb_error(rc, "open main database");
  auto cursor = txn->cursor(Database{main});
  if (!cursor) return cursor.error();
  std::vector<std::string> names;
  for (auto r = cursor->first();; r = cursor->next()) {
    if (!r) return r.error();
    if (!r->has_value()) break;
    names.emplace_back((*r)->key);  // the main database of a named-only env holds only names
  }
  return names;
}

Status decode_table_records(
    std::string_view records,
    const std::function<Status(std::string_view, std::string_view, std::string_view)>& visit) {
  ByteReader in(records);
  std::uint8_t version = 0;
  if (!in.u8(version) || version != kChunkVersion) return malformed("unknown format version");
  while (!in.empty()) {
    std::string_view table, key, value;
    if (!in.bytes(table) || !in.bytes(key) || !in.bytes(value)) return malformed("truncated");
    if (table.empty() || table.size() > kTableNameMax) return malformed("bad table name");
    if (key.empty() || key.size() > kTableKeyMax) return malformed("bad key size");
    if (auto s = visit(table, key, value); !s) return s;
  }
  return Ok{};
}

Result<TableExport> TableExport::begin(Environment& env, const std::set<std::string>& excluded) {
  auto names = list_tables(env);
  if (!names) return names.error();
  std::vector<std::pair<std::string, Database>> tables;
  for (auto& name : *names) {
    if (excluded.count(name)) continue;
    auto db = env.database(name);  // opens the handle (the table exists already)
    if (!db) return db.error();
    tables.emplace_back(std::move(name), *db);
  }
  auto txn = env.begin_read();
  if (!txn) return txn.error();
  for (const auto& [name, db] : tables) {
    if (auto s = check_plain(*txn, db, name); !s) return s.error();
  }
  return TableExport(std::move(*txn), std::move(tables));
}

Result<TableChunk> TableExport::next(const TablePosition& after, std::size_t max_bytes) const {
  TableChunk chunk;
  ByteWriter out;
  out.u8(kChunkVersion);
  std::size_t t = 0;
  if (!after.table.empty()) {
    while (t < tables_.size() && tables_[t].first != after.table) ++t;
    if (t == tables_.size()) return Error{"invalid", "snapshot: no table " + after.table};
  }
  for (; t < tables_.size(); ++t) {
    const auto& [name, db] = tables_[t];
    auto cursor = txn_.cursor(db);
    if (!cursor) return cursor.error();
    bool resume = !after.table.empty() && name == after.table;
    auto r = resume ? cursor->seek(after.key) : cursor->first();
    if (r && resume && r->has_value() && (*r)->key == after.key) r = cursor->next();
    for (;; r = cursor->next()) {
      if (!r) return r.error();
      if (!r->has_value()) break;
      if (chunk.count > 0 && out.str().size() >= max_bytes) {
        chunk.records = out.take();
        return chunk;  // full; `done` stays false even if this was the last record
      }
      out.bytes(name);
      out.bytes((*r)->key);
      out.bytes((*r)->value);
      ++chunk.count;
      chunk.last = TablePosition{name, std::string((*r)->key)};
    }
  }
  chunk.records = out.take();
  chunk.done = true;
  return chunk;
}

}  // namespace craton::storage
