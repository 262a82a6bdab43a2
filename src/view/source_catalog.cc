#include <algorithm>
#include <filesystem>

#include "ingest/spec.h"
#include "view/dossier.h"

namespace tessera::view {

void Seen::Normalise() {
  for (auto* ids : {&nominals, &records}) {
    std::sort(ids->begin(), ids->end());
    ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
  }
}

Result<SourceCatalog> SourceCatalog::Load(const std::string& mappings_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(mappings_dir, ec)) {
    return Status::NotFound("no mappings directory at " + mappings_dir);
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(mappings_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".yaml") files.push_back(it->path());
  }
  if (ec) return Status::IoError("cannot list " + mappings_dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  SourceCatalog catalog;
  for (const fs::path& file : files) {
    // The spec parser is ingest's (internal header): the schedule and dataset name are read
    // exactly as ingest reads them.
    Result<ingest::MappingSpec> spec = ingest::LoadMappingSpec(file.string());
    if (!spec.ok()) {
      catalog.warnings_.push_back(spec.status().message());
      continue;
    }
    SourceInfo info;
    info.source_id = spec->source_id;
    info.agency = spec->agency;
    info.dataset = spec->dataset.empty() ? spec->source_id : spec->dataset;
    info.expected_every_hours = spec->expected_every_hours;
    catalog.Add(std::move(info));
  }
  return catalog;
}

struct SourceCatalog::FreshnessCache {
  std::mutex mu;
  bool valid = false;
  int64_t newest_id = 0;
  bool newest_completed = false;
  std::optional<int64_t> newest_finished;
  std::map<std::string, std::optional<int64_t>> current_to;
};

SourceCatalog::SourceCatalog() : cache_(std::make_shared<FreshnessCache>()) {}

void SourceCatalog::Add(SourceInfo info) {
  cache_ = std::make_shared<FreshnessCache>();  // this catalog's sources changed
  auto it =
      std::lower_bound(sources_.begin(), sources_.end(), info.source_id,
                       [](const SourceInfo& s, const std::string& id) { return s.source_id < id; });
  if (it != sources_.end() && it->source_id == info.source_id) {
    *it = std::move(info);
  } else {
    sources_.insert(it, std::move(info));
  }
}

const SourceInfo* SourceCatalog::Find(std::string_view source_id) const {
  auto it =
      std::lower_bound(sources_.begin(), sources_.end(), source_id,
                       [](const SourceInfo& s, std::string_view id) { return s.source_id < id; });
  return it != sources_.end() && it->source_id == source_id ? &*it : nullptr;
}

Result<std::map<std::string, std::optional<int64_t>>> SourceCatalog::CurrentTo(
    store::Store& store) const {
  TRY_ASSIGN(std::vector<store::LoadSummary> newest, store.ListLoads("", 1));
  const int64_t id = newest.empty() ? 0 : newest[0].id;
  const bool completed = !newest.empty() && newest[0].status == store::LoadStatus::kCompleted;
  const std::optional<int64_t> finished =
      newest.empty() ? std::nullopt : newest[0].finished_at_micros;
  {
    std::lock_guard lock(cache_->mu);
    if (cache_->valid && cache_->newest_id == id && cache_->newest_completed == completed &&
        cache_->newest_finished == finished) {
      return cache_->current_to;
    }
  }
  std::map<std::string, std::optional<int64_t>> out;
  for (const SourceInfo& info : sources_) {
    // Newest first; running loads (a file being loaded now) are passed over.
    TRY_ASSIGN(std::vector<store::LoadSummary> loads, store.ListLoads(info.source_id, 16));
    std::optional<int64_t>& current_to = out[info.source_id];
    for (const store::LoadSummary& load : loads) {
      if (load.status == store::LoadStatus::kCompleted && load.finished_at_micros) {
        current_to = load.finished_at_micros;
        break;
      }
    }
  }
  std::lock_guard lock(cache_->mu);
  cache_->valid = true;
  cache_->newest_id = id;
  cache_->newest_completed = completed;
  cache_->newest_finished = finished;
  cache_->current_to = out;
  return out;
}

Result<nlohmann::json> SourceFreshness(const ViewContext& ctx) {
  using nlohmann::json;
  json out = json::array();
  TRY_ASSIGN(auto current, ctx.sources.CurrentTo(ctx.store));
  for (const SourceInfo& info : ctx.sources.sources()) {
    if (ctx.visibility.DatasetFields(info.source_id) == 0) continue;
    const std::optional<int64_t> current_to = current[info.source_id];
    json entry = {{"source_id", info.source_id},
                  {"dataset", info.dataset},
                  {"agency", model::AgencyName(info.agency)},
                  {"data_current_to", current_to ? json(internal::Utc(*current_to)) : json()}};
    bool late = false;
    if (info.expected_every_hours) {
      entry["expected_every_hours"] = *info.expected_every_hours;
      const int64_t every = int64_t{*info.expected_every_hours} * 3600 * 1'000'000;
      late = !current_to || ctx.now_micros - *current_to > every;
    }
    entry["late"] = late;
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace tessera::view
