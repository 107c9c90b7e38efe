// Thin RAII layer over the SQLite C API used by the SQLite store: a
// connection with a per-connection cache of prepared statements, borrowed
// statements that reset themselves, and a transaction guard that rolls back
// unless committed. Not thread-safe: callers serialise access to a Connection.

#ifndef GWANMUN_STORE_SQLITE_H_
#define GWANMUN_STORE_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/status.h"

namespace gwanmun::store::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// A cached prepared statement, borrowed from its Connection until this object
// goes out of scope (then it is reset and its bindings cleared). Bind*
// indices are 1-based, column indices 0-based. A failed bind is remembered
// and reported by the next Step().
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept
      : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), bind_rc_(other.bind_rc_) {}
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view text);  // SQLite copies the text
  // Without a copy: `text` must stay unchanged and alive until this
  // Statement is destroyed (which resets it).
  Statement& BindStatic(int index, std::string_view text);
  Statement& BindBlob(int index, const void* data, size_t size);
  Statement& BindNull(int index);

  // true: a row is available; false: done.
  Result<bool> Step();
  // Steps until done (for statements that return no rows).
  Status Run();

  int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;
  std::string_view Blob(int column) const;
  bool IsNull(int column) const;

 private:
  Statement& Check(int rc);
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

class Connection {
 public:
  // Opens `path` (":memory:" allowed) with SQLITE_OPEN_* `flags` and sets the
  // busy timeout.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, int flags, int busy_timeout_ms);

  // Runs one or more statements that return no rows the caller needs.
  Status Exec(std::string_view sql);
  // A prepared statement for `sql`, prepared once per connection. `sql` must
  // outlive the connection (the constants in schema.h do).
  Result<Statement> Prepare(std::string_view sql);
  // An error status "<what>: <sqlite message>".
  Status Error(std::string_view what) const;
  sqlite3* db() const { return db_.get(); }

  explicit Connection(DbPtr db) : db_(std::move(db)) {}  // use Open()

 private:
  DbPtr db_;
  std::unordered_map<std::string_view, StmtPtr> cache_;
};

// BEGIN (DEFERRED or IMMEDIATE) … COMMIT; rolls back on scope exit unless
// committed.
class Transaction {
 public:
  explicit Transaction(Connection& conn) : conn_(conn) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // IMMEDIATE takes the write lock up front (no upgrade deadlocks).
  Status Begin(bool immediate);
  Status Commit();

 private:
  Connection& conn_;
  bool open_ = false;
};

}  // namespace gwanmun::store::sqlite

#endif  // GWANMUN_STORE_SQLITE_H_
