#include "cli/audit_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <istream>
#include <limits>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "config/config.h"
#include "store/crypto.h"
#include "store/fingerprint.h"

namespace gwanmun::cli {
namespace {

using Json = nlohmann::ordered_json;
constexpr size_t kPage = 5000;

std::string Dump(const Json& j, int indent = -1) { return j.dump(indent, ' ', false, Json::error_handler_t::replace); }

std::string Latency(double ms) {
  char buf[352];
  int n = std::snprintf(buf, sizeof buf, "%.3f", ms);
  return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

Json RecordJson(const store::AuditRecord& r) {
  Json j;
  j["seq"] = r.seq;
  j["time"] = r.time;
  j["request_id"] = r.request_id;
  j["key_id"] = r.key_id;
  j["team"] = r.team;
  j["endpoint"] = r.endpoint;
  j["model"] = r.model;
  j["upstream"] = r.upstream;
  j["region"] = r.region;
  j["status"] = r.status;
  j["latency_ms"] = r.latency_ms;
  j["tokens_in"] = r.tokens_in;
  j["tokens_out"] = r.tokens_out;
  // findings and fingerprints stay the exact strings that were hashed.
  j["findings"] = r.findings;
  j["action"] = r.action;
  j["fingerprints"] = r.fingerprints;
  j["prev_hash"] = r.prev_hash;
  j["hash"] = r.hash;
  return j;
}

std::string RecordText(const store::AuditRecord& r) {
  std::string s = "#" + std::to_string(r.seq) + " " + r.time + " " + r.request_id + " " +
                  (r.key_id.empty() ? "-" : r.key_id) + " team=" + (r.team.empty() ? "-" : r.team) + " " + r.endpoint +
                  " model=" + (r.model.empty() ? "-" : r.model) +
                  " upstream=" + (r.upstream.empty() ? "-" : r.upstream);
  if (!r.region.empty()) s += "(" + r.region + ")";
  s += " status=" + std::to_string(r.status) + " " + Latency(r.latency_ms) +
       "ms tokens=" + std::to_string(r.tokens_in) + "/" + std::to_string(r.tokens_out);
  if (!r.action.empty()) s += " action=" + r.action;
  if (r.findings != "{}" && !r.findings.empty()) s += " findings=" + r.findings;
  return s;
}

// RFC 4180: quote fields holding a separator, quote or line break.
std::string CsvField(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string CsvRow(const store::AuditRecord& r) {
  const std::string fields[] = {std::to_string(r.seq),
                                r.time,
                                r.request_id,
                                r.key_id,
                                r.team,
                                r.endpoint,
                                r.model,
                                r.upstream,
                                r.region,
                                std::to_string(r.status),
                                Latency(r.latency_ms),
                                std::to_string(r.tokens_in),
                                std::to_string(r.tokens_out),
                                r.findings,
                                r.action,
                                r.fingerprints,
                                r.prev_hash,
                                r.hash};
  std::string line;
  for (size_t i = 0; i < std::size(fields); ++i) {
    if (i > 0) line += ',';
    line += CsvField(fields[i]);
  }
  return line;
}

constexpr const char* kCsvHeader =
    "seq,time,request_id,key_id,team,endpoint,model,upstream,region,status,latency_ms,"
    "tokens_in,tokens_out,findings,action,fingerprints,prev_hash,hash";

// One record found by `audit search`: where and how the value went, and as
// what types. No findings counts, tokens or hashes (see `audit export`).
struct SearchHit {
  store::AuditRecord record;
  std::vector<std::string> types;
};

// The record's fields (as `audit export` writes them) without metrics,
// findings, fingerprints or hashes, plus the matching types.
Json SearchHitJson(const SearchHit& h) {
  Json j = RecordJson(h.record);
  for (const char* k : {"latency_ms", "tokens_in", "tokens_out", "findings", "fingerprints", "prev_hash", "hash"}) {
    j.erase(k);
  }
  j["types"] = h.types;
  return j;
}

std::string SearchHitText(const SearchHit& h) {
  const store::AuditRecord& r = h.record;
  auto or_dash = [](const std::string& v) { return v.empty() ? std::string("-") : v; };
  std::string types;
  for (const auto& t : h.types) types += (types.empty() ? "" : ",") + t;
  return "#" + std::to_string(r.seq) + " " + r.time + " " + r.request_id + " " + or_dash(r.key_id) +
         " team=" + or_dash(r.team) + " " + r.endpoint + " model=" + or_dash(r.model) +
         " upstream=" + or_dash(r.upstream) + " region=" + or_dash(r.region) + " status=" + std::to_string(r.status) +
         " action=" + or_dash(r.action) + " types=" + or_dash(types);
}

// The fingerprint secret: --secret-env, --secret-file, else --config's audit
// section. Messages never contain the secret.
Result<std::string> SearchSecret(const AuditSearchOptions& options) {
  std::string secret;
  if (!options.secret_env.empty() || !options.secret_file.empty()) {
    if (!options.secret_env.empty() && !options.secret_file.empty()) {
      return Status::Error("give --secret-env or --secret-file, not both");
    }
    config::AuditConfig audit;
    audit.fingerprint_secret_env = options.secret_env;
    audit.fingerprint_secret_file = options.secret_file;
    auto s = config::ResolveFingerprintSecret(audit);
    if (!s.ok()) return s.status();
    secret = std::move(s).value();
  } else if (!options.store.config.empty()) {
    auto cfg = config::LoadConfigFile(options.store.config);
    if (!cfg.ok()) return cfg.status();
    auto s = config::ResolveFingerprintSecret(cfg.value().audit);
    if (!s.ok()) return s.status();
    secret = std::move(s).value();
  }
  if (secret.empty()) {
    return Status::Error(
        "no fingerprint secret configured: set audit.fingerprint_secret_env in the config or pass "
        "--secret-env");
  }
  return secret;
}

std::string AsciiUpper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

}  // namespace

int RunAuditVerify(const AuditVerifyOptions& options, std::ostream& out, std::ostream& err) {
  auto store = OpenStoreForCommand(options.store);
  if (!store.ok()) {
    err << "gwanmun audit verify: " << store.status().message() << '\n';
    return 2;
  }
  auto report = store.value()->VerifyAudit();
  if (!report.ok()) {
    err << "gwanmun audit verify: " << report.status().message() << '\n';
    return 2;
  }
  const store::VerifyReport& r = report.value();
  if (options.json) {
    Json j;
    j["ok"] = r.ok;
    j["records"] = r.records;
    j["head_seq"] = r.head_seq;
    j["head_hash"] = r.head_hash;
    j["problem_count"] = r.problem_count;
    j["problems"] = r.problems;
    out << Dump(j) << '\n';
  } else if (r.ok) {
    out << "audit log intact: " << r.records << " records, head seq " << r.head_seq << " hash " << r.head_hash << '\n';
  } else {
    out << "audit log BROKEN: " << r.problem_count << " problem(s) in " << r.records << " records (head seq "
        << r.head_seq << "):\n";
    for (const auto& p : r.problems) out << "  - " << p << '\n';
    if (r.problem_count > static_cast<int64_t>(r.problems.size())) {
      out << "  … and " << (r.problem_count - static_cast<int64_t>(r.problems.size())) << " more\n";
    }
  }
  return r.ok ? 0 : 1;
}

int RunAuditTail(const AuditTailOptions& options, std::ostream& out, std::ostream& err) {
  if (options.format != "text" && options.format != "jsonl") {
    err << "gwanmun audit tail: --format must be text or jsonl\n";
    return 2;
  }
  auto store = OpenStoreForCommand(options.store);
  if (!store.ok()) {
    err << "gwanmun audit tail: " << store.status().message() << '\n';
    return 2;
  }
  auto head = store.value()->ReadAuditHead();
  if (!head.ok()) {
    err << "gwanmun audit tail: " << head.status().message() << '\n';
    return 2;
  }
  int64_t last = std::max<int64_t>(0, head.value().seq - std::max<int64_t>(0, options.lines));
  for (;;) {
    auto records = store.value()->ReadAudit(last, kPage);
    if (!records.ok()) {
      err << "gwanmun audit tail: " << records.status().message() << '\n';
      return 2;
    }
    for (const auto& r : records.value()) {
      out << (options.format == "jsonl" ? Dump(RecordJson(r)) : RecordText(r)) << '\n';
      last = r.seq;
    }
    out.flush();
    if (!out) return 2;  // e.g. the reader went away
    if (!options.follow) {
      // Without follow, print exactly the last N present at the start.
      if (last >= head.value().seq || records.value().empty()) break;
      continue;
    }
    if (records.value().size() < kPage) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::max(10, options.interval_ms)));
    }
  }
  return 0;
}

