#include "cli/audit_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

namespace gwanmun::cli {
namespace {

using Json = nlohmann::ordered_json;
constexpr size_t kPage = 5000;

std::string Dump(const Json& j, int indent = -1) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

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
                  (r.key_id.empty() ? "-" : r.key_id) + " team=" + (r.team.empty() ? "-" : r.team) +
                  " " + r.endpoint + " model=" + (r.model.empty() ? "-" : r.model) +
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
    out << "audit log intact: " << r.records << " records, head seq " << r.head_seq << " hash "
        << r.head_hash << '\n';
  } else {
    out << "audit log BROKEN: " << r.problem_count << " problem(s) in " << r.records
        << " records (head seq " << r.head_seq << "):\n";
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
    err << "gwanmun audit export: write failed"
        << (to_file ? " (" + options.output + ")" : std::string()) << '\n';
    return 2;
  }
  if (to_file) err << "exported " << count << " records to " << options.output << '\n';
  return 0;
}

AuditCommand::AuditCommand(CLI::App& app) {
  audit_ = app.add_subcommand("audit", "Inspect the chained audit log (verify, tail, export)");
  audit_->require_subcommand(1);

  verify_ = audit_->add_subcommand(
      "verify", "Check the hash chain: exit 0 if intact, 1 naming every broken record");
  verify_->add_flag("--json", verify_options_.json, "Print one JSON object");
  AddStoreOptions(*verify_, verify_options_.store);

  tail_ = audit_->add_subcommand("tail", "Print the last records");
  tail_->add_option("-n,--lines", tail_options_.lines, "How many records (default 10)")
      ->check(CLI::NonNegativeNumber);
  tail_->add_flag("-f,--follow", tail_options_.follow, "Keep printing new records");
  tail_->add_option("--interval-ms", tail_options_.interval_ms, "Polling interval with --follow")
      ->check(CLI::Range(10, 60000));
  tail_->add_option("--format", tail_options_.format, "text or jsonl")
      ->check(CLI::IsMember({"text", "jsonl"}));
  AddStoreOptions(*tail_, tail_options_.store);

  export_ = audit_->add_subcommand("export", "Write every record (with hashes) as JSONL or CSV");
  export_->add_option("--format", export_options_.format, "jsonl (default) or csv")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  export_->add_option("-o,--output", export_options_.output, "Output file (default: stdout)");
  export_
      ->add_option("--after-seq", export_options_.after_seq,
                   "Only records after this seq (incremental exports)")
      ->check(CLI::NonNegativeNumber);
  AddStoreOptions(*export_, export_options_.store);
}

bool AuditCommand::parsed() const { return audit_->parsed(); }

int AuditCommand::Run(std::ostream& out, std::ostream& err) const {
  if (verify_->parsed()) return RunAuditVerify(verify_options_, out, err);
  if (tail_->parsed()) return RunAuditTail(tail_options_, out, err);
  if (export_->parsed()) return RunAuditExport(export_options_, out, err);
  return 2;
}

}  // namespace gwanmun::cli
