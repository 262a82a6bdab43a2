#include "store/hub.h"

#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

#include "core/dates.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace tessera::store {
namespace {

namespace fs = std::filesystem;
using internal::kHubDbName;
using internal::kHubJsonName;

constexpr std::string_view kHubFormat = "tessera-hub";

// Everything InitHub may find in a directory it is asked to initialise: the hub's own files
// (from an earlier or interrupted init). Anything else means the directory is not ours.
constexpr std::array<std::string_view, 18> kHubEntries = {
    "hub.json",     "hub.json.tmp",      "hub.db",     "hub.db-wal",
    "hub.db-shm",   "hub.db-journal",    "audit.db",   "audit.db-wal",
    "audit.db-shm", "audit.db-journal",  "landing",    "quarantine",
    "models",       "exports",           "lost+found", "keys",
    "audit.anchor", "audit.anchor.lock",
};
constexpr std::array<std::string_view, 4> kHubDirectories = {"landing", "quarantine", "models",
                                                             "exports"};

std::string InitHint(const std::string& hub_dir) {
  return "run `tessera init --data " + hub_dir + "` to create one";
}

Status IoFailure(const std::string& what, const std::error_code& ec) {
  return Status::IoError(what + ": " + ec.message());
}

// "2025-03-14T09:26:53Z" for microseconds since the epoch.
std::string FormatUtc(int64_t micros) {
  constexpr int64_t kMicrosPerDay = int64_t{86'400} * 1'000'000;
  int64_t days = micros / kMicrosPerDay;
  int64_t rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  int64_t seconds = rest / 1'000'000;
  char time[16];
  std::snprintf(time, sizeof time, "T%02d:%02d:%02dZ", static_cast<int>(seconds / 3600),
                static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  return CivilDate::FromDays(days).ToIso() + time;
}

// Reads and checks hub.json. NotFound if there is none.
Status ReadHubJson(const std::string& hub_dir) {
  fs::path path = fs::path(hub_dir) / kHubJsonName;
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status::NotFound(path.string() + " does not exist");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json marker = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (marker.is_discarded() || !marker.is_object()) {
    return Status::Corruption(path.string() + " is not valid JSON");
  }
  auto format = marker.find("format");
  auto version = marker.find("format_version");
  if (format == marker.end() || !format->is_string() || *format != kHubFormat) {
    return Status::FailedPrecondition("'" + hub_dir + "' is not a Tessera hub (" + path.string() +
                                      " is not a hub marker): " + InitHint(hub_dir));
  }
  if (version == marker.end() || !version->is_number_integer()) {
    return Status::Corruption(path.string() + " has no integer format_version");
  }
  if (version->get<int64_t>() > kHubFormatVersion) {
    return Status::FailedPrecondition("the hub at '" + hub_dir + "' has format version " +
                                      std::to_string(version->get<int64_t>()) +
                                      ", newer than this version of tessera understands (" +
                                      std::to_string(kHubFormatVersion) +
                                      "): upgrade tessera to open it");
  }
  return Status::Ok();
}

Status WriteHubJson(const std::string& hub_dir, const Clock& clock) {
  int64_t now = clock.NowMicros();
  nlohmann::json marker = {
      {"format", kHubFormat},     {"format_version", kHubFormatVersion},
      {"store", "sqlite"},        {"created_at", FormatUtc(now)},
      {"created_at_micros", now},
  };
  fs::path path = fs::path(hub_dir) / kHubJsonName;
  fs::path tmp = fs::path(hub_dir) / "hub.json.tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << marker.dump(2) << "\n";
    out.flush();
    if (!out) return Status::IoError("cannot write " + tmp.string());
  }
  // Written last, and renamed into place, so that hub.json exists only for a complete hub.
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return IoFailure("cannot rename " + tmp.string() + " to " + path.string(), ec);
  return Status::Ok();
}

// FailedPrecondition if `hub_dir` holds anything that is not a hub file.
Status CheckOnlyHubEntries(const std::string& hub_dir) {
  std::error_code ec;
  for (fs::directory_iterator it(hub_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    bool known = false;
    for (std::string_view entry : kHubEntries) known = known || name == entry;
    if (!known) {
      return Status::FailedPrecondition("'" + hub_dir +
                                        "' is not empty and is not a Tessera hub (it holds '" +
                                        name + "'): choose a new or empty directory");
    }
  }
  if (ec) return IoFailure("cannot list " + hub_dir, ec);
  return Status::Ok();
}

}  // namespace

namespace internal {

std::string HubDbPath(const std::string& hub_dir) {
  return (fs::path(hub_dir) / kHubDbName).string();
}

std::string AuditDbPath(const std::string& hub_dir) {
  return (fs::path(hub_dir) / kAuditDbName).string();
}

Status CheckHub(const std::string& hub_dir) {
  std::error_code ec;
  if (!fs::is_directory(hub_dir, ec)) {
    return Status::FailedPrecondition("there is no hub at '" + hub_dir +
                                      "' (no such directory): " + InitHint(hub_dir));
  }
  Status marker = ReadHubJson(hub_dir);
  if (marker.code() == StatusCode::kNotFound) {
    return Status::FailedPrecondition("'" + hub_dir + "' is not a Tessera hub (it has no " +
                                      std::string(kHubJsonName) + "): " + InitHint(hub_dir));
  }
  TRY(marker);
  if (!fs::exists(HubDbPath(hub_dir), ec)) {
    return Status::FailedPrecondition(
        "the hub at '" + hub_dir + "' has lost its store (" + HubDbPath(hub_dir) +
        " is missing): restore it from a backup, or run `tessera init --data " + hub_dir +
        "` to start an empty one");
  }
  return Status::Ok();
}

}  // namespace internal

Status InitHub(const std::string& hub_dir, const Clock& clock) {
  std::error_code ec;
  if (fs::exists(hub_dir, ec) && !fs::is_directory(hub_dir, ec)) {
    return Status::FailedPrecondition("'" + hub_dir + "' exists and is not a directory");
  }
  Status marker = ReadHubJson(hub_dir);
  bool has_marker = marker.ok();
  if (!has_marker) {
    if (marker.code() != StatusCode::kNotFound) return marker;
    if (fs::exists(hub_dir, ec)) TRY(CheckOnlyHubEntries(hub_dir));
  }

  fs::create_directories(hub_dir, ec);
  if (ec) return IoFailure("cannot create " + hub_dir, ec);
  {
    // Creates hub.db and applies the migrations; closed again straight away.
    TRY_ASSIGN(auto store, sqlite::SqliteStore::Open(internal::HubDbPath(hub_dir),
                                                     internal::AuditDbPath(hub_dir), clock,
                                                     OpenOptions{}, /*create=*/true));
  }
  for (std::string_view name : kHubDirectories) {
    fs::path path = fs::path(hub_dir) / name;
    fs::create_directories(path, ec);
    if (ec) return IoFailure("cannot create " + path.string(), ec);
  }
  if (!has_marker) TRY(WriteHubJson(hub_dir, clock));
  return Status::Ok();
}

Status InitHub(const std::string& hub_dir) { return InitHub(hub_dir, SystemClock::Instance()); }

namespace {

// The hub's configuration, copied whole by a backup when present.
constexpr std::array<std::string_view, 4> kBackedUpDirectories = {"mappings", "models", "analytics",
                                                                  "reference"};
// What a backup leaves out, and why (store.h, BackupHub).
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kNotBackedUp = {{
    {"keys", "the audit key is kept away from the hub's backups: back it up on its own"},
    {"landing", "partner extracts: their records are in hub.db"},
    {"quarantine", "files set aside whole: the partner holds them"},
    {"exports", "files handed out"},
}};

// Flushes a file's or a directory's content to disk.
Status SyncPath(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open " + path.string() + " to sync it");
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return Status::IoError("cannot sync " + path.string());
  return Status::Ok();
}

// Makes `file`, written into the backup at `root`, readable by its owner only, syncs it and
// lists it in the summary.
Status KeepInBackup(const fs::path& file, BackupSummary& summary, const fs::path& root) {
  std::error_code ec;
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, ec);
  if (ec) return IoFailure("cannot restrict " + file.string(), ec);
  TRY(SyncPath(file));
  summary.files.emplace_back(fs::relative(file, root).string(),
                             static_cast<int64_t>(fs::file_size(file)));
  return Status::Ok();
}

Status CopyInto(const fs::path& from, const fs::path& to, BackupSummary& summary,
                const fs::path& root) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::none, ec);
  if (ec) return IoFailure("cannot copy " + from.string() + " to " + to.string(), ec);
  return KeepInBackup(to, summary, root);
}

