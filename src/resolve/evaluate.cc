// Evaluation from the contingency table: one sort of the evaluated records by (cluster, entity)
// gives every cell n_ij, every cluster size a_i and every entity size b_j, and every figure is a
// sum over cells. The records of a cell are contiguous in that order, which is what lets the
// worst items list their records without a second index.
#include "resolve/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "core/ascii.h"

namespace tessera::resolve {
namespace {

// --- the truth CSV ---------------------------------------------------------------------------

struct CsvRow {
  std::vector<std::string> fields;
  int64_t line = 0;
};

// Reads RFC 4180 rows one at a time. Lenient where it costs nothing (a BOM, CRLF or LF, blanks
// around fields, blank lines); strict where a truth file would otherwise be misread (text after
// a closing quote, a quote inside an unquoted field, an unterminated quote).
class CsvRows {
 public:
  CsvRows(std::string_view text, const std::string& path) : text_(text), path_(path) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  // False at the end of the text.
  Result<bool> Next(CsvRow& row) {
    SkipBlankLines();
    if (pos_ >= text_.size()) return false;
    row.fields.clear();
    row.line = line_;
    while (true) {
      TRY_ASSIGN(std::string field, Field());
      row.fields.push_back(std::move(field));
      if (pos_ >= text_.size()) return true;
      const char c = text_[pos_];
      if (c == ',') {
        ++pos_;
        continue;
      }
      // End of line: "\n" or "\r\n" (Field stops at either).
      if (c == '\r') ++pos_;
      if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
      ++line_;
      return true;
    }
  }

 private:
  static bool IsSpace(char c) { return c == ' ' || c == '\t'; }

  void SkipBlankLines() {
    while (pos_ < text_.size()) {
      size_t p = pos_;
      while (p < text_.size() && (IsSpace(text_[p]) || text_[p] == '\r')) ++p;
      if (p < text_.size() && text_[p] != '\n') return;
      pos_ = p < text_.size() ? p + 1 : p;
      if (p < text_.size()) ++line_;
    }
  }

  Status Error(int64_t line, const std::string& message) const {
    return Status::InvalidArgument(fmt::format("{}:{}: {}", path_, line, message));
  }

  Result<std::string> Field() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
    std::string value;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      const int64_t start_line = line_;
      ++pos_;
      while (true) {
        if (pos_ >= text_.size()) return Error(start_line, "a quoted field is never closed");
        const char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            value += '"';
            ++pos_;
            continue;
          }
          break;
        }
        if (c == '\n') ++line_;
        value += c;
      }
      while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
      if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\r' && text_[pos_] != '\n') {
        return Error(line_, "text after the closing quote of a field");
      }
      return value;
    }
    const size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\r' &&
           text_[pos_] != '\n') {
      if (text_[pos_] == '"') return Error(line_, "a quote inside an unquoted field");
      ++pos_;
    }
    std::string_view raw = text_.substr(start, pos_ - start);
    while (!raw.empty() && IsSpace(raw.back())) raw.remove_suffix(1);
    return std::string(raw);
  }

  std::string_view text_;
  const std::string& path_;
  size_t pos_ = 0;
  int64_t line_ = 1;
};

// A map key for (source, record_id) that no choice of bytes in either can forge.
std::string RecordKey(std::string_view source, std::string_view record_id) {
  std::string key = std::to_string(source.size());
  key += ':';
  key += source;
  key += record_id;
  return key;
}

std::string Quoted(std::string_view s) { return ascii::QuotedForMessage(s); }

// --- the figures -----------------------------------------------------------------------------

int64_t Pairs(int64_t n) { return n * (n - 1) / 2; }

Scores PairwiseScores(const PairwiseCounts& c) {
  Scores s;
  const int64_t predicted = c.true_positives + c.false_positives;
  const int64_t truly = c.true_positives + c.false_negatives;
  s.precision = predicted == 0 ? 1.0 : static_cast<double>(c.true_positives) / predicted;
  s.recall = truly == 0 ? 1.0 : static_cast<double>(c.true_positives) / truly;
  s.f1 = s.precision + s.recall == 0 ? 0.0 : 2 * s.precision * s.recall / (s.precision + s.recall);
  return s;
}

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// One evaluated record: dense cluster and entity numbers, and its index in the predictions.
struct Item {
  uint32_t cluster;
  uint32_t entity;
  uint32_t index;
};

