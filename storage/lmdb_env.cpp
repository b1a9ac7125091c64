#include "storage/lmdb_env.hpp"

#include <filesystem>
#include <system_error>

#include "storage/lmdb_error.hpp"

namespace craton::storage {

namespace {

constexpr std::size_t kDatabaseNameMax = 64;

// Applies the size options to a created but not yet opened environment.
int configure(MDB_env* env, const EnvOptions& o) {
  int rc = mdb_env_set_mapsize(env, o.map_size_bytes);
  if (rc == 0) rc = mdb_env_set_maxdbs(env, o.databases_max);
  if (rc == 0) rc = mdb_env_set_maxreaders(env, o.readers_max);
  return rc;
}

}  // namespace

Result<Environment> Environment::open(const EnvOptions& options) {
  if (options.path.empty()) return Error{"invalid", "lmdb: environment path is empty"};
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) return Error{"storage", "lmdb: cannot create " + options.path + ": " + ec.message()};

  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc != 0) return lmdb_error(rc, "create environment");
  std::unique_ptr<MDB_env, Closer> guard(env);
  rc = configure(env, options);
  if (rc != 0) return lmdb_error(rc, "configure environment");
  unsigned flags = MDB_NOTLS | (options.no_sync ? MDB_NOSYNC : 0u) |
                   (options.no_meta_sync ? MDB_NOMETASYNC : 0u);
  rc = mdb_env_open(env, options.path.c_str(), flags, 0640);
  if (rc != 0) return lmdb_error(rc, "open " + options.path);
  int dead = 0;
  rc = mdb_reader_check(env, &dead);
  if (rc != 0) return lmdb_error(rc, "reader check");
  if (options.faults)
    if (auto s = options.faults->opened(env); !s) return s.error();
  return Environment(guard.release(), options.path, dead, options.faults);
}

Result<Database> Environment::database(std::string_view name) {
  if (name.empty() || name.size() > kDatabaseNameMax) {
    return Error{"invalid",
                 "lmdb: database name must be 1.." + std::to_string(kDatabaseNameMax) + " bytes"};
  }
  auto txn = begin_write();
  if (!txn) return txn.error();
  MDB_dbi dbi = 0;
  std::string name_z(name);
  int rc = mdb_dbi_open(txn->raw(), name_z.c_str(), MDB_CREATE, &dbi);
  if (rc != 0) return lmdb_error(rc, "open database " + name_z);
  auto committed = txn->commit();
  if (!committed) return committed.error();
  if (faults_) faults_->named(name, dbi);
  return Database{dbi};
}

Status Environment::copy_compact(const std::string& dest_dir) const {
  int rc = mdb_env_copy2(env_.get(), dest_dir.c_str(), MDB_CP_COMPACT);
  if (rc != 0) return lmdb_error(rc, "compacting copy to " + dest_dir);
  return Ok{};
}

Result<EnvStats> Environment::stats() const {
  MDB_envinfo info{};
  MDB_stat st{};
  int rc = mdb_env_info(env_.get(), &info);
  if (rc == 0) rc = mdb_env_stat(env_.get(), &st);
  if (rc != 0) return lmdb_error(rc, "environment info");
  EnvStats out;
  out.map_size_bytes = info.me_mapsize;
  out.page_size_bytes = st.ms_psize;
  out.used_bytes = (info.me_last_pgno + 1) * static_cast<std::size_t>(st.ms_psize);
  out.stale_readers_cleared = stale_cleared_;
  return out;
}

Status Environment::sync() {
  int rc = mdb_env_sync(env_.get(), 1);
  if (rc != 0) return lmdb_error(rc, "sync");
  return Ok{};
}

}  // namespace craton::storage
