#include "store/audit_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <utility>

#include "store/crypto.h"

namespace gwanmun::store {
namespace {

constexpr char kMagic[4] = {'G', 'W', 'A', 'J'};
constexpr size_t kHeaderSize = 20;  // magic, version, 3 zero bytes, length, jseq
constexpr size_t kChecksumSize = 16;

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutString(std::string& out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// Reads the payload fields in order; any overrun or leftover byte fails.
class PayloadReader {
 public:
  explicit PayloadReader(std::string_view p) : p_(p) {}
  bool String(std::string& out) {
    if (p_.size() < 4) return false;
    uint32_t n = GetU32(p_.data());
    p_.remove_prefix(4);
    if (p_.size() < n) return false;
    out.assign(p_.data(), n);
    p_.remove_prefix(n);
    return true;
  }
  bool U64(uint64_t& out) {
    if (p_.size() < 8) return false;
    out = GetU64(p_.data());
    p_.remove_prefix(8);
    return true;
  }
  bool I64(int64_t& out) {
    uint64_t u = 0;
    if (!U64(u)) return false;
    out = static_cast<int64_t>(u);
    return true;
  }
  bool Done() const { return p_.empty(); }

 private:
  std::string_view p_;
};

bool DecodePayload(std::string_view payload, AuditRecord& r) {
  PayloadReader in(payload);
  int64_t status = 0;
  uint64_t latency_bits = 0;
  if (!(in.String(r.time) && in.String(r.request_id) && in.String(r.key_id) && in.String(r.team) &&
        in.String(r.endpoint) && in.String(r.model) && in.String(r.upstream) && in.String(r.region) && in.I64(status) &&
        in.U64(latency_bits) && in.I64(r.tokens_in) && in.I64(r.tokens_out) && in.String(r.findings) &&
        in.String(r.action) && in.String(r.fingerprints) && in.Done())) {
    return false;
  }
  if (status < std::numeric_limits<int>::min() || status > std::numeric_limits<int>::max()) {
    return false;
  }
  r.status = static_cast<int>(status);
  std::memcpy(&r.latency_ms, &latency_bits, sizeof latency_bits);
  return true;
}

Status Errno(const std::string& what, int err) { return Status::Error(what + ": " + std::strerror(err)); }

// pwrite(2) of all of `data` at `offset`, retrying on EINTR only before
// anything is written; a short write is reported as an error (the caller
// cuts back).
Status WriteOnce(int fd, std::string_view data, off_t offset, const std::string& path) {
  for (;;) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("write " + path, errno);
    if (static_cast<size_t>(n) != data.size()) {
      return Status::Error("write " + path + ": short write (disk full?)");
    }
    return Status::Ok();
  }
}

}  // namespace

std::string EncodeJournalEntry(int64_t jseq, const AuditRecord& r) {
  std::string payload;
  payload.reserve(256 + r.time.size() + r.request_id.size() + r.team.size() + r.findings.size() +
                  r.fingerprints.size() + r.model.size());
  PutString(payload, r.time);
  PutString(payload, r.request_id);
  PutString(payload, r.key_id);
  PutString(payload, r.team);
  PutString(payload, r.endpoint);
  PutString(payload, r.model);
  PutString(payload, r.upstream);
  PutString(payload, r.region);
  PutU64(payload, static_cast<uint64_t>(static_cast<int64_t>(r.status)));
  uint64_t latency_bits = 0;
  std::memcpy(&latency_bits, &r.latency_ms, sizeof latency_bits);
  PutU64(payload, latency_bits);
  PutU64(payload, static_cast<uint64_t>(r.tokens_in));
  PutU64(payload, static_cast<uint64_t>(r.tokens_out));
  PutString(payload, r.findings);
  PutString(payload, r.action);
  PutString(payload, r.fingerprints);

  std::string frame;
  frame.reserve(kHeaderSize + payload.size() + kChecksumSize);
  frame.append(kMagic, sizeof kMagic);
  frame.push_back(static_cast<char>(kJournalVersion));
  frame.append(3, '\0');
  PutU32(frame, static_cast<uint32_t>(payload.size()));
  PutU64(frame, static_cast<uint64_t>(jseq));
  frame.append(payload);
  Sha256Digest sum = Sha256(frame);
  frame.append(reinterpret_cast<const char*>(sum.data()), kChecksumSize);
  return frame;
}

JournalContents DecodeJournal(std::string_view bytes) {
  JournalContents out;
  size_t pos = 0;
  int64_t last_jseq = 0;
  while (pos < bytes.size()) {
    std::string_view rest = bytes.substr(pos);
    if (rest.size() < kHeaderSize) break;
    if (std::memcmp(rest.data(), kMagic, sizeof kMagic) != 0) break;
    if (static_cast<uint8_t>(rest[4]) != kJournalVersion || rest[5] != 0 || rest[6] != 0 || rest[7] != 0) {
      break;
    }
    const uint32_t len = GetU32(rest.data() + 8);
    if (len > kMaxJournalPayload) break;
    const size_t total = kHeaderSize + len + kChecksumSize;
    if (rest.size() < total) break;  // torn
    Sha256Digest sum = Sha256(rest.substr(0, kHeaderSize + len));
    if (std::memcmp(sum.data(), rest.data() + kHeaderSize + len, kChecksumSize) != 0) break;
    const uint64_t jseq_bits = GetU64(rest.data() + 12);
    if (jseq_bits > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) break;
    const auto jseq = static_cast<int64_t>(jseq_bits);
    if (jseq <= last_jseq) break;
    JournalEntry e;
    e.jseq = jseq;
    if (!DecodePayload(rest.substr(kHeaderSize, len), e.record)) break;
    out.entries.push_back(std::move(e));
    last_jseq = jseq;
    pos += total;
  }
  out.valid_bytes = pos;
  size_t end = bytes.size();
  while (end > pos && bytes[end - 1] == '\0') --end;  // preallocated room
  out.ignored_bytes = end - pos;
  return out;
}

std::string JournalPathPrefix(const std::string& db_path) { return db_path + "-audit-"; }

Result<std::unique_ptr<JournalFile>> JournalFile::Create(const std::string& db_path, bool sync_dir) {
  const std::string path = JournalPathPrefix(db_path) + std::to_string(::getpid()) + "-" + HexEncode(RandomBytes(4)) +
                           std::string(kJournalSuffix);
  // Created and locked under a name recovery ignores, then linked to its
  // real name: the journal is never visible unlocked.
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create audit journal " + tmp, errno);
  auto file = std::make_unique<JournalFile>(Key(), path, fd, 0);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Errno("lock audit journal " + tmp, err);
  }
  // link(), unlike rename(), never replaces a file (say an orphan with the
  // same name): that fails instead.
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Errno("name audit journal " + path, err);
  }
  ::unlink(tmp.c_str());
  if (sync_dir) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (dir.empty()) dir = ".";
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return Errno("open " + dir, errno);
    int rc = ::fsync(dfd);
    int err = errno;
    ::close(dfd);
    if (rc != 0) return Errno("fsync " + dir, err);
  }
  (void)file->Map(kInitialMapBytes);  // else write(2) per append
  return file;
}

