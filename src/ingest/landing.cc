// The landing zone: partners drop files into per-source folders; each file is loaded once and
// moved aside, so nothing waits forever and nothing is lost.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

#include "ingest/ingest.h"

namespace tessera::ingest {
namespace {

namespace fs = std::filesystem;

bool StillBeingWritten(const std::string& name) {
  auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return name.empty() || name[0] == '.' || ends_with(".tmp") || ends_with(".part") ||
         ends_with(".partial") || ends_with(".filepart");
}

// Moves `file` into `dir`, never over an existing file.
Result<fs::path> MoveInto(const fs::path& file, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create " + dir.string() + ": " + ec.message());
  fs::path target = dir / file.filename();
  for (int n = 1; fs::exists(target); ++n) {
    target = dir / (file.stem().string() + "." + std::to_string(n) + file.extension().string());
  }
  fs::rename(file, target, ec);
  if (ec) return Status::IoError("cannot move " + file.string() + ": " + ec.message());
  return target;
}

std::string Relative(const fs::path& p, const std::string& hub_dir) {
  if (hub_dir.empty()) return p.string();
  std::error_code ec;
  const fs::path rel = fs::relative(p, hub_dir, ec);
  if (ec || rel.empty() || rel.native().rfind("..", 0) == 0) return p.string();
  return rel.string();
}

}  // namespace

Result<LandingOutcome> ProcessLandingZone(store::Store& store, const Clock& clock,
                                          const std::string& landing_dir,
                                          const std::string& mappings_dir,
                                          const std::string& hub_dir,
                                          const IngestOptions& options) {
  LandingOutcome outcome;
  std::error_code ec;
  if (!fs::is_directory(landing_dir, ec)) {
    return Status::NotFound("no landing folder at " + landing_dir);
  }
  std::vector<fs::path> sources;
  for (const auto& e : fs::directory_iterator(landing_dir, ec)) {
    if (e.is_directory()) sources.push_back(e.path());
  }
  std::sort(sources.begin(), sources.end());
  // Made when there is a file to load, so that a scan of an empty landing zone does not read
  // the hub's gazetteer.
  std::optional<Ingestor> ingestor;
  auto ingestor_for_load = [&]() -> Ingestor& {
    if (!ingestor) {
      geocode::Gazetteer::Loaded gazetteer = geocode::LoadHubGazetteer(hub_dir);
      for (std::string& p : gazetteer.problems) outcome.warnings.push_back(std::move(p));
      ingestor.emplace(store, clock, std::move(gazetteer.gazetteer));
    }
    return *ingestor;
  };

  for (const fs::path& source_dir : sources) {
    const std::string source = source_dir.filename().string();
    const fs::path spec = fs::path(mappings_dir) / (source + ".yaml");
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(source_dir, ec)) {
      if (e.is_regular_file() && !StillBeingWritten(e.path().filename().string())) {
        files.push_back(e.path());
      }
    }
    if (files.empty()) continue;
    if (!fs::exists(spec)) {
      outcome.warnings.push_back(source_dir.string() + ": no mapping spec " + spec.string() +
                                 "; its " + std::to_string(files.size()) + " files wait");
      continue;
    }
    if (Status s = CheckMappingSpec(spec.string()); !s.ok()) {
      outcome.warnings.push_back(s.message() + "; the files in " + source_dir.string() + " wait");
      continue;
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      const std::string display = Relative(file, hub_dir);
      auto loaded = ingestor_for_load().LoadFile(spec.string(), file.string(), display, options);
      if (loaded.ok()) {
        TRY(MoveInto(file, source_dir / "processed").status());
        outcome.loaded.push_back(std::move(*loaded));
        continue;
      }
      // A store failure (busy, disk full) leaves the file where it is, to try again; a file
      // that cannot be read at all is set aside with its reason.
      const StatusCode code = loaded.status().code();
      if (code != StatusCode::kInvalidArgument && code != StatusCode::kIoError &&
          code != StatusCode::kNotFound) {
        return loaded.status();
      }
      TRY_ASSIGN(fs::path moved, MoveInto(file, source_dir / "failed"));
      std::ofstream reason(moved.string() + ".reason.txt");
      reason << loaded.status().ToString() << "\n";
      outcome.failed.push_back({display, loaded.status().ToString()});
    }
  }
  return outcome;
}

}  // namespace tessera::ingest
