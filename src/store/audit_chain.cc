#include "store/audit_chain.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <utility>

#include "store/crypto.h"

namespace gwanmun::store {
namespace {

void Field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.push_back(' ');
  out.append(std::to_string(value.size()));
  out.push_back(' ');
  out.append(value);
  out.push_back('\n');
}

void Field(std::string& out, std::string_view name, int64_t value) { Field(out, name, std::to_string(value)); }

std::string FormatLatency(double v) {
  char buf[352];  // enough for any finite double with 3 decimals
  int n = std::snprintf(buf, sizeof buf, "%.3f", v);
  return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

}  // namespace

void NormalizeAuditRecord(AuditRecord& r) {
  if (r.time.empty()) r.time = NowRfc3339Millis();
  if (r.findings.empty()) r.findings = "{}";
  if (r.fingerprints.empty()) r.fingerprints = "[]";
  if (!std::isfinite(r.latency_ms)) r.latency_ms = 0;
  r.latency_ms = std::round(r.latency_ms * 1000.0) / 1000.0;
  if (!std::isfinite(r.latency_ms) || r.latency_ms == 0) r.latency_ms = 0;  // also -0.0
}

std::string CanonicalAuditForm(const AuditRecord& r) {
  std::string out;
  out.reserve(256 + r.time.size() + r.request_id.size() + r.key_id.size() + r.team.size() + r.endpoint.size() +
              r.model.size() + r.upstream.size() + r.region.size() + r.findings.size() + r.action.size() +
              r.fingerprints.size());
  out.append("gwanmun-audit-v1\n");
  Field(out, "seq", r.seq);
  Field(out, "time", r.time);
  Field(out, "request_id", r.request_id);
  Field(out, "key_id", r.key_id);
  Field(out, "team", r.team);
  Field(out, "endpoint", r.endpoint);
  Field(out, "model", r.model);
  Field(out, "upstream", r.upstream);
  Field(out, "region", r.region);
  Field(out, "status", static_cast<int64_t>(r.status));
  Field(out, "latency_ms", FormatLatency(r.latency_ms));
  Field(out, "tokens_in", r.tokens_in);
  Field(out, "tokens_out", r.tokens_out);
  Field(out, "findings", r.findings);
  Field(out, "action", r.action);
  Field(out, "fingerprints", r.fingerprints);
  return out;
}

std::string ChainHash(std::string_view prev_hash, const AuditRecord& record) {
  return HexEncode(Sha256(prev_hash, CanonicalAuditForm(record)));
}

std::string NowRfc3339Millis() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

void ChainVerifier::Problem(std::string message) {
  report_.ok = false;
  ++report_.problem_count;
  if (report_.problems.size() < kMaxListedProblems) report_.problems.push_back(std::move(message));
}

void ChainVerifier::Add(const AuditRecord& r) {
  ++report_.records;
  const std::string seq = "record seq " + std::to_string(r.seq);
  int64_t expected = last_seq_ + 1;
  if (r.seq > expected) {
    Problem(r.seq == expected + 1 ? "record seq " + std::to_string(expected) + " is missing (deleted)"
                                  : "records seq " + std::to_string(expected) + ".." + std::to_string(r.seq - 1) +
                                        " are missing (deleted)");
  } else if (r.seq < expected) {
    Problem(seq + ": out of order after seq " + std::to_string(last_seq_));
  }
  if (r.prev_hash != last_hash_) {
    Problem(seq + ": prev_hash does not match the hash of " +
            (last_seq_ == 0 ? std::string("the chain start") : "record seq " + std::to_string(last_seq_)) +
            " (a record before it was deleted, inserted or reordered)");
  }
  if (ChainHash(r.prev_hash, r) != r.hash) {
    Problem(seq + ": content does not match its hash (edited or moved)");
  }
  last_seq_ = r.seq;
  last_hash_ = r.hash;
}

VerifyReport ChainVerifier::Finish(const AuditHead& head) {
  report_.head_seq = head.seq;
  report_.head_hash = head.hash;
  if (head.seq > last_seq_) {
    Problem("log truncated: the head names seq " + std::to_string(head.seq) + " but the last record is seq " +
            std::to_string(last_seq_) + " (records " + std::to_string(last_seq_ + 1) + ".." + std::to_string(head.seq) +
            " are missing)");
  } else if (head.seq < last_seq_) {
    Problem("records after seq " + std::to_string(head.seq) + " up to seq " + std::to_string(last_seq_) +
            " were not appended through gwanmun (head is seq " + std::to_string(head.seq) + ")");
  } else if (head.hash != last_hash_) {
    Problem("head hash does not match the hash of the last record (seq " + std::to_string(last_seq_) + ")");
  }
  return std::move(report_);
}

}  // namespace gwanmun::store
