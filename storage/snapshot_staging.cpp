#include "storage/snapshot_staging.hpp"

#include <filesystem>
#include <system_error>
#include <vector>

#include "storage/table_export.hpp"

namespace craton::storage {

Status SnapshotStaging::discard(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return Error{"storage", "snapshot staging: cannot remove " + path + ": " + ec.message()};
  return Ok{};
}

Result<SnapshotStaging> SnapshotStaging::create(StagingOptions options) {
  if (options.path.empty()) return Error{"invalid", "snapshot staging: path is empty"};
  if (auto s = discard(options.path); !s) return s.error();
  EnvOptions env_options;
  env_options.path = options.path;
  env_options.map_size_bytes = options.map_size_bytes;
  env_options.databases_max = static_cast<unsigned>(options.tables_max);
  env_options.no_sync = true;  // rebuilt from the sender after a crash, never trusted
  auto env = Environment::open(env_options);
  if (!env) return env.error();
  return SnapshotStaging(std::move(options), std::move(*env));
}

// Decodes the whole chunk without side effects; collects the tables it would create.
Status SnapshotStaging::check(std::string_view records, std::set<std::string>& new_tables) const {
  return decode_table_records(
      records, [&](std::string_view table, std::string_view, std::string_view) -> Status {
        std::string name(table);
        if (options_.excluded.count(name))
          return Error{"malformed", "snapshot chunk: carries excluded table " + name};
        if (!tables_.count(name) && new_tables.insert(name).second &&
            tables_.size() + new_tables.size() > options_.tables_max)
          return Error{"malformed", "snapshot chunk: more than " +
                                        std::to_string(options_.tables_max) + " tables"};
        return Ok{};
      });
}

Status SnapshotStaging::add(std::string_view records) {
  std::set<std::string> new_tables;
  if (auto s = check(records, new_tables); !s) return s;
  for (const auto& name : new_tables) {
    auto db = env_.database(name);
    if (!db) return db.error();
    tables_.emplace(name, *db);
  }
  auto txn = env_.begin_write();
  if (!txn) return txn.error();
  std::uint64_t count = 0, bytes = 0;
  auto s = decode_table_records(
      records, [&](std::string_view table, std::string_view key, std::string_view value) -> Status {
        ++count;
        bytes += key.size() + value.size();
        return txn->put(tables_.find(table)->second, key, value);
      });
  if (!s) return s;
  if (auto c = txn->commit(); !c) return c;
  records_ += count;
  bytes_ += bytes;
  return Ok{};
}

Status SnapshotStaging::install(Environment& target) {
  auto names = list_tables(target);
  if (!names) return names.error();
  // Open every handle first: Environment::database() runs a write transaction of its own.
  std::vector<Database> live;
  for (const auto& name : *names) {
    if (options_.excluded.count(name)) continue;
    auto db = target.database(name);
    if (!db) return db.error();
    live.push_back(*db);
  }
  std::map<std::string, Database, std::less<>> targets;
  for (const auto& [name, _] : tables_) {
    auto db = target.database(name);
    if (!db) return db.error();
    targets.emplace(name, *db);
  }
  auto source = env_.begin_read();
  if (!source) return source.error();
  auto txn = target.begin_write();
  if (!txn) return txn.error();
  for (auto db : live) {
    if (auto s = txn->clear(db); !s) return s;
  }
  for (const auto& [name, staged] : tables_) {
    auto cursor = source->cursor(staged);
    if (!cursor) return cursor.error();
    for (auto r = cursor->first();; r = cursor->next()) {
      if (!r) return r.error();
      if (!r->has_value()) break;
      if (auto s = txn->put(targets.at(name), (*r)->key, (*r)->value); !s) return s;
    }
  }
  return txn->commit();
}

}  // namespace craton::storage
