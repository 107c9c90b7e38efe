// gwanmun command line: `gwanmun scan …` (and, later, serve/keys/audit).

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/audit_command.h"
#include "cli/demo_command.h"
#include "cli/keys_command.h"
#include "cli/scan_command.h"
#include "cli/serve_command.h"

int main(int argc, char** argv) {
  CLI::App app{"gwanmun (관문): a self-hosted OpenAI-compatible gateway with Korean DLP"};
  app.require_subcommand(1);

  gwanmun::cli::ScanCommandOptions scan;
  std::string types;
  auto* sc = app.add_subcommand("scan", "Find Korean personal data, credentials and markings");
  sc->add_option("paths", scan.paths, "Files, directories (recursive) or - for stdin");
  sc->add_option("--format", scan.format, "text (report) or jsonl (records {id,text})")
      ->check(CLI::IsMember({"text", "jsonl"}));
  sc->add_option("--types", types, "Comma-separated types to report (default: all)");
  sc->add_option("--min-confidence", scan.min_confidence, "Drop findings below this confidence")
      ->check(CLI::Range(0.0, 1.0));
  sc->add_option("--dict", scan.dicts, "Custom dictionary file (one term per line)");
  sc->add_flag("--exit-code", scan.exit_code, "Exit 1 if anything was found");
  sc->add_flag("!--no-markings", scan.markings,
               "Do not report classification markings (대외비, 사내한정, Confidential …)");
  sc->add_flag("--stats", scan.stats, "Print bytes, seconds and MB/s to stderr");
  sc->add_flag("--color", scan.color, "Highlight findings with ANSI colours");

  gwanmun::cli::KeysCommand keys(app);
  gwanmun::cli::AuditCommand audit(app);
  gwanmun::cli::ServeCommand serve(app);
  gwanmun::cli::DemoCommand demo(app);

  CLI11_PARSE(app, argc, argv);

  if (keys.parsed()) return keys.Run(std::cout, std::cerr);
  if (audit.parsed()) return audit.Run(std::cout, std::cerr);
  if (serve.parsed()) return serve.Run(std::cout, std::cerr);
  if (demo.parsed()) return demo.Run(std::cout, std::cerr);

  if (sc->parsed()) {
    for (size_t pos = 0; !types.empty() && pos <= types.size();) {
      size_t comma = types.find(',', pos);
      if (comma == std::string::npos) comma = types.size();
      if (comma > pos) scan.types.push_back(types.substr(pos, comma - pos));
      pos = comma + 1;
    }
    return gwanmun::cli::RunScan(scan, std::cout, std::cerr);
  }
  return 0;
}
