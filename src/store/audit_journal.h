// The per-process audit journal: an append-only file that makes an audit
// record durable against a process crash (kill -9) before the record is
// committed to the SQLite hash chain in the background. The file is
// preallocated and mapped (MAP_SHARED): an append is a copy into the page
// cache, no system call, and survives the process. Where mapping is not
// possible it is one write(2) instead.
//
// File: `<db path>-audit-<pid>-<8 random hex>.journal`, next to the
// database, mode 0600, created by the first journaled append of a store and
// held with flock(LOCK_EX) for the owner's lifetime: a journal whose lock
// can be taken belongs to a process that is gone, and is replayed by the
// next store opened on the database (see SqliteStore). The file appears
// under its final name only once locked (it is created under a ".tmp" name
// and then linked), so nobody mistakes a journal being created for an orphan.
//
// Entry (frame), version 1, all integers little-endian:
//   magic "GWAJ" (4) | version 1 (1) | 3 zero bytes | payload length (u32)
//   | jseq (u64) | payload | first 16 bytes of SHA-256(all bytes before)
// jseq is the entry's number in its file: 1, 2, 3, … in file order. The
// payload holds every AuditRecord field but seq/prev_hash/hash, in the
// order of audit_chain.h: strings as u32 length + bytes, status/tokens as
// i64, latency_ms as the bits of the double.
//
// A frame that is torn (the file ends inside it), fails its checksum, has an
// unknown magic/version or a jseq not above the previous one ends the valid
// part of a journal: it and everything after it are ignored (and counted),
// except zero bytes at the end, which are preallocated room, not damage.

#ifndef GWANMUN_STORE_AUDIT_JOURNAL_H_
#define GWANMUN_STORE_AUDIT_JOURNAL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace gwanmun::store {

inline constexpr uint8_t kJournalVersion = 1;
// Largest payload a reader accepts (a record is normally well under 4 KiB).
inline constexpr uint32_t kMaxJournalPayload = 16u << 20;

struct JournalEntry {
  int64_t jseq = 0;
  AuditRecord record;  // seq, prev_hash and hash are empty
};

// One frame for `record` (which should be normalised, NormalizeAuditRecord).
std::string EncodeJournalEntry(int64_t jseq, const AuditRecord& record);

struct JournalContents {
  std::vector<JournalEntry> entries;  // the valid prefix, ascending jseq
  size_t valid_bytes = 0;             // length of that prefix
  size_t ignored_bytes = 0;           // torn or corrupt bytes after it (a zero tail excluded)
};

// Decodes frames from the start of `bytes` up to the first invalid one.
JournalContents DecodeJournal(std::string_view bytes);

// "<db path>-audit-": every journal of that database starts with it.
std::string JournalPathPrefix(const std::string& db_path);
inline constexpr std::string_view kJournalSuffix = ".journal";

// An open journal file. Not thread-safe: the owner serialises calls.
class JournalFile {
 public:
  // Creates a fresh journal for the database at `db_path`, locked for this
  // process (O_RDWR|O_CLOEXEC, 0600), preallocated and mapped if the file
  // system allows (else appends use write(2)). `sync_dir`: fsync the
  // directory after the file appears (synchronous=FULL).
  static Result<std::unique_ptr<JournalFile>> Create(const std::string& db_path, bool sync_dir);

  // Journals of the database at `db_path` whose owner is gone, each opened
  // read-write and locked (flock LOCK_EX|LOCK_NB) and checked to still be the
  // file at its path (not unlinked by another recovering process meanwhile).
  // Journals still locked by a live process are skipped. Sorted by name.
  static Result<std::vector<std::unique_ptr<JournalFile>>> OpenOrphans(const std::string& db_path);

  struct Key {  // only the factories above construct a JournalFile
    explicit Key() = default;
  };
  JournalFile(Key, std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
  // Unmaps and closes the file, which releases the lock. Never deletes it.
  ~JournalFile();
  JournalFile(const JournalFile&) = delete;
  JournalFile& operator=(const JournalFile&) = delete;

  const std::string& path() const { return path_; }
  // The file name without its directory: the journal's key in the
  // audit_journals table.
  std::string name() const;
  // Bytes of frames written (the append position; a mapped file is larger).
  uint64_t size() const { return size_; }
  bool mapped() const { return map_ != nullptr; }

  // Appends `frame`. Mapped: copies it into the mapping, first growing the
  // file (fallocate, then remap) if it does not fit; an error leaves the
  // journal as it was. Not mapped: one write(2); if that fails or is short,
  // the file is cut back to its previous size so no partial frame stays,
  // and if even that fails the journal is broken and every later Append
  // fails.
  Status Append(std::string_view frame);
  // fdatasync (which also writes back pages written through the mapping).
  Status Sync();
  // Empties the journal (the caller knows every entry is committed): cuts
  // the file to 0 bytes, or for a mapped file zeroes what was written and
  // gives back room it grew beyond its initial size.
  Status Truncate();
  // Removes the file's name. The lock is held until destruction.
  Status Unlink();
  // Reads and decodes the whole file.
  Result<JournalContents> Read();

  // Size a mapped journal starts with.
  static constexpr size_t kInitialMapBytes = 1u << 20;

 private:
  // Preallocates `bytes` and maps them; false (and nothing mapped) if the
  // file system or the kernel refuses.
  bool Map(size_t bytes);
  Status Grow(size_t need);

  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  bool broken_ = false;
  char* map_ = nullptr;  // mapped: the file's first cap_ bytes
  size_t cap_ = 0;
};

}  // namespace gwanmun::store

#endif  // GWANMUN_STORE_AUDIT_JOURNAL_H_
