// JSON Lines and FHIR R4 readers, and the JSON paths mapping specs use to reach into them.
//
// Both readers parse with nlohmann::json's non-throwing API, one record at a time, after two
// checks the parser cannot be trusted with: nesting depth (counted before the parser sees the
// text, so a line 10,000 levels deep is a broken record, not an exhausted stack) and NUL bytes
// (nlohmann takes a NUL for the end of the input and would accept `{"a":1}<NUL>junk`).
//
// FHIR files are a Bundle (usually one long line from the partner's exporter), a single
// resource, or NDJSON. A hand-written scanner walks the top-level object without building it:
// it notes resourceType, and once it knows the object is a Bundle it hands each element of the
// "entry" array to nlohmann as that element completes, so memory is bounded by one entry and a
// truncated Bundle still yields every entry before the damage. The Bundle's other members are
// skipped, not checked. An object not (yet) known to be a Bundle is kept whole, up to
// max_record_bytes, and parsed at its end: a single resource, or a Bundle that names its
// resourceType after its entries (its entries then still get their own positions).
//
// When the scanner finds the structure broken it reports one broken record and goes on from a
// place it can trust: if the broken object began a line and the line after its first starts
// with '{', the file is NDJSON and is read line by line from there (so a truncated line costs
// one record); otherwise from the next line that starts with '{'. Limits are checked at every
// byte and recovery depends only on the bytes, so a file yields the same records however it is
// cut into reads (the fuzzers check this).
#include <algorithm>
#include <charconv>
#include <cstring>
#include <deque>

#include "core/ascii.h"
#include "ingest/readers_internal.h"
#include "ingest/record.h"

namespace tessera::ingest {
namespace {

using internal::ByteSource;
using internal::DescribeJsonError;
using internal::JsonNestingDepth;
using internal::StreamBuffer;
using nlohmann::json;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (!IsJsonSpace(c)) return false;
  }
  return true;
}

std::string Truncated(std::string_view raw) {
  return std::string(raw.substr(0, internal::kMaxBrokenRawBytes));
}

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// nlohmann's parser takes a NUL byte for the end of the input, so that `{"a":1}<NUL>junk` would
// pass. A raw NUL is never valid JSON (in strings it must be escaped): reject it first.
std::optional<std::string> NulProblem(std::string_view text, int64_t line, int64_t column) {
  const size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return std::nullopt;
  const size_t newline = text.rfind('\n', nul);
  const auto nul_column =
      static_cast<int64_t>(newline == std::string_view::npos ? static_cast<size_t>(column - 1) + nul
                                                             : nul - newline - 1);
  const auto nul_line =
      line + static_cast<int64_t>(std::count(text.begin(), text.begin() + nul, '\n'));
  return "invalid JSON at line " + std::to_string(nul_line) + ", column " +
         std::to_string(nul_column + 1) + ": NUL byte";
}

std::string DepthReason(int max_depth) {
  return "JSON nested deeper than " + std::to_string(max_depth) + " levels";
}

// ---------------------------------------------------------------------------------------------
// Lines, for JSON Lines and NDJSON.

class LineReader {
 public:
  enum class Outcome { kLine, kTooLong, kEnd };

  LineReader(StreamBuffer& buffer, size_t max_line) : buffer_(buffer), max_line_(max_line) {}

  void Restart(int64_t line) {
    line_ = line;
    next_ = -1;
    searched_ = buffer_.start();
  }

  // kLine: `text` is the next line without its line break (or a CR before it), valid until the
  // next call. kTooLong: the line was longer than max_line; `prefix` holds its start.
  Result<Outcome> Next(std::string_view& text, RecordPosition& at, std::string& prefix) {
    if (next_ >= 0) {
      buffer_.Consume(next_);
      next_ = -1;
    }
    for (;;) {
      const int64_t start = buffer_.start();
      const int64_t end = buffer_.end();
      const int64_t window_end =
          std::min<int64_t>(end, start + static_cast<int64_t>(max_line_) + 2);
      searched_ = std::max(searched_, start);
      if (searched_ < window_end) {
        const void* hit = std::memchr(buffer_.Pointer(searched_), '\n',
                                      static_cast<size_t>(window_end - searched_));
        if (hit) {
          const int64_t newline = start + (static_cast<const char*>(hit) - buffer_.Pointer(start));
          return Emit(start, newline, newline + 1, text, at, prefix);
        }
        searched_ = window_end;
      }
      if (window_end - start >= static_cast<int64_t>(max_line_) + 2) {
        at = {line_++, start};
        prefix = Truncated(buffer_.View(start, window_end));
        TRY(SkipPastNewline());
        return Outcome::kTooLong;
      }
      if (buffer_.eof()) {
        if (start == end) return Outcome::kEnd;
        return Emit(start, end, end, text, at, prefix);
      }
      TRY(buffer_.Fill().status());
    }
  }

 private:
  Outcome Emit(int64_t start, int64_t content_end, int64_t next, std::string_view& text,
               RecordPosition& at, std::string& prefix) {
    if (content_end > start && buffer_.At(content_end - 1) == '\r') --content_end;
    at = {line_++, start};
    next_ = next;
    searched_ = next;
    if (content_end - start > static_cast<int64_t>(max_line_)) {
      prefix = Truncated(buffer_.View(start, content_end));
      return Outcome::kTooLong;
    }
    text = buffer_.View(start, content_end);
    return Outcome::kLine;
  }