Status CopyTreeInto(const fs::path& from, const fs::path& to, BackupSummary& summary,
                    const fs::path& root) {
  std::error_code ec;
  fs::create_directory(to, ec);
  if (ec) return IoFailure("cannot create " + to.string(), ec);
  fs::permissions(to, fs::perms::owner_all, ec);
  if (ec) return IoFailure("cannot restrict " + to.string(), ec);
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(from, ec), end; !ec && it != end; it.increment(ec)) {
    entries.push_back(*it);
  }
  if (ec) return IoFailure("cannot list " + from.string(), ec);
  std::sort(entries.begin(), entries.end());  // a stable order for the summary
  for (const fs::directory_entry& entry : entries) {
    const fs::path target = to / entry.path().filename();
    if (entry.is_directory(ec)) {
      TRY(CopyTreeInto(entry.path(), target, summary, root));
    } else if (entry.is_regular_file(ec)) {
      TRY(CopyInto(entry.path(), target, summary, root));
    }  // sockets, fifos and the like are not configuration
  }
  return SyncPath(to);
}

}  // namespace

Result<BackupSummary> BackupHub(const std::string& hub_dir, Store& store,
                                const std::string& target) {
  std::error_code ec;
  const fs::path final_dir = fs::absolute(target, ec);
  if (ec) return IoFailure("cannot resolve " + target, ec);
  if (fs::exists(final_dir, ec)) {
    return Status::AlreadyExists("'" + final_dir.string() +
                                 "' exists: a backup goes to a new directory and overwrites "
                                 "nothing");
  }
  const fs::path partial = final_dir.string() + ".partial";
  if (fs::exists(partial, ec)) {
    return Status::AlreadyExists("'" + partial.string() +
                                 "' exists: an earlier backup was interrupted; remove it first");
  }
  if (!fs::is_directory(final_dir.parent_path(), ec)) {
    return Status::NotFound("'" + final_dir.parent_path().string() + "' is not a directory");
  }
  // Created here or not at all: another backup started at the same moment gets its own error.
  if (!fs::create_directory(partial, ec)) {
    if (ec) return IoFailure("cannot create " + partial.string(), ec);
    return Status::AlreadyExists("'" + partial.string() + "' was created by someone else");
  }
  fs::permissions(partial, fs::perms::owner_all, ec);
  if (ec) return IoFailure("cannot restrict " + partial.string(), ec);

  BackupSummary summary;
  summary.target = final_dir.string();
  const fs::path hub(hub_dir);
  TRY(CopyInto(hub / kHubJsonName, partial / kHubJsonName, summary, partial));
  // The anchor before the log: the copied log then holds at least the event it names.
  const fs::path anchor = hub / "audit.anchor";
  if (fs::exists(anchor, ec)) TRY(CopyInto(anchor, partial / "audit.anchor", summary, partial));
  TRY(store.BackupTo(partial.string()));
  for (std::string_view name : {internal::kAuditDbName, kHubDbName}) {
    TRY(KeepInBackup(partial / name, summary, partial));
  }
  for (std::string_view name : kBackedUpDirectories) {
    if (fs::is_directory(hub / name, ec)) {
      TRY(CopyTreeInto(hub / name, partial / name, summary, partial));
    }
  }
  for (const auto& [name, why] : kNotBackedUp) {
    if (fs::exists(hub / name, ec)) summary.left.emplace_back(name, why);
  }
  TRY(SyncPath(partial));
  // Never over a directory that appeared meanwhile (a plain rename would replace an empty one).
  if (::renameat2(AT_FDCWD, partial.c_str(), AT_FDCWD, final_dir.c_str(), RENAME_NOREPLACE) != 0) {
    return IoFailure("cannot rename " + partial.string() + " to " + final_dir.string(),
                     std::error_code(errno, std::generic_category()));
  }
  TRY(SyncPath(final_dir.parent_path()));
  return summary;
}

}  // namespace tessera::store
