// The data-quality report: numbers kept by each load (store::LoadQuality), duplicates counted
// in the store, and drift against the source's previous load. Counts only.
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "ingest/ingest.h"

namespace tessera::ingest {
namespace {

// How far back to look for the previous load with statistics.
constexpr int kPreviousLoadsScanned = 200;

double Percent(int64_t part, int64_t whole) {
  return whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

double Round1(double x) { return std::round(x * 10.0) / 10.0; }

bool Exceeds(double before, double now) { return std::fabs(now - before) > kDriftThresholdPoints; }

void ComputeDrift(const store::LoadQuality& before, const store::LoadQuality& now,
                  QualityReport& report) {
  std::map<std::pair<std::string, std::string>, const store::FieldQuality*> previous;
  for (const auto& f : before.fields) previous[{f.attribute, f.field}] = &f;
  for (const auto& f : now.fields) {
    auto it = previous.find({f.attribute, f.field});
    if (it == previous.end()) continue;
    const store::FieldQuality& b = *it->second;
    FieldDrift d;
    d.attribute = f.attribute;
    d.field = f.field;
    d.completeness_before = Percent(b.present, b.records);
    d.completeness_now = Percent(f.present, f.records);
    d.validity_before = Percent(b.valid, b.present);
    d.validity_now = Percent(f.valid, f.present);
    // Validity means nothing where a load had no values at all.
    d.drifted =
        (b.records > 0 && f.records > 0 && Exceeds(d.completeness_before, d.completeness_now)) ||
        (b.present > 0 && f.present > 0 && Exceeds(d.validity_before, d.validity_now));
    report.field_drift.push_back(std::move(d));
  }
  int64_t total_before = 0, total_now = 0;
  std::map<std::string, std::pair<int64_t, int64_t>> counts;  // category -> before, now
  for (const auto& [category, n] : before.categories) {
    counts[category].first = n;
    total_before += n;
  }
  for (const auto& [category, n] : now.categories) {
    counts[category].second = n;
    total_now += n;
  }
  if (total_before == 0 || total_now == 0) return;
  for (const auto& [category, n] : counts) {
    CategoryDrift d;
    d.category = category;
    d.share_before = Percent(n.first, total_before);
    d.share_now = Percent(n.second, total_now);
    d.drifted = Exceeds(d.share_before, d.share_now);
    report.category_drift.push_back(std::move(d));
  }
}

Result<QualityReport> BuildFor(store::Store& store, const store::LoadSummary& load,
                               bool duplicates) {
  QualityReport report;
  report.load = load;
  TRY_ASSIGN(report.quality, store.GetLoadQuality(load.id));
  if (duplicates) {
    TRY_ASSIGN(store::SourceDuplicates d, store.CountDuplicates(load.source_id));
    report.duplicates = d;
  }
  if (!report.quality) return report;
  TRY_ASSIGN(auto loads, store.ListLoads(load.source_id, kPreviousLoadsScanned));
  for (const auto& earlier : loads) {
    if (earlier.id >= load.id || earlier.status != store::LoadStatus::kCompleted) continue;
    TRY_ASSIGN(auto quality, store.GetLoadQuality(earlier.id));
    if (!quality) continue;
    report.previous_load = earlier.id;
    ComputeDrift(*quality, *report.quality, report);
    break;
  }
  return report;
}

nlohmann::json ReportJson(const QualityReport& r) {
  nlohmann::json j;
  j["source"] = r.load.source_id;
  j["load"] = {{"id", r.load.id},
               {"file", r.load.file},
               {"mode", std::string(store::LoadModeName(r.load.mode))},
               {"read", r.load.counts.read},
               {"loaded", r.load.counts.loaded},
               {"unchanged", r.load.counts.unchanged},
               {"quarantined", r.load.counts.quarantined},
               {"deleted", r.load.counts.deleted}};
  j["statistics_kept"] = r.quality.has_value();
  if (r.quality) {
    const store::LoadQuality& q = *r.quality;
    j["records"] = q.records;
    j["flagged"] = q.flagged_records;
    j["completeness"] = Round1(r.Completeness());
    j["validity"] = Round1(r.Validity());
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& f : q.fields) {
      fields.push_back({{"attribute", f.attribute},
                        {"field", f.field},
                        {"records", f.records},
                        {"present", f.present},
                        {"valid", f.valid},
                        {"flagged", f.flagged},
                        {"placeholder", f.placeholder},
                        {"completeness", Round1(Percent(f.present, f.records))},
                        {"validity", Round1(Percent(f.valid, f.present))}});
    }
    j["fields"] = std::move(fields);
    nlohmann::json categories = nlohmann::json::array();
    for (const auto& [category, n] : q.categories) {
      categories.push_back({{"category", category}, {"count", n}});
    }
    j["categories"] = std::move(categories);
  }
  if (r.duplicates) {
    j["duplicates"] = {{"same_content_groups", r.duplicates->same_content_groups},
                       {"same_content_records", r.duplicates->same_content_records},
                       {"probable_person_groups", r.duplicates->probable_person_groups},
                       {"probable_person_records", r.duplicates->probable_person_records}};
  }
  nlohmann::json drift;
  drift["threshold_points"] = kDriftThresholdPoints;
  drift["previous_load"] = r.previous_load ? nlohmann::json(*r.previous_load) : nlohmann::json();
  drift["flags"] = r.DriftCount();
  nlohmann::json fields = nlohmann::json::array();
  for (const auto& d : r.field_drift) {
    fields.push_back({{"attribute", d.attribute},
                      {"field", d.field},
                      {"completeness_before", Round1(d.completeness_before)},
                      {"completeness_now", Round1(d.completeness_now)},
                      {"validity_before", Round1(d.validity_before)},
                      {"validity_now", Round1(d.validity_now)},
                      {"drifted", d.drifted}});
  }
  drift["fields"] = std::move(fields);
  nlohmann::json categories = nlohmann::json::array();
  for (const auto& d : r.category_drift) {
    categories.push_back({{"category", d.category},
                          {"share_before", Round1(d.share_before)},
                          {"share_now", Round1(d.share_now)},
                          {"drifted", d.drifted}});
  }
  drift["categories"] = std::move(categories);
  j["drift"] = std::move(drift);
  return j;
}

std::string Signed(double points) { return fmt::format("{:+.1f}", points); }

}  // namespace

int QualityReport::DriftCount() const {
  int n = 0;
  for (const auto& d : field_drift) n += d.drifted;
  for (const auto& d : category_drift) n += d.drifted;
  return n;
}

double QualityReport::Completeness() const {
  if (!quality) return 0;
  int64_t records = 0, present = 0;
  for (const auto& f : quality->fields) {
    records += f.records;
    present += f.present;
  }
  return Percent(present, records);
}

double QualityReport::Validity() const {
  if (!quality) return 0;
  int64_t present = 0, valid = 0;
  for (const auto& f : quality->fields) {
    present += f.present;
    valid += f.valid;
  }
  return Percent(valid, present);
}

Result<QualityReport> BuildQualityReport(store::Store& store, std::string_view source_id,
                                         std::optional<model::LoadId> load_id) {
  if (load_id) {
    TRY_ASSIGN(store::LoadSummary load, store.GetLoad(*load_id));
    if (!source_id.empty() && load.source_id != source_id) {
      return Status::InvalidArgument("load " + std::to_string(*load_id) + " is from source " +
                                     load.source_id + ", not " + std::string(source_id));
    }
    if (load.status != store::LoadStatus::kCompleted) {
      return Status::InvalidArgument("load " + std::to_string(*load_id) + " has not completed");
    }
    return BuildFor(store, load, /*duplicates=*/true);
  }
  if (source_id.empty()) return Status::InvalidArgument("a source or a load is needed");
  TRY_ASSIGN(auto loads, store.ListLoads(source_id, kPreviousLoadsScanned));
  for (const auto& load : loads) {
    if (load.status == store::LoadStatus::kCompleted) return BuildFor(store, load, true);
  }
  return Status::NotFound("source " + std::string(source_id) + " has no completed load");
}

Result<std::vector<QualityReport>> BuildQualitySummary(store::Store& store) {
  TRY_ASSIGN(auto loads, store.ListLoads("", std::numeric_limits<int>::max()));
  std::map<std::string, store::LoadSummary> latest;  // newest first: the first one seen wins
  for (const auto& load : loads) {
    if (load.status == store::LoadStatus::kCompleted) latest.try_emplace(load.source_id, load);
  }
  std::vector<QualityReport> out;
  for (const auto& [source, load] : latest) {
    TRY_ASSIGN(QualityReport report, BuildFor(store, load, /*duplicates=*/false));
    out.push_back(std::move(report));
  }
  return out;
}

std::string FormatQualityReport(const QualityReport& r) {
  std::string out;
  auto line = [&out](const std::string& text) { out += text + "\n"; };
  const store::LoadCounts& c = r.load.counts;
  line(fmt::format("source {}, load {} ({}, {})", r.load.source_id, r.load.id, r.load.file,
                   store::LoadModeName(r.load.mode)));
  line(fmt::format("read {}  loaded {}  unchanged {}  quarantined {}  deleted {}", c.read, c.loaded,
                   c.unchanged, c.quarantined, c.deleted));
  if (!r.quality) {
    line("no field statistics: this load was made before they were kept (schema version 2);");
    line("the next load of the source will have them");
  } else {
    const store::LoadQuality& q = *r.quality;
    line(fmt::format("mapped {}  flagged {}  completeness {:.1f}%  validity {:.1f}%", q.records,
                     q.flagged_records, r.Completeness(), r.Validity()));
    line("");
    line(fmt::format("{:<32} {:<22} {:>8} {:>8} {:>8} {:>8} {:>11} {:>9} {:>7}", "attribute",
                     "field", "records", "present", "valid", "flagged", "placeholder", "complete%",
                     "valid%"));
    for (const auto& f : q.fields) {
      line(fmt::format("{:<32} {:<22} {:>8} {:>8} {:>8} {:>8} {:>11} {:>9.1f} {:>7.1f}",
                       f.attribute, f.field, f.records, f.present, f.valid, f.flagged,
                       f.placeholder, Percent(f.present, f.records), Percent(f.valid, f.present)));
    }
    if (!q.categories.empty()) {
      int64_t total = 0;
      for (const auto& [category, n] : q.categories) total += n;
      line("");
      line(fmt::format("{:<32} {:>8} {:>7}", "event category", "count", "share%"));
      for (const auto& [category, n] : q.categories) {
        line(fmt::format("{:<32} {:>8} {:>7.1f}", category, n, Percent(n, total)));
      }
    }
  }
  if (r.duplicates) {
    line("");
    line("duplicates among the source's current records:");
    line(fmt::format("  same content under different keys: {} groups, {} records",
                     r.duplicates->same_content_groups, r.duplicates->same_content_records));
    line(
        fmt::format("  probable duplicate people (given, family, date of birth): {} groups, {} "
                    "records",
                    r.duplicates->probable_person_groups, r.duplicates->probable_person_records));
  }
  line("");
  if (!r.quality) return out;
  if (!r.previous_load) {
    line("drift: no earlier load of this source with statistics to compare with");
    return out;
  }
  line(fmt::format("drift since load {} (more than {:.0f} points): {}", *r.previous_load,
                   kDriftThresholdPoints,
                   r.DriftCount() ? std::to_string(r.DriftCount()) : "none"));
  for (const auto& d : r.field_drift) {
    if (!d.drifted) continue;
    line(
        fmt::format("  {} ({}): completeness {:.1f}% -> {:.1f}% ({}), validity {:.1f}% -> "
                    "{:.1f}% ({})",
                    d.attribute, d.field, d.completeness_before, d.completeness_now,
                    Signed(d.completeness_now - d.completeness_before), d.validity_before,
                    d.validity_now, Signed(d.validity_now - d.validity_before)));
  }
  for (const auto& d : r.category_drift) {
    if (!d.drifted) continue;
    line(fmt::format("  category {}: {:.1f}% -> {:.1f}% of events ({})", d.category, d.share_before,
                     d.share_now, Signed(d.share_now - d.share_before)));
  }
  return out;
}

std::string FormatQualitySummary(const std::vector<QualityReport>& reports) {
  std::string out =
      fmt::format("{:<24} {:>6} {:>9} {:>9} {:>11} {:>8} {:>9} {:>7} {:>6}\n", "source", "load",
                  "read", "loaded", "quarantined", "flagged", "complete%", "valid%", "drift");
  for (const auto& r : reports) {
    const store::LoadCounts& c = r.load.counts;
    if (!r.quality) {
      out +=
          fmt::format("{:<24} {:>6} {:>9} {:>9} {:>11} {:>8} {:>9} {:>7} {:>6}\n", r.load.source_id,
                      r.load.id, c.read, c.loaded, c.quarantined, "-", "-", "-", "-");
      continue;
    }
    out += fmt::format("{:<24} {:>6} {:>9} {:>9} {:>11} {:>8} {:>9.1f} {:>7.1f} {:>6}\n",
                       r.load.source_id, r.load.id, c.read, c.loaded, c.quarantined,
                       r.quality->flagged_records, r.Completeness(), r.Validity(),
                       r.previous_load ? std::to_string(r.DriftCount()) : "-");
  }
  for (const auto& r : reports) {
    if (!r.quality) {
      out += "(-: no statistics; those loads were made before tessera kept them)\n";
      break;
    }
  }
  return out;
}

std::string QualityReportJson(const QualityReport& report) {
  return ReportJson(report).dump(2) + "\n";
}

std::string QualitySummaryJson(const std::vector<QualityReport>& reports) {
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& r : reports) {
    nlohmann::json j = ReportJson(r);
    j.erase("fields");
    j.erase("categories");
    j["drift"].erase("fields");
    j["drift"].erase("categories");
    sources.push_back(std::move(j));
  }
  return nlohmann::json{{"sources", std::move(sources)}}.dump(2) + "\n";
}

}  // namespace tessera::ingest