// A cell of the contingency table: `count` records of `entity` in `cluster`, which are
// items[first .. first + count) in (cluster, entity, index) order.
struct Cell {
  uint32_t cluster;
  uint32_t entity;
  uint32_t first;
  uint32_t count;
};

RecordRef Ref(const std::vector<EvaluatedRecord>& predictions, uint32_t index) {
  return {index, predictions[index].source, predictions[index].record_id};
}

std::vector<RecordRef> CellRecords(const Cell& cell, const std::vector<Item>& items,
                                   const std::vector<EvaluatedRecord>& predictions, int limit) {
  std::vector<RecordRef> refs;
  const uint32_t n = std::min<uint32_t>(cell.count, static_cast<uint32_t>(limit));
  refs.reserve(n);
  for (uint32_t k = 0; k < n; ++k) refs.push_back(Ref(predictions, items[cell.first + k].index));
  return refs;
}

// --- rendering -------------------------------------------------------------------------------

std::string Shown(const RecordRef& r) {
  return ascii::EscapedForTerminal(r.source) + "/" + ascii::EscapedForTerminal(r.record_id);
}

std::string ShownList(const std::vector<RecordRef>& refs, int64_t total) {
  std::string out;
  for (const RecordRef& r : refs) {
    if (!out.empty()) out += ", ";
    out += Shown(r);
  }
  const int64_t more = total - static_cast<int64_t>(refs.size());
  if (more > 0) out += fmt::format("{}... and {} more", out.empty() ? "" : ", ", more);
  return out;
}

// The caller's explanation, indented under the item.
std::string Indented(std::string_view text, std::string_view indent) {
  std::string out;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    out += indent;
    out += line;
    out += '\n';
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

nlohmann::json RefJson(const RecordRef& r) {
  return {{"source", r.source}, {"record_id", r.record_id}};
}

nlohmann::json RefsJson(const std::vector<RecordRef>& refs) {
  nlohmann::json out = nlohmann::json::array();
  for (const RecordRef& r : refs) out.push_back(RefJson(r));
  return out;
}

nlohmann::json ScoresJson(const Scores& s) {
  return {{"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1}};
}

// The caller's JSON explanation, parsed so that it nests; kept as a string if it is not JSON.
nlohmann::json ExplanationJson(const std::string& text, const std::string& json_text) {
  if (!json_text.empty()) {
    nlohmann::json parsed = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) return parsed;
    return json_text;
  }
  if (!text.empty()) return text;
  return nullptr;
}

}  // namespace

// --- the truth CSV ---------------------------------------------------------------------------

Result<GroundTruth> ParseTruthCsv(std::string_view text, const std::string& path,
                                  std::string_view entity_column) {
  GroundTruth truth;
  truth.path = path;
  truth.entity_column = std::string(entity_column);
  CsvRows rows(text, path);
  CsvRow row;
  TRY_ASSIGN(const bool has_header, rows.Next(row));
  if (!has_header) return Status::InvalidArgument(path + ":1: the truth file is empty");

  const std::string_view wanted[3] = {"source", "record_id", entity_column};
  size_t column[3];
  for (int w = 0; w < 3; ++w) {
    const auto found = std::find(row.fields.begin(), row.fields.end(), wanted[w]);
    if (found == row.fields.end()) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: no column {} in the header", path, row.line, Quoted(wanted[w])));
    }
    if (std::find(found + 1, row.fields.end(), wanted[w]) != row.fields.end()) {
      return Status::InvalidArgument(fmt::format("{}:{}: column {} appears twice in the header",
                                                 path, row.line, Quoted(wanted[w])));
    }
    column[w] = static_cast<size_t>(found - row.fields.begin());
  }
  const size_t width = row.fields.size();

  std::unordered_map<std::string, size_t> seen;  // record key -> index in truth.records
  while (true) {
    TRY_ASSIGN(const bool more, rows.Next(row));
    if (!more) break;
    if (row.fields.size() != width) {
      return Status::InvalidArgument(fmt::format("{}:{}: {} fields, but the header has {}", path,
                                                 row.line, row.fields.size(), width));
    }
    TruthRecord record;
    record.line = row.line;
    std::string* values[3] = {&record.source, &record.record_id, &record.entity};
    for (int w = 0; w < 3; ++w) {
      *values[w] = std::move(row.fields[column[w]]);
      if (values[w]->empty()) {
        return Status::InvalidArgument(
            fmt::format("{}:{}: {}: empty value", path, row.line, wanted[w]));
      }
    }
    auto [it, inserted] =
        seen.try_emplace(RecordKey(record.source, record.record_id), truth.records.size());
    if (!inserted) {
      const TruthRecord& earlier = truth.records[it->second];
      if (earlier.entity != record.entity) {
        return Status::InvalidArgument(
            fmt::format("{}:{}: {}: {}/{} is entity {} here but entity {} at line {}", path,
                        row.line, entity_column, Quoted(record.source), Quoted(record.record_id),
                        Quoted(record.entity), Quoted(earlier.entity), earlier.line));
      }
      ++truth.repeated_rows;
      continue;
    }
    truth.records.push_back(std::move(record));
  }
  return truth;
}

