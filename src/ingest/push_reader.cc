#include "ingest/push_reader.h"

#include <nlohmann/json.hpp>

#include "ingest/readers_internal.h"

namespace tessera::ingest {
namespace {

using ordered_json = nlohmann::ordered_json;

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view TrimJsonSpace(std::string_view text) {
  while (!text.empty() && IsJsonSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsJsonSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::string Compact(const ordered_json& value) {
  return value.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

// `text` parsed whole, or discarded: never past the depth limit, never with a NUL (which
// nlohmann takes for the end of the input).
ordered_json ParseWhole(std::string_view text, int max_depth) {
  if (text.find('\0') != std::string_view::npos ||
      internal::JsonNestingDepth(text, max_depth) > max_depth) {
    return ordered_json(ordered_json::value_t::discarded);
  }
  return ordered_json::parse(text.begin(), text.end(), nullptr, false);
}

// A record whose fields are its members' exact names.
class ColumnRecord final : public Record {
 public:
  void Reset(const Record* inner) {
    inner_ = inner;
    object_ = nlohmann::json::parse(inner->Raw(), nullptr, false);
  }
  std::optional<std::string> Get(std::string_view field) const override {
    if (!object_.is_object()) return std::nullopt;
    auto it = object_.find(std::string(field));
    if (it == object_.end() || it->is_null() || it->is_object() || it->is_array()) {
      return std::nullopt;
    }
    if (it->is_string()) return it->get<std::string>();
    return it->dump();
  }
  const std::string& Raw() const override { return inner_->Raw(); }
  RecordPosition Position() const override { return inner_->Position(); }

 private:
  const Record* inner_ = nullptr;
  nlohmann::json object_;
};

class ColumnReader final : public RecordReader {
 public:
  explicit ColumnReader(std::unique_ptr<RecordReader> inner) : inner_(std::move(inner)) {}

  Result<ReadOutcome> Next(const Record*& record, BrokenRecord& broken) override {
    const Record* inner = nullptr;
    TRY_ASSIGN(ReadOutcome outcome, inner_->Next(inner, broken));
    if (outcome == ReadOutcome::kRecord) {
      current_.Reset(inner);
      record = &current_;
    }
    return outcome;
  }
  const std::vector<FileWarning>& Warnings() const override { return inner_->Warnings(); }
  int64_t BytesRead() const override { return inner_->BytesRead(); }

 private:
  std::unique_ptr<RecordReader> inner_;
  ColumnRecord current_;
};

Result<std::string> ToLines(std::string_view body, const JsonOptions& options) {
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  const std::string_view trimmed = TrimJsonSpace(body);
  std::string lines;
  if (trimmed.starts_with('[')) {
    if (trimmed.find('\0') != std::string_view::npos) {
      return Status::InvalidArgument("the body holds a NUL byte");
    }
    if (internal::JsonNestingDepth(trimmed, options.max_depth + 1) > options.max_depth + 1) {
      return Status::InvalidArgument("the body is nested deeper than " +
                                     std::to_string(options.max_depth) + " levels");
    }
    ordered_json array = ordered_json::parse(trimmed.begin(), trimmed.end(), nullptr, false);
    if (array.is_discarded()) {
      return Status::InvalidArgument("the body is not a valid JSON array: " +
                                     internal::DescribeJsonError(trimmed, 1));
    }
    for (const ordered_json& element : array) lines += Compact(element) + "\n";
    return lines;
  }
  // One object, perhaps spread over several lines.
  if (trimmed.starts_with('{')) {
    ordered_json whole = ParseWhole(trimmed, options.max_depth);
    if (whole.is_object()) return Compact(whole) + "\n";
  }
  // JSON Lines: each line that parses is made compact; one that does not is kept for the reader
  // to quarantine with its raw text.
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ordered_json value = TrimJsonSpace(line).empty()
                             ? ordered_json(ordered_json::value_t::discarded)
                             : ParseWhole(line, options.max_depth);
    lines += value.is_discarded() ? std::string(line) : Compact(value);
    lines += '\n';
    start = end + 1;
  }
  return lines;
}

}  // namespace

Result<std::unique_ptr<RecordReader>> OpenJsonRecordsReader(std::string body,
                                                            const JsonOptions& options,
                                                            bool by_column_name) {
  std::string lines;
  try {
    TRY_ASSIGN(lines, ToLines(body, options));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("the body cannot be read as JSON: ") + e.what());
  }
  TRY_ASSIGN(std::unique_ptr<RecordReader> reader,
             internal::OpenJsonLinesReaderFromString(std::move(lines), options));
  if (!by_column_name) return reader;
  return std::unique_ptr<RecordReader>(new ColumnReader(std::move(reader)));
}

}  // namespace tessera::ingest