int RunAuditExport(const AuditExportOptions& options, std::ostream& out, std::ostream& err) {
  if (options.format != "jsonl" && options.format != "csv") {
    err << "gwanmun audit export: --format must be jsonl or csv\n";
    return 2;
  }
  auto store = OpenStoreForCommand(options.store);
  if (!store.ok()) {
    err << "gwanmun audit export: " << store.status().message() << '\n';
    return 2;
  }
  std::ofstream file;
  const bool to_file = !options.output.empty() && options.output != "-";
  if (to_file) {
    file.open(options.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      err << "gwanmun audit export: cannot write " << options.output << '\n';
      return 2;
    }
  }
  std::ostream& sink = to_file ? static_cast<std::ostream&>(file) : out;
  const bool csv = options.format == "csv";
  if (csv) sink << kCsvHeader << '\n';
  int64_t last = std::max<int64_t>(0, options.after_seq);
  int64_t count = 0;
  for (;;) {
    auto records = store.value()->ReadAudit(last, kPage);
    if (!records.ok()) {
      err << "gwanmun audit export: " << records.status().message() << '\n';
      return 2;
    }
    for (const auto& r : records.value()) {
      sink << (csv ? CsvRow(r) : Dump(RecordJson(r))) << '\n';
      last = r.seq;
      ++count;
    }
    if (records.value().size() < kPage) break;
  }
  sink.flush();
  if (!sink) {
    err << "gwanmun audit export: write failed" << (to_file ? " (" + options.output + ")" : std::string()) << '\n';
    return 2;
  }
  if (to_file) err << "exported " << count << " records to " << options.output << '\n';
  return 0;
}

