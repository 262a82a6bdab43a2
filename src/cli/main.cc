// `tessera`: one binary, one subcommand per job. main() only wires options to the libraries.
#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_common.h"
#include "cli/governance_commands.h"
#include "cli/household_commands.h"
#include "cli/indicator_commands.h"
#include "cli/resolve_commands.h"
#include "cli/risk_commands.h"
#include "cli/serve_commands.h"
#include "cli/user_commands.h"
#include "core/ascii.h"
#include "core/clock.h"
#include "geocode/geocode.h"
#include "govern/audit_log.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "synth/synth.h"

namespace {

using tessera::cli::AuditAccess;
using tessera::cli::CliActor;
using tessera::cli::Fail;
using tessera::cli::RequireReason;

int RunInit(const std::string& data_dir) {
  if (auto s = tessera::store::InitHub(data_dir); !s.ok()) return Fail(s);
  auto store = tessera::cli::OpenHub(data_dir);
  if (!store.ok()) return Fail(store.status());
  fmt::print("hub ready at {} (schema version {})\n", data_dir, (*store)->SchemaVersion());
  return 0;
}

int RunGenerate(const tessera::synth::WorldConfig& config, const std::string& out) {
  const auto start = std::chrono::steady_clock::now();
  auto summary = tessera::synth::GenerateWorld(config, out);
  if (!summary.ok()) return Fail(summary.status());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("generated {} people in {} households at {} addresses: {} events, {} records\n",
             summary->people, summary->households, summary->addresses, summary->events,
             summary->mentions);
  fmt::print("{:<24} {:<22} {:>6} {:>9} {:>11} {:>8}\n", "source", "agency", "format", "records",
             "quarantine", "flagged");
  for (const auto& s : summary->sources) {
    fmt::print("{:<24} {:<22} {:>6} {:>9} {:>11} {:>8}\n", s.source_id, s.agency, s.format, s.rows,
               s.quarantine, s.load_flagged);
  }
  fmt::print("people in 2+ sources: {:.1f}% of those known to any source\n",
             100.0 * summary->rates.at("people.in_2plus_sources_of_known"));
  fmt::print(
      "wrote {}/landing, {}/truth, {}/reference/postcodes.csv and {}/manifest.json in {:.2f} s\n",
      out, out, out, out, seconds);
  return 0;
}

// --- ingest -------------------------------------------------------------------------------

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop = true; }

// Progress on a terminal only: a log file or a pipe gets the summaries, not a spinner.
tessera::ingest::IngestOptions ProgressOptions() {
  tessera::ingest::IngestOptions options;
  if (::isatty(STDERR_FILENO)) {
    options.on_progress = [](const tessera::ingest::Progress& p) {
      const double pct = p.bytes_total ? 100.0 * p.bytes_read / p.bytes_total : 100.0;
      std::fprintf(stderr, "\r%-60s %5.1f%% %10lld records", p.file.c_str(), pct,
                   static_cast<long long>(p.records));
      if (p.bytes_read >= p.bytes_total) std::fprintf(stderr, "\n");
    };
  }
  return options;
}

struct SourceTotals {
  int64_t files = 0, read = 0, loaded = 0, inserted = 0, updated = 0, unchanged = 0,
          quarantined = 0, flagged = 0, deleted = 0, already = 0;
};