bool JournalFile::Map(size_t bytes) {
  // Preallocated, so that writing through the mapping never needs a block
  // the disk does not have (that would be SIGBUS, not an error).
  if (::posix_fallocate(fd_, 0, static_cast<off_t>(bytes)) != 0) return false;
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (p == MAP_FAILED) return false;
  map_ = static_cast<char*>(p);
  cap_ = bytes;
  return true;
}

Status JournalFile::Grow(size_t need) {
  size_t cap = cap_;
  while (cap < need) cap *= 2;
  if (int err = ::posix_fallocate(fd_, 0, static_cast<off_t>(cap)); err != 0) {
    return Errno("grow audit journal " + path_, err);
  }
  void* p = ::mremap(map_, cap_, cap, MREMAP_MAYMOVE);
  if (p == MAP_FAILED) return Errno("remap audit journal " + path_, errno);
  map_ = static_cast<char*>(p);
  cap_ = cap;
  return Status::Ok();
}

Result<std::vector<std::unique_ptr<JournalFile>>> JournalFile::OpenOrphans(const std::string& db_path) {
  namespace fs = std::filesystem;
  const std::string prefix = JournalPathPrefix(db_path);
  const fs::path prefix_path(prefix);
  fs::path dir = prefix_path.parent_path();
  if (dir.empty()) dir = ".";
  const std::string name_prefix = prefix_path.filename().string();
  std::vector<std::string> paths;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() > name_prefix.size() + kJournalSuffix.size() &&
        name.compare(0, name_prefix.size(), name_prefix) == 0 && name.ends_with(kJournalSuffix)) {
      paths.push_back((dir / name).string());
    }
  }
  if (ec) return Status::Error("scan " + dir.string() + " for audit journals: " + ec.message());
  std::sort(paths.begin(), paths.end());
  std::vector<std::unique_ptr<JournalFile>> out;
  for (const std::string& path : paths) {
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      if (errno == ENOENT) continue;  // recovered by someone else meanwhile
      return Errno("open audit journal " + path, errno);
    }
    auto file = std::make_unique<JournalFile>(Key(), path, fd, 0);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) continue;  // its owner is alive
      return Errno("lock audit journal " + path, errno);
    }
    // Another process may have recovered and unlinked it between our open
    // and our lock: then this is a dead inode, not the journal.
    struct stat by_fd {};
    struct stat by_path {};
    if (::fstat(fd, &by_fd) != 0) return Errno("stat " + path, errno);
    if (::stat(path.c_str(), &by_path) != 0) {
      if (errno == ENOENT) continue;
      return Errno("stat " + path, errno);
    }
    if (by_fd.st_dev != by_path.st_dev || by_fd.st_ino != by_path.st_ino) continue;
    file->size_ = static_cast<uint64_t>(by_fd.st_size);
    out.push_back(std::move(file));
  }
  return out;
}

