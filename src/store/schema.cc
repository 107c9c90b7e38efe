#include "store/schema.h"

namespace gwanmun::store::schema {
namespace {

// Version 1: keys and the chained audit log.
//  - api_keys.secret_hash is SHA-256 of the whole secret ("gw-…"); the secret
//    itself is never stored.
//  - audit_log.seq is the rowid: 1-based and gap-free by construction of
//    AppendAudit; prev_hash/hash are lower-case hex (see audit_chain.h).
//  - audit_head holds the last seq and hash, updated in the same transaction
//    as each append, so a truncated tail is detectable.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE api_keys (
  key_id      TEXT PRIMARY KEY,
  secret_hash BLOB NOT NULL UNIQUE,
  team        TEXT NOT NULL,
  models      TEXT NOT NULL DEFAULT '[]',
  rpm         INTEGER NOT NULL DEFAULT 0,
  tpm         INTEGER NOT NULL DEFAULT 0,
  description TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  revoked_at  TEXT
);
CREATE TABLE audit_log (
  seq          INTEGER PRIMARY KEY,
  time         TEXT NOT NULL,
  request_id   TEXT NOT NULL,
  key_id       TEXT NOT NULL,
  team         TEXT NOT NULL,
  endpoint     TEXT NOT NULL,
  model        TEXT NOT NULL,
  upstream     TEXT NOT NULL,
  region       TEXT NOT NULL,
  status       INTEGER NOT NULL,
  latency_ms   REAL NOT NULL,
  tokens_in    INTEGER NOT NULL,
  tokens_out   INTEGER NOT NULL,
  findings     TEXT NOT NULL,
  action       TEXT NOT NULL,
  fingerprints TEXT NOT NULL,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL
);
CREATE TABLE audit_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  INTEGER NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head(id, seq, hash)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
)sql";

// Version 2: a guardrail policy per key. A built-in profile name, or ''
// (every key before this version) for the deployment/team policy.
constexpr std::string_view kV2 = R"sql(
ALTER TABLE api_keys ADD COLUMN policy TEXT NOT NULL DEFAULT '';
)sql";

// Version 3: progress of the per-process audit journals (audit_journal.h).
// One row per journal file (name = file name without directory) that has
// had records committed: committed_jseq is the highest jseq of that journal
// whose record is in the chain, updated in the same transaction as the
// records. Recovery replays only entries above it, so a crash between a
// commit and the journal's truncation never appends a record twice.
constexpr std::string_view kV3 = R"sql(
CREATE TABLE audit_journals (
  name           TEXT PRIMARY KEY,
  committed_jseq INTEGER NOT NULL
);
)sql";

constexpr Migration kMigrations[] = {
    {1, "keys, audit log, audit head", kV1},
    {2, "per-key guardrail policy", kV2},
    {3, "audit journal progress", kV3},
};

}  // namespace

std::span<const Migration> SqliteMigrations() { return kMigrations; }

}  // namespace gwanmun::store::schema