  Status SkipPastNewline() {
    for (;;) {
      const int64_t start = buffer_.start();
      const auto n = static_cast<size_t>(buffer_.end() - start);
      const void* hit = n ? std::memchr(buffer_.Pointer(start), '\n', n) : nullptr;
      if (hit) {
        buffer_.Consume(start + (static_cast<const char*>(hit) - buffer_.Pointer(start)) + 1);
        searched_ = buffer_.start();
        return Status::Ok();
      }
      buffer_.Consume(buffer_.end());
      searched_ = buffer_.start();
      if (buffer_.eof()) return Status::Ok();
      TRY(buffer_.Fill().status());
    }
  }

  StreamBuffer& buffer_;
  size_t max_line_;
  int64_t line_ = 1;
  int64_t next_ = -1;     // where the line last returned ends: consumed on the next call
  int64_t searched_ = 0;  // no '\n' in [start, searched_)
};

// ---------------------------------------------------------------------------------------------
// Records.

class JsonRecord final : public Record {
 public:
  std::optional<std::string> Get(std::string_view field) const override {
    return EvaluateJsonPath(value_, field);
  }
  const std::string& Raw() const override { return raw_; }
  RecordPosition Position() const override { return position_; }
  std::string_view Kind() const override { return kind_; }

  json value_;
  std::string raw_;
  std::string kind_;
  RecordPosition position_;
};