Result<GroundTruth> ReadTruthCsv(const std::string& path, std::string_view entity_column) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read truth file " + path);
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError("cannot read truth file " + path);
  return ParseTruthCsv(text.str(), path, entity_column);
}

// --- the figures -----------------------------------------------------------------------------

Result<EvaluationReport> Evaluate(const GroundTruth& truth,
                                  const std::vector<EvaluatedRecord>& predictions,
                                  const EvaluationOptions& options) {
  if (truth.records.size() >= kNone || predictions.size() >= kNone) {
    return Status::ResourceExhausted("evaluation is limited to 4 billion records");
  }
  const int listed = std::max(1, options.listed_records);
  const size_t listed_groups = static_cast<size_t>(std::max(2, options.listed_groups));
  EvaluationReport report;
  report.truth_path = truth.path;
  report.entity_column = truth.entity_column;
  report.truth_records = static_cast<int64_t>(truth.records.size());
  report.predicted_records = static_cast<int64_t>(predictions.size());

  // Truth rows by record, and dense entity numbers in order of first appearance.
  std::unordered_map<std::string, uint32_t> truth_row;
  std::unordered_map<std::string_view, uint32_t> entity_number;
  std::vector<std::string_view> entity_name;
  std::vector<uint32_t> truth_entity(truth.records.size());
  truth_row.reserve(truth.records.size());
  for (uint32_t t = 0; t < truth.records.size(); ++t) {
    const TruthRecord& r = truth.records[t];
    truth_row.emplace(RecordKey(r.source, r.record_id), t);
    auto [it, inserted] =
        entity_number.try_emplace(r.entity, static_cast<uint32_t>(entity_name.size()));
    if (inserted) entity_name.push_back(r.entity);
    truth_entity[t] = it->second;
  }

  // Predictions joined to truth.
  std::vector<uint32_t> predicted_by(truth.records.size(), kNone);  // truth row -> prediction
  std::unordered_map<int64_t, uint32_t> cluster_number;
  std::vector<int64_t> cluster_id;
  std::vector<Item> items;
  items.reserve(std::min(truth.records.size(), predictions.size()));
  for (uint32_t i = 0; i < predictions.size(); ++i) {
    const EvaluatedRecord& p = predictions[i];
    const auto t = truth_row.find(RecordKey(p.source, p.record_id));
    if (t == truth_row.end()) {
      if (static_cast<int>(report.predictions_without_truth_examples.size()) <
          options.listed_unmatched) {
        report.predictions_without_truth_examples.push_back(Ref(predictions, i));
      }
      ++report.predictions_without_truth;
      continue;
    }
    if (const uint32_t before = predicted_by[t->second]; before != kNone) {
      if (predictions[before].predicted_cluster != p.predicted_cluster) {
        return Status::InvalidArgument(fmt::format(
            "{}/{} is predicted twice, in clusters {} and {}", Quoted(p.source),
            Quoted(p.record_id), predictions[before].predicted_cluster, p.predicted_cluster));
      }
      continue;
    }
    predicted_by[t->second] = i;
    auto [c, inserted] =
        cluster_number.try_emplace(p.predicted_cluster, static_cast<uint32_t>(cluster_id.size()));
    if (inserted) cluster_id.push_back(p.predicted_cluster);
    items.push_back({c->second, truth_entity[t->second], i});
  }
  for (uint32_t t = 0; t < truth.records.size(); ++t) {
    if (predicted_by[t] != kNone) continue;
    if (static_cast<int>(report.truth_without_prediction_examples.size()) <
        options.listed_unmatched) {
      report.truth_without_prediction_examples.push_back(
          {t, truth.records[t].source, truth.records[t].record_id});
    }
    ++report.truth_without_prediction;
  }
  report.evaluated_records = static_cast<int64_t>(items.size());

  // The contingency table.
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    if (a.cluster != b.cluster) return a.cluster < b.cluster;
    if (a.entity != b.entity) return a.entity < b.entity;
    return a.index < b.index;
  });
  std::vector<Cell> cells;
  std::vector<int64_t> cluster_size(cluster_id.size(), 0);
  std::vector<int64_t> entity_size(entity_name.size(), 0);
  for (uint32_t k = 0; k < items.size(); ++k) {
    const Item& item = items[k];
    if (cells.empty() || cells.back().cluster != item.cluster ||
        cells.back().entity != item.entity) {
      cells.push_back({item.cluster, item.entity, k, 0});
    }
    ++cells.back().count;
    ++cluster_size[item.cluster];
    ++entity_size[item.entity];
  }

  report.predicted_clusters = static_cast<int64_t>(cluster_id.size());
  for (int64_t a : cluster_size) report.predicted_singletons += a == 1;
  for (int64_t b : entity_size) {
    report.true_entities += b > 0;
    report.true_singletons += b == 1;
  }

  int64_t predicted_pairs = 0, true_pairs = 0;
  for (int64_t a : cluster_size) predicted_pairs += Pairs(a);
  for (int64_t b : entity_size) true_pairs += Pairs(b);
  double precision_sum = 0, recall_sum = 0;
  for (const Cell& cell : cells) {
    const double n = cell.count;
    report.pairs.true_positives += Pairs(cell.count);
    precision_sum += n * n / static_cast<double>(cluster_size[cell.cluster]);
    recall_sum += n * n / static_cast<double>(entity_size[cell.entity]);
  }
  report.pairs.false_positives = predicted_pairs - report.pairs.true_positives;
  report.pairs.false_negatives = true_pairs - report.pairs.true_positives;
  report.pairwise = PairwiseScores(report.pairs);
  if (!items.empty()) {
    const double n = static_cast<double>(items.size());
    Scores& b = report.b_cubed;
    b.precision = precision_sum / n;
    b.recall = recall_sum / n;
    b.f1 =
        b.precision + b.recall == 0 ? 0.0 : 2 * b.precision * b.recall / (b.precision + b.recall);
  }

  // False merges: clusters of several entities. Cells are in cluster order.
  struct Ranked {
    uint32_t number;  // dense cluster or entity
    size_t cells;     // its first cell (in cluster order, or in entity order for splits)
    size_t cell_count;
    int64_t wrong_pairs;
  };
  std::vector<Ranked> merges;
  for (size_t k = 0; k < cells.size();) {
    size_t end = k;
    int64_t same = 0;
    while (end < cells.size() && cells[end].cluster == cells[k].cluster)
      same += Pairs(cells[end++].count);
    if (end - k > 1)
      merges.push_back(
          {cells[k].cluster, k, end - k, Pairs(cluster_size[cells[k].cluster]) - same});
    k = end;
  }
  report.clusters_with_false_merges = static_cast<int64_t>(merges.size());
  const auto merge_order = [&](const Ranked& a, const Ranked& b) {
    if (a.wrong_pairs != b.wrong_pairs) return a.wrong_pairs > b.wrong_pairs;
    if (cluster_size[a.number] != cluster_size[b.number]) {
      return cluster_size[a.number] > cluster_size[b.number];
    }
    return cluster_id[a.number] < cluster_id[b.number];
  };
  const size_t worst = static_cast<size_t>(std::max(0, options.worst));
  const size_t merge_count = std::min(worst, merges.size());
  std::partial_sort(merges.begin(), merges.begin() + merge_count, merges.end(), merge_order);
  for (size_t m = 0; m < merge_count; ++m) {
    const Ranked& r = merges[m];
    std::vector<const Cell*> group(r.cell_count);
    for (size_t g = 0; g < r.cell_count; ++g) group[g] = &cells[r.cells + g];
    const auto shown =
        group.begin() + static_cast<ptrdiff_t>(std::min(listed_groups, group.size()));
    std::partial_sort(group.begin(), shown, group.end(), [&](const Cell* a, const Cell* b) {
      if (a->count != b->count) return a->count > b->count;
      return entity_name[a->entity] < entity_name[b->entity];
    });
    group.erase(shown, group.end());
    FalseMerge merge;
    merge.cluster = cluster_id[r.number];
    merge.size = cluster_size[r.number];
    merge.false_pairs = r.wrong_pairs;
    merge.entity_count = static_cast<int64_t>(r.cell_count);
    for (const Cell* cell : group) {
      merge.entities.push_back({std::string(entity_name[cell->entity]), cell->count,
                                CellRecords(*cell, items, predictions, listed)});
    }
    merge.representative_pair = {merge.entities[0].records[0], merge.entities[1].records[0]};
    report.worst_false_merges.push_back(std::move(merge));
  }

  // False splits: entities in several clusters, from the cells in entity order.
  std::vector<uint32_t> by_entity(cells.size());
  for (uint32_t k = 0; k < cells.size(); ++k) by_entity[k] = k;
  std::sort(by_entity.begin(), by_entity.end(), [&](uint32_t a, uint32_t b) {
    if (cells[a].entity != cells[b].entity) return cells[a].entity < cells[b].entity;
    return cells[a].cluster < cells[b].cluster;
  });
  std::vector<Ranked> splits;
  for (size_t k = 0; k < by_entity.size();) {
    const uint32_t entity = cells[by_entity[k]].entity;
    size_t end = k;
    int64_t same = 0;
    while (end < by_entity.size() && cells[by_entity[end]].entity == entity) {
      same += Pairs(cells[by_entity[end++]].count);
    }
    if (end - k > 1) splits.push_back({entity, k, end - k, Pairs(entity_size[entity]) - same});
    k = end;
  }
  report.entities_with_false_splits = static_cast<int64_t>(splits.size());
  const auto split_order = [&](const Ranked& a, const Ranked& b) {
    if (a.wrong_pairs != b.wrong_pairs) return a.wrong_pairs > b.wrong_pairs;
    if (entity_size[a.number] != entity_size[b.number]) {
      return entity_size[a.number] > entity_size[b.number];
    }
    return entity_name[a.number] < entity_name[b.number];
  };
  const size_t split_count = std::min(worst, splits.size());
  std::partial_sort(splits.begin(), splits.begin() + split_count, splits.end(), split_order);
  for (size_t s = 0; s < split_count; ++s) {
    const Ranked& r = splits[s];
    std::vector<const Cell*> group(r.cell_count);
    for (size_t g = 0; g < r.cell_count; ++g) group[g] = &cells[by_entity[r.cells + g]];
    const auto shown =
        group.begin() + static_cast<ptrdiff_t>(std::min(listed_groups, group.size()));
    std::partial_sort(group.begin(), shown, group.end(), [&](const Cell* a, const Cell* b) {
      if (a->count != b->count) return a->count > b->count;
      return cluster_id[a->cluster] < cluster_id[b->cluster];
    });
    group.erase(shown, group.end());
    FalseSplit split;
    split.entity = std::string(entity_name[r.number]);
    split.size = entity_size[r.number];
    split.missed_pairs = r.wrong_pairs;
    split.cluster_count = static_cast<int64_t>(r.cell_count);
    for (const Cell* cell : group) {
      split.clusters.push_back(
          {cluster_id[cell->cluster], cell->count, CellRecords(*cell, items, predictions, listed)});
    }
    split.representative_pair = {split.clusters[0].records[0], split.clusters[1].records[0]};
    report.worst_false_splits.push_back(std::move(split));
  }
  return report;
}