JournalFile::~JournalFile() {
  if (map_ != nullptr) ::munmap(map_, cap_);
  if (fd_ >= 0) ::close(fd_);
}

std::string JournalFile::name() const { return std::filesystem::path(path_).filename().string(); }

Status JournalFile::Append(std::string_view frame) {
  if (broken_) return Status::Error("audit journal " + path_ + " is unusable after a failed write");
  if (map_ != nullptr) {
    if (size_ + frame.size() > cap_) {
      if (Status g = Grow(size_ + frame.size()); !g.ok()) return g;
    }
    std::memcpy(map_ + size_, frame.data(), frame.size());
    size_ += frame.size();
    return Status::Ok();
  }
  Status s = WriteOnce(fd_, frame, static_cast<off_t>(size_), path_);
  if (s.ok()) {
    size_ += frame.size();
    return s;
  }
  // Cut back whatever part of the frame may have been written, so later
  // frames follow a valid prefix.
  if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) broken_ = true;
  return s;
}

Status JournalFile::Sync() {
  if (::fdatasync(fd_) != 0) return Errno("fdatasync " + path_, errno);
  return Status::Ok();
}

Status JournalFile::Truncate() {
  if (map_ != nullptr) {
    // Zeroed, not cut: the room stays allocated and mapped. Zeros end the
    // valid part, so nothing written before is read again.
    std::memset(map_, 0, size_);
    size_ = 0;
    if (cap_ > kInitialMapBytes) {
      void* p = ::mremap(map_, cap_, kInitialMapBytes, 0);  // shrinking stays in place
      if (p != MAP_FAILED) {
        cap_ = kInitialMapBytes;
        (void)::ftruncate(fd_, static_cast<off_t>(cap_));
      }
    }
    return Status::Ok();
  }
  if (::ftruncate(fd_, 0) != 0) return Errno("truncate " + path_, errno);
  size_ = 0;
  return Status::Ok();
}

Status JournalFile::Unlink() {
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) return Errno("remove " + path_, errno);
  return Status::Ok();
}

Result<JournalContents> JournalFile::Read() {
  std::string bytes;
  char buf[1 << 16];
  off_t off = 0;
  for (;;) {
    ssize_t n = ::pread(fd_, buf, sizeof buf, off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("read " + path_, errno);
    if (n == 0) break;
    bytes.append(buf, static_cast<size_t>(n));
    off += n;
  }
  return DecodeJournal(bytes);
}

}  // namespace gwanmun::store