// Reads and drops a UTF-8 byte-order mark at the start of the file.
Status SkipBom(StreamBuffer& buffer) {
  while (buffer.end() - buffer.start() < 3 && !buffer.eof()) TRY(buffer.Fill().status());
  if (buffer.View(buffer.start(), buffer.end()).substr(0, 3) == kUtf8Bom) {
    buffer.Consume(buffer.start() + 3);
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// JSON Lines.

class JsonLinesReader final : public RecordReader {
 public:
  JsonLinesReader(std::unique_ptr<ByteSource> source, const JsonOptions& options, size_t read_chunk)
      : options_(options),
        buffer_(std::move(source), read_chunk, options.max_record_bytes + 2),
        lines_(buffer_, options.max_record_bytes) {}

  Status Start() {
    TRY(SkipBom(buffer_));
    lines_.Restart(1);
    return Status::Ok();
  }

  Result<ReadOutcome> Next(const Record*& record, BrokenRecord& broken) override {
    try {
      for (;;) {
        std::string_view text;
        RecordPosition at;
        std::string prefix;
        TRY_ASSIGN(const LineReader::Outcome outcome, lines_.Next(text, at, prefix));
        if (outcome == LineReader::Outcome::kEnd) return ReadOutcome::kEnd;
        if (outcome == LineReader::Outcome::kTooLong) {
          broken = {at, "",
                    "line is longer than " + std::to_string(options_.max_record_bytes) + " bytes",
                    std::move(prefix)};
          return ReadOutcome::kBroken;
        }
        if (IsBlank(text)) continue;
        auto fail = [&](std::string reason) {
          broken = {at, "", std::move(reason), Truncated(text)};
          return ReadOutcome::kBroken;
        };
        if (auto nul = NulProblem(text, at.line, 1)) return fail(std::move(*nul));
        if (JsonNestingDepth(text, options_.max_depth) > options_.max_depth) {
          return fail(DepthReason(options_.max_depth));
        }
        json value = json::parse(text.begin(), text.end(), nullptr, false);
        if (value.is_discarded()) return fail(DescribeJsonError(text, at.line));
        if (!value.is_object()) {
          return fail(std::string("line is a JSON ") + value.type_name() + ", not an object");
        }
        record_.value_ = std::move(value);
        record_.raw_.assign(text);
        record_.position_ = at;
        record = &record_;
        return ReadOutcome::kRecord;
      }
    } catch (const std::exception& e) {
      return Status::Internal(std::string("JSON Lines reader: ") + e.what());
    }
  }

  const std::vector<FileWarning>& Warnings() const override { return warnings_; }
  int64_t BytesRead() const override { return buffer_.start(); }

 private:
  JsonOptions options_;
  StreamBuffer buffer_;
  LineReader lines_;
  JsonRecord record_;
  std::vector<FileWarning> warnings_;
};

// ---------------------------------------------------------------------------------------------
// FHIR.

// What the FHIR reader has found and not yet handed out.
struct FhirOutput {
  bool ok = false;
  BrokenRecord broken;
  json resource;
  std::string kind;
  RecordPosition position;
};

class FhirReader final : public RecordReader {
 public:
  FhirReader(std::unique_ptr<ByteSource> source, const JsonOptions& options, size_t read_chunk)
      : options_(options),
        max_bytes_(static_cast<int64_t>(options.max_record_bytes)),
        buffer_(std::move(source), read_chunk, options.max_record_bytes + 2),
        lines_(buffer_, options.max_record_bytes) {}

  Status Start() {
    TRY(SkipBom(buffer_));
    pos_ = line_begin_ = buffer_.start();
    return Status::Ok();
  }

  Result<ReadOutcome> Next(const Record*& record, BrokenRecord& broken) override {
    try {
      for (;;) {
        if (!pending_.empty()) {
          FhirOutput& out = pending_.front();
          ReadOutcome outcome = ReadOutcome::kBroken;
          if (out.ok) {
            record_.raw_ = Dump(out.resource);
            record_.value_ = std::move(out.resource);
            record_.kind_ = std::move(out.kind);
            record_.position_ = out.position;
            record = &record_;
            outcome = ReadOutcome::kRecord;
          } else {
            broken = std::move(out.broken);
          }
          pending_.pop_front();
          return outcome;
        }
        if (done_) return ReadOutcome::kEnd;
        if (ndjson_) {
          TRY(ReadNdjsonLine());
        } else {
          TRY(ScanDocument());
        }
      }
    } catch (const std::exception& e) {
      return Status::Internal(std::string("FHIR reader: ") + e.what());
    }
  }

  const std::vector<FileWarning>& Warnings() const override { return warnings_; }
  int64_t BytesRead() const override { return ndjson_ ? buffer_.start() : pos_; }

 private:
  enum class State {
    kTop,                // between top-level values
    kKeyOrEnd,           // after the top-level '{'
    kKeyAfterComma,      // after ',' between members
    kKey,                // in a member name
    kColon,              // after a member name
    kValue,              // after ':'
    kSkipValue,          // in a member value
    kCommaOrEnd,         // after a member value
    kElementOrEnd,       // after the '[' of "entry"
    kElementAfterComma,  // after ',' between entries
    kElement,            // in an entry
    kElementCommaOrEnd,  // after an entry
    kRecover,            // after damage: looking for a line that starts with '{'
  };

  // Skips one JSON value (any depth) a byte at a time, without building it.
  struct ValueSkipper {
    int64_t depth = 0;
    bool in_string = false;
    bool escape = false;
    bool scalar = false;
    void Start(char first) {
      depth = 0;
      escape = false;
      in_string = first == '"';
      scalar = first != '"' && first != '{' && first != '[';
      if (!scalar && !in_string) depth = 1;
    }
  };
  enum class Skip { kMore, kDoneAfter, kDoneBefore, kError };

  // Feeds the byte after the value's first; kDoneAfter: the value ends with this byte;
  // kDoneBefore: it ended just before it (a number or literal).
  static Skip Feed(ValueSkipper& s, char c, const char*& error) {
    if (s.in_string) {
      if (s.escape) {
        s.escape = false;
      } else if (c == '\\') {
        s.escape = true;
      } else if (c == '"') {
        s.in_string = false;
        if (s.depth == 0) return Skip::kDoneAfter;
      } else if (c == '\n') {
        error = "line break inside a JSON string";
        return Skip::kError;
      }
      return Skip::kMore;
    }
    if (s.scalar) {
      if (c == ',' || c == '}' || c == ']' || IsJsonSpace(c)) return Skip::kDoneBefore;
      if (c == '"' || c == '{' || c == '[' || c == ':') {
        error = "unexpected character after a number or literal";
        return Skip::kError;
      }
      return Skip::kMore;
    }
    switch (c) {
      case '"':
        s.in_string = true;
        break;
      case '{':
      case '[':
        ++s.depth;
        break;
      case '}':
      case ']':
        if (--s.depth == 0) return Skip::kDoneAfter;
        break;
      default:
        break;
    }
    return Skip::kMore;
  }

  static bool StartsValue(char c) { return c != ',' && c != ':' && c != '}' && c != ']'; }

  // Runs the scanner until it has output, reaches the end, or switches to NDJSON.
  Status ScanDocument() {
    while (pending_.empty() && !done_ && !ndjson_) {
      if (pos_ >= buffer_.end()) {
        if (buffer_.eof()) {
          AtEndOfFile();
          continue;
        }
        if (mark_ >= 0 && pos_ - mark_ > max_bytes_) {
          Overflow();
          continue;
        }
        buffer_.Consume(mark_ >= 0 ? mark_ : pos_);
        TRY(buffer_.Fill().status());
        continue;
      }
      const char* p = buffer_.Pointer(pos_);
      const char* end = buffer_.Pointer(buffer_.end());
      while (p < end && pending_.empty() && !ndjson_ && !done_) {
        if (mark_ >= 0 && pos_ - mark_ > max_bytes_) {
          // Checked at every byte rather than when the buffer runs out, so that what a file
          // yields does not depend on how it was cut into reads.
          Overflow();
          if (pos_ >= buffer_.end()) break;
          p = buffer_.Pointer(pos_);
          end = buffer_.Pointer(buffer_.end());
          continue;
        }
        const char c = *p;
        if (!Step(c)) {
          // The state changed without taking the byte: look at it again. A recovery may have
          // moved pos_ and dropped bytes from the buffer.
          if (pos_ >= buffer_.end()) break;
          p = buffer_.Pointer(pos_);
          end = buffer_.Pointer(buffer_.end());
          continue;
        }
        if (c == '\n') {
          ++line_;
          line_start_ = true;
          line_begin_ = pos_ + 1;
        } else {
          line_start_ = false;
        }
        ++p;
        ++pos_;
      }
    }
    return Status::Ok();
  }

  // Handles one byte at pos_. Returns false when the byte must be looked at again (in the new
  // state, or at the new pos_ set by a recovery).
  bool Step(char c) {
    switch (state_) {
      case State::kTop:
      case State::kRecover:
        if (IsJsonSpace(c)) return true;
        if (state_ == State::kRecover && !(c == '{' && line_start_)) return true;
        if (c != '{') {
          value_start_ = pos_;
          value_line_ = line_;
          value_col0_ = line_start_;
          streaming_ = false;
          mark_ = -1;
          Damage(std::string("unexpected ") + Describe(c) +
                     ": a FHIR file holds JSON objects (a Bundle, a resource, or one per line)",
                 pos_);
          return false;
        }
        if (last_value_one_line_ && line_ > last_value_end_line_) {
          // The last object began and ended on one line, and another starts on a later line:
          // NDJSON. From here on each line is a record, so a damaged line costs one line.
          buffer_.Consume(pos_);
          lines_.Restart(line_);
          ndjson_ = true;
          return false;
        }
        BeginObject();
        return true;
      case State::kKeyOrEnd:
      case State::kKeyAfterComma:
        if (IsJsonSpace(c)) return true;
        if (c == '"') {
          key_start_ = pos_;
          key_escaped_ = false;
          skipper_.Start('"');
          if (mark_ < 0) mark_ = pos_;
          state_ = State::kKey;
          return true;
        }
        if (c == '}' && state_ == State::kKeyOrEnd) return EndObject();
        Damage("expected a member name, found " + Describe(c), pos_);
        return false;
      case State::kKey: {
        const char* error = nullptr;
        if (c == '\\') key_escaped_ = true;
        const Skip s = Feed(skipper_, c, error);
        if (s == Skip::kError) {
          Damage(error, pos_);
          return false;
        }
        if (s == Skip::kDoneAfter) {
          // A name longer than the record limit is none the scanner looks for (checked here
          // too, so that it does not matter whether the buffer had to let it go).
          key_ = key_start_ >= 0 && pos_ + 1 - key_start_ <= max_bytes_
                     ? KeyText(key_start_, pos_ + 1)
                     : std::string();
          ReleaseMark();
          state_ = State::kColon;
        }
        return true;
      }
      case State::kColon:
        if (IsJsonSpace(c)) return true;
        if (c != ':') {
          Damage("expected ':' after member name, found " + Describe(c), pos_);
          return false;
        }
        state_ = State::kValue;
        return true;
      case State::kValue:
        if (IsJsonSpace(c)) return true;
        if (!StartsValue(c)) {
          Damage("expected a value, found " + Describe(c), pos_);
          return false;
        }
        if (key_ == "entry") entry_seen_ = true;
        if (key_ == "entry" && c == '[') {
          entries_ = 0;
          state_ = State::kElementOrEnd;
          return true;
        }
        if (key_ == "entry" && streaming_) {
          FhirOutput out;
          out.broken = {{line_, pos_}, "entry", "Bundle.entry is not an array", ""};
          pending_.push_back(std::move(out));
        }
        capture_type_ = key_ == "resourceType" && c == '"';
        if (capture_type_) {
          type_start_ = pos_;
          if (mark_ < 0) mark_ = pos_;
        }
        skipper_.Start(c);
        state_ = State::kSkipValue;
        return true;
      case State::kSkipValue: {
        const char* error = nullptr;
        const Skip s = Feed(skipper_, c, error);
        if (s == Skip::kError) {
          Damage(error, pos_);
          return false;
        }
        if (s == Skip::kMore) return true;
        if (capture_type_) {
          capture_type_ = false;
          if (pos_ + 1 - type_start_ <= max_bytes_) {
            const json type = json::parse(buffer_.View(type_start_, pos_ + 1), nullptr, false);
            if (type.is_string()) resource_type_ = type.get<std::string>();
          }
          ReleaseMark();
          // A Bundle: from here each entry is read and handed out as it completes.
          if (resource_type_ == "Bundle" && !entry_seen_ && !streaming_) {
            streaming_ = true;
            mark_ = -1;
          }
        }
        state_ = State::kCommaOrEnd;
        return s == Skip::kDoneAfter;
      }
      case State::kCommaOrEnd:
        if (IsJsonSpace(c)) return true;
        if (c == ',') {
          state_ = State::kKeyAfterComma;
          return true;
        }
        if (c == '}') return EndObject();
        Damage("expected ',' or '}' after member " + ascii::QuotedForMessage(key_) + ", found " +
                   Describe(c),
               pos_);
        return false;
      case State::kElementOrEnd:
      case State::kElementAfterComma:
        if (IsJsonSpace(c)) return true;
        if (c == ']' && state_ == State::kElementOrEnd) {
          state_ = State::kCommaOrEnd;
          return true;
        }
        if (!StartsValue(c)) {
          Damage("expected an entry, found " + Describe(c), pos_);
          return false;
        }
        ++entries_;
        element_start_ = pos_;
        element_line_ = line_;
        element_column_ = pos_ - line_begin_ + 1;
        element_overflow_ = false;
        if (streaming_) {
          mark_ = pos_;
        } else {
          entry_positions_.push_back({line_, pos_});
        }
        skipper_.Start(c);
        state_ = State::kElement;
        return true;
      case State::kElement: {
        const char* error = nullptr;
        const Skip s = Feed(skipper_, c, error);
        if (s == Skip::kError) {
          Damage(error, pos_);
          return false;
        }
        if (s == Skip::kMore) return true;
        if (streaming_) {
          const int64_t element_end = s == Skip::kDoneAfter ? pos_ + 1 : pos_;
          const RecordPosition at{element_line_, element_start_};
          if (element_overflow_ || element_end - element_start_ > max_bytes_) {
            FhirOutput out;
            out.broken = {at, "",
                          "entry " + std::to_string(entries_) + " is larger than " +
                              std::to_string(max_bytes_) + " bytes",
                          element_overflow_ ? std::move(element_prefix_)
                                            : RawFrom(element_start_, element_end)};
            pending_.push_back(std::move(out));
          } else {
            EntryFromText(buffer_.View(element_start_, element_end), at, element_column_, entries_);
          }
          mark_ = -1;
        }
        state_ = State::kElementCommaOrEnd;
        return s == Skip::kDoneAfter;
      }
      case State::kElementCommaOrEnd:
        if (IsJsonSpace(c)) return true;
        if (c == ',') {
          state_ = State::kElementAfterComma;
        } else if (c == ']') {
          state_ = State::kCommaOrEnd;
        } else {
          Damage("expected ',' or ']' after entry " + std::to_string(entries_) + ", found " +
                     Describe(c),
                 pos_);
          return false;
        }
        return true;
    }
    return true;
  }

  static std::string Describe(char c) {
    if (c >= 0x21 && c < 0x7F) return std::string("'") + c + "'";
    return "byte " + internal::AsciiForMessage(std::string_view(&c, 1));
  }

  std::string KeyText(int64_t from, int64_t to) const {
    const std::string_view quoted = buffer_.View(from, to);
    if (!key_escaped_) return std::string(quoted.substr(1, quoted.size() - 2));
    const json key = json::parse(quoted, nullptr, false);
    return key.is_string() ? key.get<std::string>() : std::string();
  }

  void ReleaseMark() {
    // The object being kept whole, or the entry being read, keeps its own mark.
    if (!streaming_) return;
    mark_ = state_ == State::kElement ? element_start_ : -1;
  }

  void BeginObject() {
    value_start_ = pos_;
    value_line_ = line_;
    value_column_ = pos_ - line_begin_ + 1;
    value_col0_ = line_start_;
    resource_type_.clear();
    streaming_ = false;
    entry_seen_ = false;
    entries_ = 0;
    entry_positions_.clear();
    capture_type_ = false;
    mark_ = pos_;
    state_ = State::kKeyOrEnd;
  }

  bool EndObject() {
    if (!streaming_ && pos_ + 1 - value_start_ > max_bytes_) {
      ObjectTooLarge();
      return false;
    }
    last_value_one_line_ = line_ == value_line_;
    last_value_end_line_ = line_;
    if (!streaming_) {
      ValueFromText(buffer_.View(value_start_, pos_ + 1), {value_line_, value_start_},
                    value_column_, &entry_positions_);
    }
    mark_ = -1;
    streaming_ = false;
    state_ = State::kTop;
    return true;
  }

  // The first bytes of a broken value or entry starting at `from`, as much as the record limit
  // allows (so that what is kept does not depend on how the file was cut into reads).
  std::string RawFrom(int64_t from, int64_t to) const {
    to = std::min({to, buffer_.end(), from + max_bytes_});
    return from >= buffer_.start() && to > from ? Truncated(buffer_.View(from, to)) : std::string();
  }

  // The line of `at`, which is in the kept bytes of the value being scanned, or at pos_.
  int64_t LineAt(int64_t at) const {
    if (at >= pos_ || value_start_ < buffer_.start() || at < value_start_) return line_;
    const std::string_view kept = buffer_.View(value_start_, at);
    return value_line_ + static_cast<int64_t>(std::count(kept.begin(), kept.end(), '\n'));
  }

  // The scanner found the top-level value or the Bundle broken at `at`: report it and find a
  // place to go on from. `reason` is complete unless `syntax` asks for the usual framing.
  void Damage(const std::string& why, int64_t at, bool syntax = true) {
    // Past the size limit the object is too large whatever else is wrong with it (and whether
    // the scanner saw the limit first or the fault first must not depend on the reads).
    if (!streaming_ && at - value_start_ > max_bytes_) return ObjectTooLarge();
    FhirOutput out;
    const std::string where = " (line " + std::to_string(LineAt(at)) + ")";
    if (streaming_) {
      const bool in_entry = state_ == State::kElement;
      out.broken.position =
          in_entry ? RecordPosition{element_line_, element_start_} : RecordPosition{LineAt(at), at};
      out.broken.reason = syntax ? "Bundle is not valid JSON: " + why + where : why;
      if (in_entry) {
        out.broken.raw = element_overflow_ ? element_prefix_ : RawFrom(element_start_, at + 1);
      }
    } else {
      out.broken.position = {value_line_, value_start_};
      out.broken.reason = syntax ? "not valid JSON: " + why + where : why;
      out.broken.raw = RawFrom(value_start_, at + 1);
    }
    pending_.push_back(std::move(out));
    Recover(at);
  }

  // After damage at `at`. When the broken object began a line, the damage lies past that line,
  // and the next line begins with '{', the file is NDJSON: go on line by line from the line
  // after the object's first. Otherwise look for the next line that starts with '{' (the next
  // object of a concatenation) from `at` on.
  void Recover(int64_t at) {
    last_value_one_line_ = false;
    const bool kept = !streaming_ && value_start_ >= buffer_.start();
    streaming_ = false;
    capture_type_ = false;
    mark_ = -1;
    if (kept && value_col0_) {
      const std::string_view bytes = buffer_.View(value_start_, std::min(at + 1, buffer_.end()));
      const size_t newline = bytes.find('\n');
      if (newline != std::string_view::npos && newline + 1 < bytes.size() &&
          bytes[newline + 1] == '{') {
        const int64_t next_line = value_start_ + static_cast<int64_t>(newline) + 1;
        buffer_.Consume(next_line);
        pos_ = line_begin_ = next_line;
        line_ = value_line_ + 1;
        line_start_ = true;
        lines_.Restart(line_);
        ndjson_ = true;
        return;
      }
    }
    if (kept && at < pos_) {
      // Back to the point where the object passed the size limit (its bytes are still kept).
      line_ = LineAt(at);
      const std::string_view before = buffer_.View(value_start_, at);
      const size_t last_newline = before.rfind('\n');
      line_begin_ = last_newline == std::string_view::npos
                        ? value_start_ - (value_column_ - 1)
                        : value_start_ + static_cast<int64_t>(last_newline) + 1;
      line_start_ = at == line_begin_;
      pos_ = at;
    }
    state_ = State::kRecover;
  }

  // The top-level object kept whole has grown past max_record_bytes.
  void ObjectTooLarge() {
    Damage("JSON object is larger than " + std::to_string(max_bytes_) + " bytes",
           value_start_ + max_bytes_, false);
  }

  // Called when the kept bytes have grown past max_record_bytes and more must be read.
  void Overflow() {
    if (!streaming_) return ObjectTooLarge();
    if (state_ == State::kElement && mark_ == element_start_) {
      // The entry is broken whatever follows; keep its start for the quarantine only.
      element_overflow_ = true;
      element_prefix_ = RawFrom(element_start_, element_start_ + max_bytes_);
    } else if (state_ == State::kKey) {
      key_start_ = -1;  // too long to be a member name the scanner looks for
    } else {
      capture_type_ = false;  // a resourceType too long to be "Bundle"
    }
    mark_ = -1;
  }

  void AtEndOfFile() {
    switch (state_) {
      case State::kTop:
      case State::kRecover:
        done_ = true;
        return;
      default:
        break;
    }
    if (!streaming_) {
      if (buffer_.end() - value_start_ > max_bytes_) return ObjectTooLarge();
      Damage("JSON object is truncated: the file ends before it is closed", buffer_.end(), false);
      if (!ndjson_) done_ = true;
      return;
    }
    FhirOutput out;
    if (state_ == State::kElement) {
      out.broken = {{element_line_, element_start_},
                    "",
                    "Bundle is truncated: the file ends inside entry " + std::to_string(entries_),
                    element_overflow_ ? element_prefix_ : RawFrom(element_start_, buffer_.end())};
    } else {
      out.broken = {{value_line_, value_start_},
                    "",
                    "Bundle is truncated: the file ends before the Bundle is closed",
                    ""};
    }
    pending_.push_back(std::move(out));
    done_ = true;
  }

  Status ReadNdjsonLine() {
    std::string_view text;
    RecordPosition at;
    std::string prefix;
    TRY_ASSIGN(const LineReader::Outcome outcome, lines_.Next(text, at, prefix));
    if (outcome == LineReader::Outcome::kEnd) {
      done_ = true;
      return Status::Ok();
    }
    if (outcome == LineReader::Outcome::kTooLong) {
      FhirOutput out;
      out.broken = {at, "", "line is longer than " + std::to_string(max_bytes_) + " bytes",
                    std::move(prefix)};
      pending_.push_back(std::move(out));
      return Status::Ok();
    }
    if (!IsBlank(text)) ValueFromText(text, at, 1, nullptr);
    return Status::Ok();
  }

  void Broken(RecordPosition at, std::string field, std::string reason, std::string raw) {
    FhirOutput out;
    out.broken = {at, std::move(field), std::move(reason), std::move(raw)};
    pending_.push_back(std::move(out));
  }

  // One element of a Bundle's entry array.
  void EntryFromText(std::string_view text, RecordPosition at, int64_t column, int64_t index) {
    const std::string label = "entry " + std::to_string(index);
    if (auto nul = NulProblem(text, at.line, column)) {
      return Broken(at, "", label + ": " + *nul, Truncated(text));
    }
    if (JsonNestingDepth(text, options_.max_depth) > options_.max_depth) {
      return Broken(at, "", label + ": " + DepthReason(options_.max_depth), Truncated(text));
    }
    json element = json::parse(text.begin(), text.end(), nullptr, false);
    if (element.is_discarded()) {
      return Broken(at, "", label + ": " + DescribeJsonError(text, at.line, column),
                    Truncated(text));
    }
    Entry(std::move(element), at, index, text);
  }

  void Entry(json element, RecordPosition at, int64_t index, std::string_view text) {
    const std::string label = "entry " + std::to_string(index);
    auto fail = [&](std::string field, std::string reason) {
      Broken(at, std::move(field), std::move(reason),
             text.empty() ? Truncated(Dump(element)) : Truncated(text));
    };
    if (!element.is_object()) {
      return fail("", label + " is a JSON " + element.type_name() + ", not an object");
    }
    auto resource = element.find("resource");
    if (resource == element.end()) {
      std::string reason = label + " has no resource";
      auto request = element.find("request");
      if (request != element.end() && request->is_object()) {
        const auto method = EvaluateJsonPath(*request, "method");
        const auto url = EvaluateJsonPath(*request, "url");
        if (method || url) {
          reason += " (request: " + internal::AsciiForMessage(method.value_or("")) + " " +
                    internal::AsciiForMessage(url.value_or("")) + ")";
        }
      }
      return fail("resource", reason);
    }
    std::string field;
    const std::string problem = ResourceProblem(*resource, field);
    if (!problem.empty()) return fail(field, label + ": " + problem);
    AddRecord(std::move(*resource), at);
  }

  // Why `resource` cannot be a record ("" when it can), and the field at fault.
  static std::string ResourceProblem(const json& resource, std::string& field) {
    if (!resource.is_object()) {
      field = "resource";
      return std::string("resource is a JSON ") + resource.type_name() + ", not an object";
    }
    const auto type = resource.find("resourceType");
    field = "resourceType";
    if (type == resource.end()) return "resource has no resourceType";
    if (!type->is_string() || type->get_ref<const std::string&>().empty()) {
      return "resourceType is not a non-empty string";
    }
    field.clear();
    return "";
  }

  void AddRecord(json resource, RecordPosition at) {
    FhirOutput out;
    out.ok = true;
    out.kind = resource.find("resourceType")->get<std::string>();
    out.resource = std::move(resource);
    out.position = at;
    pending_.push_back(std::move(out));
  }

  // A whole top-level value: a resource, or a Bundle to take apart.
  void ValueFromText(std::string_view text, RecordPosition at, int64_t column,
                     const std::vector<RecordPosition>* entry_positions) {
    if (auto nul = NulProblem(text, at.line, column)) {
      return Broken(at, "", std::move(*nul), Truncated(text));
    }
    if (JsonNestingDepth(text, options_.max_depth) > options_.max_depth) {
      return Broken(at, "", DepthReason(options_.max_depth), Truncated(text));
    }
    json value = json::parse(text.begin(), text.end(), nullptr, false);
    if (value.is_discarded()) {
      return Broken(at, "", DescribeJsonError(text, at.line, column), Truncated(text));
    }
    if (!value.is_object()) {
      return Broken(at, "",
                    std::string("a JSON ") + value.type_name() +
                        " is not a FHIR resource (expected a Bundle, a resource, or NDJSON)",
                    Truncated(text));
    }
    auto type = value.find("resourceType");
    if (type != value.end() && type->is_string() && *type == "Bundle") {
      auto entry = value.find("entry");
      if (entry == value.end()) return;  // an empty Bundle
      if (!entry->is_array()) {
        return Broken(
            at, "entry",
            std::string("Bundle.entry is a JSON ") + entry->type_name() + ", not an array",
            Truncated(text));
      }
      const size_t n = entry->size();
      for (size_t i = 0; i < n; ++i) {
        const RecordPosition entry_at =
            entry_positions && entry_positions->size() == n ? (*entry_positions)[i] : at;
        Entry(std::move((*entry)[i]), entry_at, static_cast<int64_t>(i + 1), {});
      }
      return;
    }
    std::string field;
    const std::string problem = ResourceProblem(value, field);
    if (!problem.empty()) return Broken(at, field, problem, Truncated(text));
    AddRecord(std::move(value), at);
  }

  JsonOptions options_;
  int64_t max_bytes_;
  StreamBuffer buffer_;
  LineReader lines_;
  std::deque<FhirOutput> pending_;
  JsonRecord record_;
  std::vector<FileWarning> warnings_;

  bool done_ = false;
  bool ndjson_ = false;
  State state_ = State::kTop;
  int64_t pos_ = 0;         // the next byte to scan
  int64_t line_ = 1;        // the line of pos_
  bool line_start_ = true;  // pos_ is the first byte of its line
  int64_t line_begin_ = 0;  // offset of the first byte of pos_'s line
  int64_t mark_ = -1;       // bytes from here on are kept in the buffer (-1: none)

  // The top-level object being scanned.
  int64_t value_start_ = 0;
  int64_t value_line_ = 1;
  int64_t value_column_ = 1;
  bool value_col0_ = false;
  bool streaming_ = false;  // known to be a Bundle: entries are handed out one by one
  std::string resource_type_;
  bool entry_seen_ = false;
  std::vector<RecordPosition> entry_positions_;  // while kept whole
  bool last_value_one_line_ = false;
  int64_t last_value_end_line_ = 0;

  // The member being scanned.
  ValueSkipper skipper_;
  std::string key_;
  int64_t key_start_ = 0;
  bool key_escaped_ = false;
  bool capture_type_ = false;
  int64_t type_start_ = 0;

  // The entry being scanned.
  int64_t entries_ = 0;
  int64_t element_start_ = 0;
  int64_t element_line_ = 0;
  int64_t element_column_ = 1;
  bool element_overflow_ = false;
  std::string element_prefix_;
};

// ---------------------------------------------------------------------------------------------
// JSON paths.

struct PathStep {
  enum class Kind { kMember, kIndex, kFilter, kJoinFrom } kind = Kind::kMember;
  std::string_view name;   // a member, or a filter's key
  std::string_view value;  // a filter's value
  size_t index = 0;
};

// Reads a path one step at a time, so that evaluating it allocates nothing.
class PathReader {
 public:
  explicit PathReader(std::string_view path) : path_(path) {}

  bool Done() const { return pos_ >= path_.size() && !first_; }

  // The next step, or false with `error` set.
  bool Next(PathStep& step, std::string& error) {
    if (joined_) return Fail("a [n:] join must be the last step", error);
    if (pos_ >= path_.size()) return Fail("the path is empty", error);
    if (path_[pos_] == '[') {
      if (first_) return Fail("a path starts with a member name", error);
      return Bracket(step, error);
    }
    if (!first_) {
      if (path_[pos_] != '.') return Fail("expected '.' or '['", error);
      ++pos_;
    }
    first_ = false;
    const size_t start = pos_;
    while (pos_ < path_.size() && path_[pos_] != '.' && path_[pos_] != '[') {
      if (path_[pos_] == ']') return Fail("']' without '['", error);
      ++pos_;
    }
    if (pos_ == start) return Fail("empty member name", error);
    step = {PathStep::Kind::kMember, path_.substr(start, pos_ - start), {}, 0};
    return true;
  }

 private:
  bool Fail(const char* why, std::string& error) {
    error = why;
    error += " at character " + std::to_string(pos_ + 1);
    return false;
  }

  bool Bracket(PathStep& step, std::string& error) {
    const size_t close = path_.find(']', pos_ + 1);
    if (close == std::string_view::npos) return Fail("'[' without ']'", error);
    const std::string_view inner = path_.substr(pos_ + 1, close - pos_ - 1);
    if (inner.empty()) return Fail("empty []", error);
    const size_t equals = inner.find('=');
    if (equals != std::string_view::npos) {
      if (equals == 0) return Fail("a [key=value] filter needs a key", error);
      step = {PathStep::Kind::kFilter, inner.substr(0, equals), inner.substr(equals + 1), 0};
      pos_ = close + 1;
      return true;
    }
    std::string_view digits = inner;
    const bool join = digits.back() == ':';
    if (join) digits.remove_suffix(1);
    if (digits.empty() || digits.size() > 9) {
      return Fail("expected [n], [n:] or [key=value] with n a whole number", error);
    }
    size_t index = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
      return Fail("expected [n], [n:] or [key=value] with n a whole number", error);
    }
    step = {join ? PathStep::Kind::kJoinFrom : PathStep::Kind::kIndex, {}, {}, index};
    joined_ = join;
    pos_ = close + 1;
    return true;
  }

  std::string_view path_;
  size_t pos_ = 0;
  bool first_ = true;
  bool joined_ = false;
};

// A scalar as mapping sees it: strings as they are, numbers and booleans as JSON text.
std::optional<std::string> ScalarText(const json& value) {
  if (value.is_string()) return value.get_ref<const std::string&>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  return std::nullopt;
}

}  // namespace