void PrintSummary(const std::vector<tessera::ingest::FileLoadResult>& results) {
  std::map<std::string, SourceTotals> by_source;
  for (const auto& r : results) {
    SourceTotals& t = by_source[r.source_id];
    ++t.files;
    t.already += r.already_loaded;
    t.read += r.counts.read;
    t.loaded += r.counts.loaded;
    t.inserted += r.inserted;
    t.updated += r.updated;
    t.unchanged += r.counts.unchanged;
    t.quarantined += r.counts.quarantined;
    t.flagged += r.flagged;
    t.deleted += r.counts.deleted;
    for (const auto& w : r.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  }
  fmt::print("{:<24} {:>5} {:>9} {:>9} {:>8} {:>9} {:>11} {:>8} {:>8}\n", "source", "files", "read",
             "inserted", "updated", "unchanged", "quarantined", "flagged", "deleted");
  for (const auto& [source, t] : by_source) {
    fmt::print("{:<24} {:>5} {:>9} {:>9} {:>8} {:>9} {:>11} {:>8} {:>8}{}\n", source, t.files,
               t.read, t.inserted, t.updated, t.unchanged, t.quarantined, t.flagged, t.deleted,
               t.already ? fmt::format("  ({} already loaded)", t.already) : "");
  }
}

struct IngestArgs {
  std::string data;
  std::string landing;
  std::string mappings;
  std::string mapping;
  std::string source;  // with --mapping: load under this source id instead of the spec's
  std::vector<std::string> files;
  bool watch = false;
  double interval = 5;
};

int RunIngest(const IngestArgs& args) {
  auto store = tessera::cli::OpenHub(args.data);
  if (!store.ok()) return Fail(store.status());
  const auto& clock = tessera::SystemClock::Instance();
  const auto options = ProgressOptions();

  if (!args.mapping.empty()) {
    if (args.files.empty())
      return Fail(tessera::Status::InvalidArgument("--mapping needs FILE..."));
    if (!args.source.empty()) {
      if (auto s = tessera::ingest::CheckSourceId(args.source); !s.ok()) {
        return Fail(s.WithContext("--source"));
      }
    }
    tessera::geocode::Gazetteer::Loaded gazetteer = tessera::geocode::LoadHubGazetteer(args.data);
    for (const auto& p : gazetteer.problems) std::fprintf(stderr, "warning: %s\n", p.c_str());
    tessera::ingest::Ingestor ingestor(**store, clock, std::move(gazetteer.gazetteer));
    std::vector<tessera::ingest::FileLoadResult> results;
    int failures = 0;
    for (const auto& file : args.files) {
      auto r = args.source.empty()
                   ? ingestor.LoadFile(args.mapping, file, file, options)
                   : ingestor.LoadFileAs(args.source, args.mapping, file, file, options);
      if (!r.ok()) {
        std::fprintf(stderr, "tessera: %s\n", r.status().ToString().c_str());
        ++failures;
        continue;
      }
      results.push_back(std::move(*r));
    }
    PrintSummary(results);
    return failures ? 1 : 0;
  }

  const std::string landing = args.landing.empty() ? args.data + "/landing" : args.landing;
  const std::string mappings = args.mappings.empty() ? args.data + "/mappings" : args.mappings;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  auto wait_for_next_scan = [&] {
    for (double waited = 0; !g_stop && waited < args.interval; waited += 0.2) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  };
  do {
    auto outcome =
        tessera::ingest::ProcessLandingZone(**store, clock, landing, mappings, args.data, options);
    if (!outcome.ok()) {
      if (!args.watch) return Fail(outcome.status());
      // A watcher runs unattended: a busy or failing store is reported and retried next scan.
      std::fprintf(stderr, "tessera: %s (retrying)\n", outcome.status().ToString().c_str());
    } else {
      for (const auto& w : outcome->warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
      for (const auto& f : outcome->failed) {
        std::fprintf(stderr, "failed: %s: %s (moved to failed/)\n", f.file.c_str(),
                     f.reason.c_str());
      }
      if (!outcome->loaded.empty() || !args.watch) PrintSummary(outcome->loaded);
      if (!outcome->failed.empty() && !args.watch) return 1;
    }
    if (args.watch) wait_for_next_scan();
  } while (args.watch && !g_stop);
  return 0;
}

// Places the hub's stored locations by postcode: those ingested before geocoding, or before the
// hub's postcode file arrived.
int RunGeocode(const std::string& data_dir) {
  auto store = tessera::cli::OpenHub(data_dir);
  if (!store.ok()) return Fail(store.status());
  const tessera::geocode::Gazetteer::Loaded gazetteer =
      tessera::geocode::LoadHubGazetteer(data_dir);
  for (const auto& p : gazetteer.problems) std::fprintf(stderr, "warning: %s\n", p.c_str());
  auto report = tessera::geocode::GeocodeStoredLocations(**store, *gazetteer.gazetteer);
  if (!report.ok()) return Fail(report.status());
  const std::string file =
      (std::filesystem::path(data_dir) / tessera::geocode::kHubGazetteerFile).string();
  fmt::print("gazetteer: compiled-in{}\n",
             gazetteer.postcodes > 0
                 ? fmt::format(", with {} postcode{} from {}", gazetteer.postcodes,
                               gazetteer.postcodes == 1 ? "" : "s", file)
                 : fmt::format(" (no usable {})", file));
  auto by_precision = [](const std::map<std::string, int64_t>& counts) {
    int64_t total = 0;
    std::string detail;
    for (const char* p : {"postcode", "sector", "district", "area"}) {
      const auto it = counts.find(p);
      const int64_t n = it == counts.end() ? 0 : it->second;
      total += n;
      detail += fmt::format("{}{} {}", detail.empty() ? "" : ", ", p, n);
    }
    return fmt::format("{:>9}  ({})", total, detail);
  };
  fmt::print("locations    {:>9}\n", report->locations);
  fmt::print("  placed     {}\n", by_precision(report->placed));
  fmt::print("  refined    {}\n", by_precision(report->refined));
  fmt::print("  kept       {:>9}  (already placed as finely as the gazetteer can)\n", report->kept);
  fmt::print("  not found  {:>9}  (a postcode the gazetteer does not know)\n", report->not_found);
  fmt::print("  no postcode{:>9}  (or no fixed abode)\n", report->no_postcode);
  return 0;
}

int RunMappingCheck(const std::vector<std::string>& specs) {
  int failures = 0;
  for (const auto& spec : specs) {
    const tessera::Status s = tessera::ingest::CheckMappingSpec(spec);
    if (s.ok()) {
      fmt::print("{}: ok\n", spec);
    } else {
      std::fprintf(stderr, "%s\n", s.message().c_str());
      ++failures;
    }
  }
  return failures ? 1 : 0;
}

struct QuarantineArgs {
  std::string data;
  std::string source;
  int64_t load = 0;
  int64_t after = 0;
  int limit = 50;
};

// Lists quarantined rows by where they came from and why. The rows' raw text is personal data
// and is not shown here: `quarantine show` and `quarantine export` show it, and audit it.
int RunQuarantineList(const QuarantineArgs& args) {
  auto store = tessera::cli::OpenHub(args.data);
  if (!store.ok()) return Fail(store.status());
  tessera::store::QuarantineQuery query;
  query.source_id = args.source;
  if (args.load > 0) query.load_id = args.load;
  query.after_id = args.after;
  query.limit = args.limit;
  auto rows = (*store)->ListQuarantined(query);
  if (!rows.ok()) return Fail(rows.status());
  fmt::print("{:>8} {:<24} {:<48} {:<20} {}\n", "id", "source", "file:line", "field", "reason");
  for (const auto& r : *rows) {
    fmt::print("{:>8} {:<24} {:<48} {:<20} {}\n", r.id, r.source_id,
               fmt::format("{}:{}", r.file, r.line), r.field.empty() ? "(row)" : r.field, r.reason);
  }
  if (static_cast<int>(rows->size()) == args.limit) {
    fmt::print("(more: --after {})\n", rows->back().id);
  }
  return 0;
}

// --- personal data, audited -----------------------------------------------------------------

struct QuarantineShowArgs {
  std::string data;
  int64_t id = 0;
  std::string reason;
};

// Shows one quarantined row with its raw text, escaped so that its bytes cannot drive the
// terminal. Audited first.
int RunQuarantineShow(const QuarantineShowArgs& args) {
  if (auto s = RequireReason(args.reason); !s.ok()) return Fail(s);
  auto store = tessera::cli::OpenHub(args.data);
  if (!store.ok()) return Fail(store.status());
  auto row = (*store)->GetQuarantined(args.id);
  if (!row.ok()) return Fail(row.status());
  if (auto s = AuditAccess(**store, "quarantine.show", fmt::format("quarantine/{}", args.id),
                           args.reason, 1);
      !s.ok()) {
    return Fail(s);
  }
  using tessera::ascii::EscapedForTerminal;
  fmt::print("id:          {}\n", row->id);
  fmt::print("source:      {}\n", EscapedForTerminal(row->source_id));
  fmt::print("load:        {}\n", row->load_id);
  fmt::print("file:line:   {}:{}\n", EscapedForTerminal(row->file), row->line);
  fmt::print("byte offset: {}\n", row->byte_offset);
  fmt::print("field:       {}\n", row->field.empty() ? "(row)" : EscapedForTerminal(row->field));
  fmt::print("reason:      {}\n", EscapedForTerminal(row->reason));
  fmt::print("raw ({} bytes, non-printable bytes as \\xNN):\n{}\n", row->raw.size(),
             EscapedForTerminal(row->raw));
  return 0;
}

struct QuarantineExportArgs {
  std::string data;
  std::string source;
  int64_t load = 0;
  std::string reason;
  std::string out;
};

// One RFC 4180 field: quoted when it holds a comma, quote, CR or LF, its quotes doubled. Bytes
// are written as they are (the raw row need not be UTF-8).
std::string CsvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// Writes the quarantined rows of a source and/or load, raw text included, to a new CSV file
// (mode 0600; an existing file is not overwritten). Audited before a byte is written.
int RunQuarantineExport(const QuarantineExportArgs& args) {
  if (auto s = RequireReason(args.reason); !s.ok()) return Fail(s);
  auto store = tessera::cli::OpenHub(args.data);
  if (!store.ok()) return Fail(store.status());

  tessera::store::QuarantineQuery query;
  query.source_id = args.source;
  if (args.load > 0) query.load_id = args.load;
  query.limit = 10000;
  std::vector<tessera::store::QuarantinedRow> rows;
  while (true) {
    auto page = (*store)->ListQuarantined(query);
    if (!page.ok()) return Fail(page.status());
    if (page->empty()) break;
    query.after_id = page->back().id;
    for (auto& r : *page) rows.push_back(std::move(r));
  }

  // Created (empty) before the audit event, so that an unwritable path fails without one.
  const int fd = ::open(args.out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Fail(tessera::Status::IoError(fmt::format("cannot create {}: {}{}", args.out,
                                                     std::strerror(errno),
                                                     errno == EEXIST ? " (not overwritten)" : "")));
  }
  std::FILE* file = ::fdopen(fd, "wb");
  if (file == nullptr) {
    ::close(fd);
    ::unlink(args.out.c_str());
    return Fail(tessera::Status::IoError("cannot open " + args.out));
  }
  std::string resource = "quarantine?";
  resource += args.source.empty() ? "source=*" : "source=" + args.source;
  if (args.load > 0) resource += fmt::format("&load={}", args.load);
  std::error_code ec;
  const std::filesystem::path out_path = std::filesystem::absolute(args.out, ec);
  resource += " -> " + (ec ? args.out : out_path.string());
  if (auto s = AuditAccess(**store, "quarantine.export", resource, args.reason,
                           static_cast<int64_t>(rows.size()));
      !s.ok()) {
    std::fclose(file);
    ::unlink(args.out.c_str());
    return Fail(s);
  }

  std::string csv = "id,load_id,source,file,line,byte_offset,field,reason,raw\r\n";
  for (const auto& r : rows) {
    csv += fmt::format("{},{},{},{},{},{},{},{},{}\r\n", r.id, r.load_id, CsvField(r.source_id),
                       CsvField(r.file), r.line, r.byte_offset, CsvField(r.field),
                       CsvField(r.reason), CsvField(r.raw));
  }
  const bool written = std::fwrite(csv.data(), 1, csv.size(), file) == csv.size();
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) {
    return Fail(tessera::Status::IoError("writing " + args.out + " failed"));
  }
  fmt::print("wrote {} quarantined rows to {}\n", rows.size(), args.out);
  return 0;
}

struct BackupArgs {
  std::string data;
  std::string to;
  std::string reason;
};

// A copy of the hub (store.h, BackupHub) while it runs. Audited first: the copy holds every
// person's data, and its own audit log records that it was taken.
int RunBackup(const BackupArgs& args) {
  if (auto s = RequireReason(args.reason, "the hub is being copied"); !s.ok()) return Fail(s);
  auto store = tessera::cli::OpenHub(args.data);
  if (!store.ok()) return Fail(store.status());
  std::error_code ec;
  const std::filesystem::path to = std::filesystem::absolute(args.to, ec);
  if (ec) return Fail(tessera::Status::InvalidArgument("cannot resolve " + args.to));
  // Refused before the audit event, so that the log never records a copy that was not taken
  // (BackupHub refuses it too).
  if (std::filesystem::exists(to, ec)) {
    return Fail(tessera::Status::AlreadyExists(fmt::format(
        "{} exists: a backup goes to a new directory and overwrites nothing", to.string())));
  }
  if (auto s = AuditAccess(**store, "hub.backup", "hub -> " + to.string(), args.reason,
                           std::string("whole hub"));
      !s.ok()) {
    return Fail(s);
  }
  auto summary = tessera::store::BackupHub(args.data, **store, to.string());
  if (!summary.ok()) return Fail(summary.status());
  int64_t total = 0;
  for (const auto& [path, bytes] : summary->files) total += bytes;
  fmt::print("backup of {} written to {} ({} files, {:.1f} MB):\n", args.data, summary->target,
             summary->files.size(), static_cast<double>(total) / 1e6);
  for (const auto& [path, bytes] : summary->files) fmt::print("  {:<40} {:>14}\n", path, bytes);
  for (const auto& [name, why] : summary->left) fmt::print("not copied: {}/ ({})\n", name, why);
  fmt::print(
      "To restore: put the directory where the hub is to be, put the audit key back as "
      "keys/audit.key before anything opens it (a new key would sign what follows), then run "
      "`tessera init --data DIR` to recreate the landing zone and `tessera audit verify --data "
      "DIR`.\n");
  return 0;
}

struct AuditArgs {
  std::string data;
  std::string audit_key;     // "": HUB/keys/audit.key
  std::string audit_anchor;  // "": HUB/audit.anchor
  int64_t after = 0;
  int limit = 100;
  bool json = false;
};

int RunAuditList(const AuditArgs& args) {
  auto store = tessera::cli::OpenHub(args.data);
  if (!store.ok()) return Fail(store.status());
  auto events = (*store)->ListAudit(args.after, args.limit);
  if (!events.ok()) return Fail(events.status());
  if (args.json) {
    for (const auto& e : *events) {
      const nlohmann::json j = tessera::govern::AuditEventToJson(e);
      fmt::print("{}\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    return 0;
  }
  using tessera::ascii::EscapedForTerminal;
  fmt::print("{:>6} {:<20} {:<16} {:<18} {:<32} {:<10} {}\n", "seq", "at", "actor", "action",
             "resource", "detail", "reason");
  for (const auto& e : *events) {
    fmt::print("{:>6} {:<20} {:<16} {:<18} {:<32} {:<10} {}\n", e.seq,
               tessera::FormatUtc(e.at_micros), EscapedForTerminal(e.actor),
               EscapedForTerminal(e.action), EscapedForTerminal(e.resource),
               EscapedForTerminal(e.detail), EscapedForTerminal(e.justification));
  }
  if (static_cast<int>(events->size()) == args.limit) {
    fmt::print("(more: --after {})\n", events->back().seq);
  }
  return 0;
}

// The store's chain check, plus (govern::VerifyAuditLog) the anchor and, with the key, every
// checkpoint's MAC. Exit 1 only for breakage: a missing key skips the keyed checks, and says so.
int RunAuditVerify(const AuditArgs& args) {
  tessera::govern::AuditKeyFiles files;
  files.key_file = args.audit_key;
  files.anchor_file = args.audit_anchor;
  auto verification = tessera::govern::VerifyAuditLog(args.data, files);
  if (!verification.ok()) return Fail(verification.status());
  if (!verification->intact) {
    if (verification->first_broken_seq > 0) {
      std::fprintf(stderr, "tessera: audit log BROKEN at seq %lld: %s\n",
                   static_cast<long long>(verification->first_broken_seq),
                   verification->problem.c_str());
    } else {
      std::fprintf(stderr, "tessera: audit log BROKEN: %s\n", verification->problem.c_str());
    }
    return 1;
  }
  const tessera::store::AuditVerification& chain = verification->chain;
  if (chain.events == 0) {
    fmt::print("audit log intact: no events\n");
  } else {
    fmt::print("audit log intact: {} events; head seq {} hash {}\n", chain.events, chain.head_seq,
               chain.head_hash);
  }
  if (verification->keyed) {
    fmt::print("keyed checks passed: {} checkpoint MACs verified; anchor {}\n",
               verification->macs_checked,
               verification->anchor ? fmt::format("at seq {}", verification->anchor->seq)
                                    : std::string("none yet"));
  } else {
    fmt::print("keyed checks skipped: {} (pass --audit-key FILE); anchor {}\n",
               verification->keyed_skipped,
               verification->anchor ? fmt::format("at seq {} matches the log (its MAC unchecked)",
                                                  verification->anchor->seq)
                                    : std::string("none yet"));
  }
  for (const std::string& note : verification->notes) fmt::print("note: {}\n", note);
  return 0;
}

struct QualityArgs {
  std::string data;
  std::string source;
  int64_t load = 0;
  bool json = false;
};

// The data-quality report: counts only, so it may be shown to anyone who may run the CLI.
int RunQuality(const QualityArgs& args) {
  auto store = tessera::cli::OpenHub(args.data);
  if (!store.ok()) return Fail(store.status());
  if (args.source.empty() && args.load == 0) {
    auto reports = tessera::ingest::BuildQualitySummary(**store);
    if (!reports.ok()) return Fail(reports.status());
    fmt::print("{}", args.json ? tessera::ingest::QualitySummaryJson(*reports)
                               : tessera::ingest::FormatQualitySummary(*reports));
    return 0;
  }
  std::optional<tessera::model::LoadId> load;
  if (args.load > 0) load = args.load;
  auto report = tessera::ingest::BuildQualityReport(**store, args.source, load);
  if (!report.ok()) return Fail(report.status());
  fmt::print("{}", args.json ? tessera::ingest::QualityReportJson(*report)
                             : tessera::ingest::FormatQualityReport(*report));
  return 0;
}

// Lists records that loaded with values set aside, by where they came from and why.
int RunFlagsList(const QuarantineArgs& args) {
  auto store = tessera::cli::OpenHub(args.data);
  if (!store.ok()) return Fail(store.status());
  tessera::store::FlaggedQuery query;
  query.source_id = args.source;
  query.after_id = args.after;
  query.limit = args.limit;
  auto rows = (*store)->ListFlagged(query);
  if (!rows.ok()) return Fail(rows.status());
  fmt::print("{:>8} {:<24} {:<20} {:<48} {:<16} {}\n", "id", "source", "record", "file:line",
             "field", "reason");
  for (const auto& r : *rows) {
    for (const auto& f : r.flags) {
      fmt::print("{:>8} {:<24} {:<20} {:<48} {:<16} {}\n", r.person_record_id, r.source_id,
                 r.record_key, fmt::format("{}:{}", r.file, r.line), f.field, f.reason);
    }
  }
  if (static_cast<int>(rows->size()) == args.limit) {
    fmt::print("(more: --after {})\n", rows->back().person_record_id);
  }
  return 0;
}

// The hub and the reason that every command showing personal data takes.
void AddAuditedOptions(CLI::App* command, std::string& data, std::string& reason,
                       const std::string& why) {
  command->add_option("--data", data, "Hub directory")->required();
  command->add_option("--reason", reason, why + "; recorded in the audit log")->required();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Tessera: a multi-agency integrated services analytics hub"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tessera 0.1.0");

  std::string init_dir;
  auto* init = app.add_subcommand("init",
                                  "Create a hub directory (store, landing zone) or bring "
                                  "an existing one's schema up to date");
  init->add_option("--data", init_dir, "Hub directory")->required();

  tessera::synth::WorldConfig world;
  std::string out;
  std::string area = world.areas.front();
  auto* gen = app.add_subcommand(
      "generate",
      "Generate a synthetic multi-agency world: partner extracts in landing/ and "
      "ground truth in truth/");
  gen->add_option("--people", world.people, "Number of residents")
      ->check(CLI::Range(int64_t{1}, int64_t{20000000}))
      ->capture_default_str();
  gen->add_option("--seed", world.seed, "Random seed; the same seed gives identical files")
      ->capture_default_str();
  gen->add_option("--out", out, "Output directory (a hub directory works: files go to landing/)")
      ->required();
  gen->add_option("--area", area, "County from the GB places list, or \"all\"")
      ->capture_default_str();
  gen->add_option("--malformed-fraction", world.malformed_fraction,
                  "Fraction of records deliberately malformed")
      ->check(CLI::Range(0.0, 0.5))
      ->capture_default_str();
  gen->add_option("--first-year", world.first_year, "First year of the observed period")
      ->check(CLI::Range(1990, 2100))
      ->capture_default_str();
  gen->add_option("--years", world.years, "Length of the observed period in years")
      ->check(CLI::Range(2, 30))
      ->capture_default_str();
  gen->add_option("--observed-until", world.observed_until,
                  "Last day observed (YYYY-MM-DD, within the period): nothing later is written, "
                  "so a demo's data run up to today");
  gen->add_option("--threads", world.threads, "Worker threads (0: all cores); output is the same")
      ->capture_default_str();

  IngestArgs ingest_args;
  auto* ingest = app.add_subcommand(
      "ingest",
      "Load partner files: everything waiting in the landing zone (HUB/landing/<source>/, mapped "
      "by HUB/mappings/<source>.yaml), or the FILEs given with --mapping");
  ingest->add_option("--data", ingest_args.data, "Hub directory")->required();
  ingest->add_option("--landing", ingest_args.landing, "Landing folder (default HUB/landing)");
  ingest->add_option("--mappings", ingest_args.mappings,
                     "Folder of mapping specs, one <source>.yaml each (default HUB/mappings)");
  auto* mapping_opt =
      ingest->add_option("--mapping", ingest_args.mapping, "Load FILEs directly with this spec");
  ingest->add_option("files", ingest_args.files, "Files to load with --mapping")
      ->needs(mapping_opt);
  ingest
      ->add_option("--source", ingest_args.source,
                   "With --mapping: load the FILEs under this source id instead of the spec's "
                   "(partners who send the same layout share one spec)")
      ->needs(mapping_opt);
  ingest->add_flag("--watch", ingest_args.watch, "Keep watching the landing zone until stopped");
  ingest->add_option("--interval", ingest_args.interval, "Seconds between landing-zone scans")
      ->capture_default_str();

  std::string geocode_dir;
  auto* geocode = app.add_subcommand(
      "geocode",
      "Place the hub's stored locations by postcode (ingest does so as it loads): fills "
      "coordinates where there are none and refines gazetteer ones when HUB/reference/"
      "postcodes.csv knows better; prints counts by precision. Safe to run again");
  geocode->add_option("--data", geocode_dir, "Hub directory")->required();

  std::vector<std::string> specs;
  auto* mapping = app.add_subcommand("mapping", "Mapping specs");
  mapping->require_subcommand(1);
  auto* check =
      mapping->add_subcommand("check", "Check mapping specs; errors name file, line and key");
  check->add_option("specs", specs, "Spec files")->required();

  QuarantineArgs quarantine_args;
  auto* quarantine = app.add_subcommand("quarantine", "Rows that could not be loaded");
  quarantine->require_subcommand(1);
  auto* quarantine_list =
      quarantine->add_subcommand("list", "List quarantined rows: file, line, field and reason");
  quarantine_list->add_option("--data", quarantine_args.data, "Hub directory")->required();
  quarantine_list->add_option("--source", quarantine_args.source, "Only this source");
  quarantine_list->add_option("--load", quarantine_args.load, "Only this load");
  quarantine_list->add_option("--after", quarantine_args.after, "Rows after this id (paging)");
  quarantine_list->add_option("--limit", quarantine_args.limit, "At most this many rows")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();

  QuarantineShowArgs show_args;
  auto* quarantine_show = quarantine->add_subcommand(
      "show", "Show one quarantined row with its raw text (personal data: audited)");
  AddAuditedOptions(quarantine_show, show_args.data, show_args.reason, "Why you need to see it");
  quarantine_show->add_option("id", show_args.id, "Quarantined row id (from quarantine list)")
      ->required();

  QuarantineExportArgs export_args;
  auto* quarantine_export = quarantine->add_subcommand(
      "export",
      "Write quarantined rows with their raw text to a new CSV file (personal data: audited)");
  AddAuditedOptions(quarantine_export, export_args.data, export_args.reason,
                    "Why you need the rows");
  quarantine_export->add_option("--source", export_args.source, "Only this source");
  quarantine_export->add_option("--load", export_args.load, "Only this load");
  quarantine_export->add_option("--out", export_args.out, "CSV file to create (not overwritten)")
      ->required();

  AuditArgs audit_args;
  auto* audit = app.add_subcommand("audit", "The audit log of access to personal data");
  audit->require_subcommand(1);
  auto* audit_list = audit->add_subcommand("list", "List audit events, oldest first");
  audit_list->add_option("--data", audit_args.data, "Hub directory")->required();
  audit_list->add_option("--after", audit_args.after, "Events after this seq (paging)");
  audit_list->add_flag("--json", audit_args.json,
                       "One JSON object per event with every field (who, agency, role, purpose, "
                       "agreement, outcome, nominals and record versions seen)");
  audit_list->add_option("--limit", audit_args.limit, "At most this many events")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  auto* audit_verify = audit->add_subcommand(
      "verify",
      "Recompute the audit log's hash chain and check its keyed checkpoints and anchor; exit 1 "
      "if it was tampered with");
  audit_verify->add_option("--data", audit_args.data, "Hub directory")->required();
  audit_verify->add_option("--audit-key", audit_args.audit_key,
                           "The audit HMAC key file (default: HUB/keys/audit.key)");
  audit_verify->add_option("--audit-anchor", audit_args.audit_anchor,
                           "The audit anchor file (default: HUB/audit.anchor)");

  BackupArgs backup_args;
  auto* backup = app.add_subcommand(
      "backup",
      "Copy the hub, online, into a new directory: its store (compacted) and audit log, its "
      "anchor and configuration; not the audit key (personal data: audited)");
  AddAuditedOptions(backup, backup_args.data, backup_args.reason, "Why the copy is taken");
  backup->add_option("--to", backup_args.to, "New directory for the copy (not overwritten)")
      ->required();

  QualityArgs quality_args;
  auto* quality = app.add_subcommand(
      "quality",
      "Data-quality report: per source, the latest load's completeness, validity and drift; "
      "with --source or --load, every field, the category mix, duplicates and drift");
  quality->add_option("--data", quality_args.data, "Hub directory")->required();
  quality->add_option("--source", quality_args.source, "The full report of this source");
  quality->add_option("--load", quality_args.load, "The full report of this load");
  quality->add_flag("--json", quality_args.json, "JSON instead of text");

  QuarantineArgs flags_args;
  auto* flags = app.add_subcommand("flags", "Records that loaded with values set aside");
  flags->require_subcommand(1);
  auto* flags_list =
      flags->add_subcommand("list", "List flagged records: source, record, file, line, reason");
  flags_list->add_option("--data", flags_args.data, "Hub directory")->required();
  flags_list->add_option("--source", flags_args.source, "Only this source");
  flags_list->add_option("--after", flags_args.after, "Records after this id (paging)");
  flags_list->add_option("--limit", flags_args.limit, "At most this many records")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();

  tessera::cli::ResolveCommands resolve_commands(app);
  tessera::cli::ServeCommands serve_commands(app);
  tessera::cli::UserCommands user_commands(app);
  tessera::cli::GovernanceCommands governance_commands(app);
  tessera::cli::HouseholdCommands household_commands(app);
  tessera::cli::IndicatorCommands indicator_commands(app);
  tessera::cli::RiskCommands risk_commands(app);

  CLI11_PARSE(app, argc, argv);

  if (auto rc = resolve_commands.Dispatch()) return *rc;
  if (auto rc = serve_commands.Dispatch()) return *rc;
  if (auto rc = user_commands.Dispatch()) return *rc;
  if (auto rc = governance_commands.Dispatch()) return *rc;
  if (auto rc = household_commands.Dispatch()) return *rc;
  if (auto rc = indicator_commands.Dispatch()) return *rc;
  if (auto rc = risk_commands.Dispatch()) return *rc;

  if (flags_list->parsed()) return RunFlagsList(flags_args);

  if (quality->parsed()) return RunQuality(quality_args);

  if (quarantine_list->parsed()) return RunQuarantineList(quarantine_args);
  if (quarantine_show->parsed()) return RunQuarantineShow(show_args);
  if (quarantine_export->parsed()) return RunQuarantineExport(export_args);
  if (audit_list->parsed()) return RunAuditList(audit_args);
  if (audit_verify->parsed()) return RunAuditVerify(audit_args);
  if (backup->parsed()) return RunBackup(backup_args);

  if (ingest->parsed()) return RunIngest(ingest_args);
  if (geocode->parsed()) return RunGeocode(geocode_dir);
  if (check->parsed()) return RunMappingCheck(specs);

  if (init->parsed()) return RunInit(init_dir);
  if (gen->parsed()) {
    world.areas = area == "all" ? std::vector<std::string>{} : std::vector<std::string>{area};
    return RunGenerate(world, out);
  }
  return 0;
}
