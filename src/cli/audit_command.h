// `gwanmun audit verify|tail|export|search`: the chained audit log (one
// record per request, no content).
//
// Exit codes: 0 success (verify: the chain is intact; search: at least one
// record matched); 1 verify found broken records (each named in the report),
// or search matched none (like grep); 2 errors (bad arguments, store
// unreadable, output file unwritable, no fingerprint secret).

#ifndef GWANMUN_CLI_AUDIT_COMMAND_H_
#define GWANMUN_CLI_AUDIT_COMMAND_H_

#include <cstdint>
#include <iosfwd>
#include <string>

#include "cli/store_command.h"

namespace gwanmun::cli {

struct AuditVerifyOptions {
  StoreCommandOptions store;
  bool json = false;  // one JSON object {ok, records, head_seq, head_hash, problems}
};

struct AuditTailOptions {
  StoreCommandOptions store;
  int64_t lines = 10;           // the last N records (then new ones with follow)
  bool follow = false;          // keep printing records as they are appended
  int interval_ms = 500;        // polling interval with follow
  std::string format = "text";  // "text" or "jsonl"
};

struct AuditExportOptions {
  StoreCommandOptions store;
  std::string format = "jsonl";  // "jsonl" or "csv"
  std::string output;            // file; "" or "-" = stdout
  int64_t after_seq = 0;         // only records with seq > after_seq
};

struct AuditSearchOptions {
  StoreCommandOptions store;
  // The value to look for (an RRN, a phone number, an e-mail address …);
  // "-" reads it from the first line of `in` instead, which keeps it out of
  // the process list and shell history. Never printed, not even in errors.
  std::string value;
  std::string type;         // only entries of this type, e.g. KR_RRN ("" = any)
  std::string secret_env;   // the fingerprint secret from this variable …
  std::string secret_file;  // … or file; neither: the --config file's audit section
  bool json = false;        // JSONL instead of text lines
  int64_t limit = 1000;     // at most this many records (oldest first)
};

int RunAuditVerify(const AuditVerifyOptions& options, std::ostream& out, std::ostream& err);
int RunAuditTail(const AuditTailOptions& options, std::ostream& out, std::ostream& err);
// Every field of every record, including prev_hash and hash, so an export can
// be re-verified elsewhere (see store/audit_chain.h for the canonical form).
int RunAuditExport(const AuditExportOptions& options, std::ostream& out, std::ostream& err);
// Computes store::Fingerprint(secret, value) and prints every record whose
// fingerprints hold it (restricted to `type` if given): seq, time,
// request_id, key_id, team, endpoint, model, upstream, region, status, action
// and the matching types, one line (or JSON object) per record. The secret
// is, first that applies: --secret-env, --secret-file, the audit section of
// --config (config::ResolveFingerprintSecret); otherwise an error. It must be
// the gateway's secret, or nothing will match.
int RunAuditSearch(const AuditSearchOptions& options, std::istream& in, std::ostream& out, std::ostream& err);

// Registers `audit` and its subcommands on `app`; after parsing, Run() runs
// the one that was given. Must outlive parsing (CLI11 writes into it).
class AuditCommand {
 public:
  explicit AuditCommand(CLI::App& app);
  AuditCommand(const AuditCommand&) = delete;
  AuditCommand& operator=(const AuditCommand&) = delete;

  bool parsed() const;
  int Run(std::ostream& out, std::ostream& err) const;

 private:
  CLI::App* audit_ = nullptr;
  CLI::App* verify_ = nullptr;
  CLI::App* tail_ = nullptr;
  CLI::App* export_ = nullptr;
  CLI::App* search_ = nullptr;
  AuditVerifyOptions verify_options_;
  AuditTailOptions tail_options_;
  AuditExportOptions export_options_;
  AuditSearchOptions search_options_;
};

}  // namespace gwanmun::cli

#endif  // GWANMUN_CLI_AUDIT_COMMAND_H_