std::optional<std::string> EvaluateJsonPath(const nlohmann::json& object, std::string_view path) {
  try {
    PathReader reader(path);
    const json* current = &object;
    PathStep step;
    std::string error;
    do {
      if (!reader.Next(step, error)) return std::nullopt;
      switch (step.kind) {
        case PathStep::Kind::kMember: {
          if (!current->is_object()) return std::nullopt;
          const auto it = current->find(step.name);
          if (it == current->end()) return std::nullopt;
          current = &*it;
          break;
        }
        case PathStep::Kind::kIndex:
          if (!current->is_array() || step.index >= current->size()) return std::nullopt;
          current = &(*current)[step.index];
          break;
        case PathStep::Kind::kFilter: {
          if (!current->is_array()) return std::nullopt;
          const json* match = nullptr;
          for (const json& element : *current) {
            if (!element.is_object()) continue;
            const auto it = element.find(step.name);
            if (it == element.end()) continue;
            const auto text = ScalarText(*it);
            if (text && *text == step.value) {
              match = &element;
              break;
            }
          }
          if (!match) return std::nullopt;
          current = match;
          break;
        }
        case PathStep::Kind::kJoinFrom: {
          if (!current->is_array()) return std::nullopt;
          std::string joined;
          for (size_t i = step.index; i < current->size(); ++i) {
            const auto text = ScalarText((*current)[i]);
            if (!text || text->empty()) continue;
            if (!joined.empty()) joined += ' ';
            joined += *text;
          }
          if (joined.empty() || !reader.Done()) return std::nullopt;
          return joined;
        }
      }
    } while (!reader.Done());
    return ScalarText(*current);
  } catch (...) {
    return std::nullopt;
  }
}