// --- rendering -------------------------------------------------------------------------------

std::string FormatEvaluationReport(const EvaluationReport& r) {
  using ascii::EscapedForTerminal;
  std::string out;
  out += fmt::format("truth      {} (entity column {}): {} records\n",
                     EscapedForTerminal(r.truth_path), EscapedForTerminal(r.entity_column),
                     r.truth_records);
  out += fmt::format("records    {} evaluated, of {} predicted\n", r.evaluated_records,
                     r.predicted_records);
  out += fmt::format("           {} in the truth without a prediction (quarantined?): left out\n",
                     r.truth_without_prediction);
  if (!r.truth_without_prediction_examples.empty()) {
    out += fmt::format("             e.g. {}\n",
                       ShownList(r.truth_without_prediction_examples, r.truth_without_prediction));
  }
  out += fmt::format("           {} predicted without a truth row: left out\n",
                     r.predictions_without_truth);
  if (!r.predictions_without_truth_examples.empty()) {
    out += fmt::format("             e.g. {}\n", ShownList(r.predictions_without_truth_examples,
                                                           r.predictions_without_truth));
  }
  out += fmt::format(
      "clusters   {} predicted ({} singletons) against {} true entities ({} "
      "singletons)\n\n",
      r.predicted_clusters, r.predicted_singletons, r.true_entities, r.true_singletons);

  out += fmt::format("{:<10} {:>10} {:>10} {:>10}\n", "", "precision", "recall", "F1");
  out += fmt::format(
      "{:<10} {:>10.4f} {:>10.4f} {:>10.4f}   pairs: {} true positive, {} false "
      "positive, {} false negative\n",
      "pairwise", r.pairwise.precision, r.pairwise.recall, r.pairwise.f1, r.pairs.true_positives,
      r.pairs.false_positives, r.pairs.false_negatives);
  out += fmt::format("{:<10} {:>10.4f} {:>10.4f} {:>10.4f}   averaged over records\n", "B-cubed",
                     r.b_cubed.precision, r.b_cubed.recall, r.b_cubed.f1);
  out += "(precision is 1 when no pair is predicted, recall is 1 when no pair is true)\n";

  out += fmt::format("\nworst false merges: {} of {} clusters holding several entities\n",
                     r.worst_false_merges.size(), r.clusters_with_false_merges);
  for (size_t i = 0; i < r.worst_false_merges.size(); ++i) {
    const FalseMerge& m = r.worst_false_merges[i];
    out += fmt::format("{:>3}. cluster {}: {} records of {} entities, {} false pairs\n", i + 1,
                       m.cluster, m.size, m.entity_count, m.false_pairs);
    for (const auto& e : m.entities) {
      out += fmt::format("       entity {} ({}): {}\n", EscapedForTerminal(e.entity), e.size,
                         ShownList(e.records, e.size));
    }
    if (const int64_t more = m.entity_count - static_cast<int64_t>(m.entities.size()); more > 0) {
      out += fmt::format("       ... and {} smaller entities\n", more);
    }
    out += fmt::format("       explained pair: {} and {}\n", Shown(m.representative_pair.first),
                       Shown(m.representative_pair.second));
    out += Indented(m.explanation, "         ");
  }

  out += fmt::format("\nworst false splits: {} of {} entities spread over several clusters\n",
                     r.worst_false_splits.size(), r.entities_with_false_splits);
  for (size_t i = 0; i < r.worst_false_splits.size(); ++i) {
    const FalseSplit& s = r.worst_false_splits[i];
    out += fmt::format("{:>3}. entity {}: {} records in {} clusters, {} missed pairs\n", i + 1,
                       EscapedForTerminal(s.entity), s.size, s.cluster_count, s.missed_pairs);
    for (const auto& c : s.clusters) {
      out += fmt::format("       cluster {} ({}): {}\n", c.cluster, c.size,
                         ShownList(c.records, c.size));
    }
    if (const int64_t more = s.cluster_count - static_cast<int64_t>(s.clusters.size()); more > 0) {
      out += fmt::format("       ... and {} smaller clusters\n", more);
    }
    out += fmt::format("       explained pair: {} and {}\n", Shown(s.representative_pair.first),
                       Shown(s.representative_pair.second));
    out += Indented(s.explanation, "         ");
  }
  return out;
}

