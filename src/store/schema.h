// Every SQL statement of the SQLite store, and its schema migrations. The
// PostgreSQL backend will get its own list beside this one; nothing outside
// src/store writes SQL.

#ifndef GWANMUN_STORE_SCHEMA_H_
#define GWANMUN_STORE_SCHEMA_H_

#include <span>
#include <string_view>

namespace gwanmun::store::schema {

// One step of the schema. Applied in version order, each in its own
// transaction together with its row in schema_migrations; never edited once
// released (add a new version instead).
struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

// All migrations, ascending by version, starting at 1.
std::span<const Migration> SqliteMigrations();

// --- migration bookkeeping ---
inline constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " description TEXT NOT NULL,"
    " applied_at TEXT NOT NULL)";
inline constexpr std::string_view kSelectSchemaVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
inline constexpr std::string_view kInsertMigration =
    "INSERT INTO schema_migrations(version, description, applied_at) VALUES (?1, ?2, ?3)";

// --- connection settings (SQLite only) ---
inline constexpr std::string_view kPragmaWal = "PRAGMA journal_mode=WAL";
inline constexpr std::string_view kPragmaSyncNormal = "PRAGMA synchronous=NORMAL";
inline constexpr std::string_view kPragmaSyncFull = "PRAGMA synchronous=FULL";
inline constexpr std::string_view kPragmaForeignKeys = "PRAGMA foreign_keys=ON";

// --- keys ---
inline constexpr std::string_view kInsertKey =
    "INSERT INTO api_keys(key_id, secret_hash, team, models, rpm, tpm, description, created_at,"
    " policy)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
inline constexpr std::string_view kSelectActiveKeyByHash =
    "SELECT key_id, secret_hash, team, models, rpm, tpm, policy FROM api_keys"
    " WHERE secret_hash = ?1 AND revoked_at IS NULL";
inline constexpr std::string_view kSelectKeys =
    "SELECT key_id, team, models, rpm, tpm, description, created_at, revoked_at, policy"
    " FROM api_keys"
    " ORDER BY created_at, rowid";  // creation order
inline constexpr std::string_view kSelectKeyRevokedAt = "SELECT revoked_at FROM api_keys WHERE key_id = ?1";
inline constexpr std::string_view kRevokeKey =
    "UPDATE api_keys SET revoked_at = ?2 WHERE key_id = ?1 AND revoked_at IS NULL";

// --- audit ---
inline constexpr std::string_view kSelectAuditHead = "SELECT seq, hash FROM audit_head WHERE id = 1";
inline constexpr std::string_view kUpdateAuditHead = "UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1";
inline constexpr std::string_view kInsertAudit =
    "INSERT INTO audit_log(seq, time, request_id, key_id, team, endpoint, model, upstream,"
    " region, status, latency_ms, tokens_in, tokens_out, findings, action, fingerprints,"
    " prev_hash, hash)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
// Column order of the SELECTs below is the order of kInsertAudit.
inline constexpr std::string_view kSelectAuditAfter =
    "SELECT seq, time, request_id, key_id, team, endpoint, model, upstream, region, status,"
    " latency_ms, tokens_in, tokens_out, findings, action, fingerprints, prev_hash, hash"
    " FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2";
// Candidates for FindAuditByFingerprint: ?2 is ':' + HEX + '"', which in
// the stored JSON array (plain ASCII strings "TYPE:HEX") can only be the end
// of an entry with that HEX. instr() is case-sensitive and has no wildcards
// (unlike LIKE). A scan of one column; callers check the candidates.
inline constexpr std::string_view kSelectAuditByFingerprint =
    "SELECT seq, time, request_id, key_id, team, endpoint, model, upstream, region, status,"
    " latency_ms, tokens_in, tokens_out, findings, action, fingerprints, prev_hash, hash"
    " FROM audit_log WHERE seq > ?1 AND instr(fingerprints, ?2) > 0 ORDER BY seq LIMIT ?3";
inline constexpr std::string_view kSelectAuditAll =
    "SELECT seq, time, request_id, key_id, team, endpoint, model, upstream, region, status,"
    " latency_ms, tokens_in, tokens_out, findings, action, fingerprints, prev_hash, hash"
    " FROM audit_log ORDER BY seq";

// --- audit journals (progress of each per-process journal file) ---
inline constexpr std::string_view kSelectJournalCommitted = "SELECT committed_jseq FROM audit_journals WHERE name = ?1";
inline constexpr std::string_view kUpsertJournalCommitted =
    "INSERT INTO audit_journals(name, committed_jseq) VALUES (?1, ?2)"
    " ON CONFLICT(name) DO UPDATE SET committed_jseq = excluded.committed_jseq";
inline constexpr std::string_view kDeleteJournal = "DELETE FROM audit_journals WHERE name = ?1";

}  // namespace gwanmun::store::schema

#endif  // GWANMUN_STORE_SCHEMA_H_