Status ValidateJsonPath(std::string_view path) {
  PathReader reader(path);
  PathStep step;
  std::string error;
  do {
    if (!reader.Next(step, error)) {
      return Status::InvalidArgument("JSON path " + ascii::QuotedForMessage(path) + ": " + error);
    }
  } while (!reader.Done());
  return Status::Ok();
}

namespace internal {

Result<std::unique_ptr<RecordReader>> OpenJsonLinesReaderFromSource(
    std::unique_ptr<ByteSource> source, const JsonOptions& options, size_t read_chunk) {
  if (options.max_record_bytes == 0 || options.max_record_bytes > (size_t{1} << 30) ||
      options.max_depth < 1) {
    return Status::InvalidArgument("max_record_bytes must be in [1, 2^30] and max_depth positive");
  }
  auto reader = std::make_unique<JsonLinesReader>(std::move(source), options, read_chunk);
  try {
    TRY(reader->Start());
  } catch (const std::exception& e) {
    return Status::Internal(std::string("JSON Lines reader: ") + e.what());
  }
  return std::unique_ptr<RecordReader>(std::move(reader));
}

Result<std::unique_ptr<RecordReader>> OpenFhirReaderFromSource(std::unique_ptr<ByteSource> source,
                                                               const JsonOptions& options,
                                                               size_t read_chunk) {
  if (options.max_record_bytes == 0 || options.max_record_bytes > (size_t{1} << 30) ||
      options.max_depth < 1) {
    return Status::InvalidArgument("max_record_bytes must be in [1, 2^30] and max_depth positive");
  }
  auto reader = std::make_unique<FhirReader>(std::move(source), options, read_chunk);
  try {
    TRY(reader->Start());
  } catch (const std::exception& e) {
    return Status::Internal(std::string("FHIR reader: ") + e.what());
  }
  return std::unique_ptr<RecordReader>(std::move(reader));
}

}  // namespace internal

Result<std::unique_ptr<RecordReader>> OpenJsonLinesReader(const std::string& path,
                                                          const JsonOptions& options) {
  TRY_ASSIGN(auto source, internal::OpenFileSource(path));
  auto reader = internal::OpenJsonLinesReaderFromSource(std::move(source), options);
  if (!reader.ok()) return reader.status().WithContext(path);
  return reader;
}

Result<std::unique_ptr<RecordReader>> OpenFhirReader(const std::string& path,
                                                     const JsonOptions& options) {
  TRY_ASSIGN(auto source, internal::OpenFileSource(path));
  auto reader = internal::OpenFhirReaderFromSource(std::move(source), options);
  if (!reader.ok()) return reader.status().WithContext(path);
  return reader;
}

}  // namespace tessera::ingest