int RunAuditSearch(const AuditSearchOptions& options, std::istream& in, std::ostream& out, std::ostream& err) {
  // Nothing below may print options.value (or anything derived from it but
  // the records found).
  constexpr std::string_view kCmd = "gwanmun audit search: ";
  if (options.limit <= 0) {
    err << kCmd << "--limit must be at least 1\n";
    return 2;
  }
  std::string value = options.value;
  if (value == "-") {
    if (!std::getline(in, value)) value.clear();
    if (!value.empty() && value.back() == '\r') value.pop_back();
  }
  if (store::CanonicalValue(value).empty()) {
    err << kCmd << "the value is empty (after removing whitespace)\n";
    return 2;
  }
  auto secret = SearchSecret(options);
  if (!secret.ok()) {
    err << kCmd << secret.status().message() << '\n';
    return 2;
  }
  auto store = OpenStoreForCommand(options.store);
  if (!store.ok()) {
    err << kCmd << store.status().message() << '\n';
    return 2;
  }
  if (Status s = store::EnsureCryptoInit(); !s.ok()) {
    err << kCmd << s.message() << '\n';
    return 2;
  }
  const std::string fingerprint = store::Fingerprint(secret.value(), value);
  const std::string type = AsciiUpper(options.type);
  const auto limit = static_cast<size_t>(options.limit);
  // One more than asked, to tell whether --limit cut the list. With --type
  // some records of this fingerprint may be of other types (one value found
  // as two types), so fetch more until enough are left or there are no more.
  const size_t want = limit < std::numeric_limits<size_t>::max() ? limit + 1 : limit;
  size_t fetch = want;
  std::vector<SearchHit> hits;
  for (;;) {
    auto records = store.value()->FindAuditByFingerprint(fingerprint, fetch);
    if (!records.ok()) {
      err << kCmd << records.status().message() << '\n';
      return 2;
    }
    hits.clear();
    for (auto& r : records.value()) {
      SearchHit h;
      h.types = store::MatchingFingerprintTypes(r.fingerprints, fingerprint);
      if (!type.empty()) {
        bool has = std::find(h.types.begin(), h.types.end(), type) != h.types.end();
        h.types.assign(has ? 1 : 0, type);
      }
      if (h.types.empty()) continue;
      h.record = std::move(r);
      hits.push_back(std::move(h));
    }
    if (hits.size() >= want || records.value().size() < fetch) break;
    fetch = fetch > std::numeric_limits<size_t>::max() / 4 ? std::numeric_limits<size_t>::max() : fetch * 4;
  }
  const bool truncated = hits.size() > limit;
  if (truncated) hits.resize(limit);
  for (const auto& h : hits) {
    out << (options.json ? Dump(SearchHitJson(h)) : SearchHitText(h)) << '\n';
  }
  out.flush();
  if (!out) {
    err << kCmd << "write failed\n";
    return 2;
  }
  if (truncated) {
    err << kCmd << "stopped after " << limit << " records (raise --limit for more)\n";
  }
  if (hits.empty()) {
    err << kCmd << "no record holds this value" << (type.empty() ? std::string() : " as " + type) << '\n';
    return 1;
  }
  return 0;
}