std::string EvaluationReportJson(const EvaluationReport& r) {
  nlohmann::json j;
  j["truth"] = {
      {"path", r.truth_path}, {"entity_column", r.entity_column}, {"records", r.truth_records}};
  j["records"] = {
      {"predicted", r.predicted_records},
      {"evaluated", r.evaluated_records},
      {"truth_without_prediction", r.truth_without_prediction},
      {"truth_without_prediction_examples", RefsJson(r.truth_without_prediction_examples)},
      {"predictions_without_truth", r.predictions_without_truth},
      {"predictions_without_truth_examples", RefsJson(r.predictions_without_truth_examples)}};
  j["clusters"] = {{"predicted", r.predicted_clusters},
                   {"predicted_singletons", r.predicted_singletons},
                   {"true_entities", r.true_entities},
                   {"true_singletons", r.true_singletons}};
  j["pairwise"] = ScoresJson(r.pairwise);
  j["pairwise"]["true_positives"] = r.pairs.true_positives;
  j["pairwise"]["false_positives"] = r.pairs.false_positives;
  j["pairwise"]["false_negatives"] = r.pairs.false_negatives;
  j["b_cubed"] = ScoresJson(r.b_cubed);

  nlohmann::json merges = nlohmann::json::array();
  for (const FalseMerge& m : r.worst_false_merges) {
    nlohmann::json entities = nlohmann::json::array();
    for (const auto& e : m.entities) {
      entities.push_back(
          {{"entity", e.entity}, {"size", e.size}, {"records", RefsJson(e.records)}});
    }
    merges.push_back(
        {{"cluster", m.cluster},
         {"size", m.size},
         {"false_pairs", m.false_pairs},
         {"entity_count", m.entity_count},
         {"entities", std::move(entities)},
         {"representative_pair",
          {RefJson(m.representative_pair.first), RefJson(m.representative_pair.second)}},
         {"explanation", ExplanationJson(m.explanation, m.explanation_json)}});
  }
  j["false_merges"] = {{"clusters", r.clusters_with_false_merges}, {"worst", std::move(merges)}};

  nlohmann::json splits = nlohmann::json::array();
  for (const FalseSplit& s : r.worst_false_splits) {
    nlohmann::json clusters = nlohmann::json::array();
    for (const auto& c : s.clusters) {
      clusters.push_back(
          {{"cluster", c.cluster}, {"size", c.size}, {"records", RefsJson(c.records)}});
    }
    splits.push_back(
        {{"entity", s.entity},
         {"size", s.size},
         {"missed_pairs", s.missed_pairs},
         {"cluster_count", s.cluster_count},
         {"clusters", std::move(clusters)},
         {"representative_pair",
          {RefJson(s.representative_pair.first), RefJson(s.representative_pair.second)}},
         {"explanation", ExplanationJson(s.explanation, s.explanation_json)}});
  }
  j["false_splits"] = {{"entities", r.entities_with_false_splits}, {"worst", std::move(splits)}};
  // Partner bytes need not be UTF-8: replace what is not, rather than throw.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace tessera::resolve