AuditCommand::AuditCommand(CLI::App& app) {
  audit_ = app.add_subcommand("audit", "Inspect the chained audit log (verify, tail, export, search)");
  audit_->require_subcommand(1);

  verify_ = audit_->add_subcommand("verify", "Check the hash chain: exit 0 if intact, 1 naming every broken record");
  verify_->add_flag("--json", verify_options_.json, "Print one JSON object");
  AddStoreOptions(*verify_, verify_options_.store);

  tail_ = audit_->add_subcommand("tail", "Print the last records");
  tail_->add_option("-n,--lines", tail_options_.lines, "How many records (default 10)")->check(CLI::NonNegativeNumber);
  tail_->add_flag("-f,--follow", tail_options_.follow, "Keep printing new records");
  tail_->add_option("--interval-ms", tail_options_.interval_ms, "Polling interval with --follow")
      ->check(CLI::Range(10, 60000));
  tail_->add_option("--format", tail_options_.format, "text or jsonl")->check(CLI::IsMember({"text", "jsonl"}));
  AddStoreOptions(*tail_, tail_options_.store);

  export_ = audit_->add_subcommand("export", "Write every record (with hashes) as JSONL or CSV");
  export_->add_option("--format", export_options_.format, "jsonl (default) or csv")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  export_->add_option("-o,--output", export_options_.output, "Output file (default: stdout)");
  export_->add_option("--after-seq", export_options_.after_seq, "Only records after this seq (incremental exports)")
      ->check(CLI::NonNegativeNumber);
  AddStoreOptions(*export_, export_options_.store);

  search_ = audit_->add_subcommand(
      "search", "Find the requests that carried a value (by its HMAC fingerprint): exit 0 if any, 1 if none");
  search_
      ->add_option("--value", search_options_.value,
                   "The value to look for (e.g. an RRN); - reads it from stdin. Never printed")
      ->required();
  search_->add_option("--type", search_options_.type, "Only where it was found as this type");
  auto* env = search_->add_option("--secret-env", search_options_.secret_env,
                                  "Environment variable holding the fingerprint secret "
                                  "(default: audit section of --config)");
  auto* file = search_->add_option("--secret-file", search_options_.secret_file, "File holding the fingerprint secret");
  env->excludes(file);
  search_->add_flag("--json", search_options_.json, "One JSON object per record (JSONL)");
  search_->add_option("--limit", search_options_.limit, "At most this many records (default 1000)")
      ->check(CLI::PositiveNumber);
  AddStoreOptions(*search_, search_options_.store);
  // Stray arguments are rejected in Run() without echoing them: a value
  // typed with a space (--value 900101 1234567) must not end up in an error.
  search_->allow_extras();
}

bool AuditCommand::parsed() const { return audit_->parsed(); }

int AuditCommand::Run(std::ostream& out, std::ostream& err) const {
  if (verify_->parsed()) return RunAuditVerify(verify_options_, out, err);
  if (tail_->parsed()) return RunAuditTail(tail_options_, out, err);
  if (export_->parsed()) return RunAuditExport(export_options_, out, err);
  if (search_->parsed()) {
    if (!search_->remaining().empty()) {
      err << "gwanmun audit search: unexpected extra arguments (not shown; quote a value that "
             "contains spaces)\n";
      return 2;
    }
    return RunAuditSearch(search_options_, std::cin, out, err);
  }
  return 2;
}

}  // namespace gwanmun::cli
