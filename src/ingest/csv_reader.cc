// CSV per RFC 4180, strictly, streamed through a fixed-size buffer.
//
// A record is scanned in the file's own bytes (the delimiter, the quote and line breaks are
// ASCII in every supported encoding), then its cells are unescaped and decoded to UTF-8. The
// rules, and what happens when a row breaks them:
//   - A field that starts with the quote is quoted: it may hold delimiters, line breaks (LF, CR
//     or CRLF) and doubled quotes. After its closing quote comes a delimiter or a line break;
//     anything else ("unexpected character after closing quote") breaks the record. A quote
//     inside an unquoted field breaks it too. Records end at LF, CRLF or a lone CR outside
//     quotes; a file may mix them. Empty lines between records are skipped.
//   - A broken record is reported and reading resumes at the line break that ends it by the
//     same quoting rules, so one bad row costs one row.
//   - An unterminated quote would otherwise swallow the rest of the file, so a quoted field
//     that reaches the end of the file, runs past 1000 physical lines or pushes its record past
//     max_record_bytes is declared unterminated: that record is broken and reading resumes at
//     the physical line after the one where it started. Lines that were inside the runaway
//     quote are then read as records again: most of the time the quote was the mistake.
//   - Rows with a field count other than the header's, a NUL byte, a field over
//     max_field_bytes, or bytes that are not valid in the encoding are broken.
//   - The header must name every column, once. Duplicate or empty names are a file error: a
//     mapping names columns, and could not say which of two same-named columns it means.
//   - A UTF-8 byte-order mark at the start of the file is dropped and wins over the declared
//     encoding (with a FileWarning when they differ). One at the start of a later line means
//     two files were joined: it is dropped with a warning, and a line repeating the header is
//     broken. A UTF-16 byte-order mark is a file error.
//   - Without a header (options.header = false) columns are named "1", "2", ... and every row
//     must have as many fields as the first.
//   - A header that is one column holding another common delimiter (",", ";", tab, "|") gets a
//     FileWarning: the declared delimiter is probably wrong.
#include <array>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "core/ascii.h"
#include "ingest/readers_internal.h"
#include "ingest/record.h"
#include "ingest/text_encoding.h"

namespace tessera::ingest {
namespace {

using internal::ByteSource;
using internal::StreamBuffer;

// A quoted field spanning more physical lines than this is taken to be an unterminated quote.
constexpr int64_t kMaxQuotedLines = 1000;

enum ByteClass : uint8_t { kPlain = 0, kDelimiter, kQuote, kCr, kLf, kNul, kHigh };

struct FieldSpan {
  size_t begin = 0;  // content, relative to the record start (inside the quotes, if quoted)
  size_t end = 0;
  bool escaped = false;  // holds doubled quotes
  bool high = false;     // holds bytes >= 0x80
  bool nul = false;
};

enum class ScanOutcome { kRecord, kNeedMore, kUnterminated, kTooLong };
enum class Runaway { kEndOfFile, kLines, kBytes };

struct RecordScan {
  std::vector<FieldSpan> fields;  // the first max_columns fields
  size_t field_count = 0;         // all of them
  size_t content_end = 0;         // end of the record's text, before its line break
  size_t end = 0;                 // after its line break
  int64_t line_breaks = 0;        // physical line breaks consumed, the terminating one included
  size_t first_break_end = 0;     // after the first physical line break, or 0 when none yet
  size_t scanned = 0;             // how far the scan got (for kTooLong and kUnterminated)
  const char* error = nullptr;    // the first strict-quoting problem
  size_t error_field = 0;
  Runaway runaway = Runaway::kEndOfFile;
  size_t runaway_field = 0;

  void Reset() {
    fields.clear();
    field_count = content_end = end = scanned = first_break_end = 0;
    line_breaks = 0;
    error = nullptr;
    error_field = runaway_field = 0;
  }
};

class CsvScanner {
 public:
  CsvScanner(char delimiter, char quote, size_t max_columns, size_t max_record_bytes)
      : delimiter_(delimiter),
        quote_(quote),
        max_columns_(max_columns),
        max_record_bytes_(max_record_bytes) {
    for (int b = 0x80; b < 0x100; ++b) unquoted_[static_cast<size_t>(b)] = kHigh;
    unquoted_[0] = kNul;
    unquoted_['\r'] = kCr;
    unquoted_['\n'] = kLf;
    quoted_ = unquoted_;
    unquoted_[static_cast<unsigned char>(quote)] = kQuote;
    quoted_[static_cast<unsigned char>(quote)] = kQuote;
    unquoted_[static_cast<unsigned char>(delimiter)] = kDelimiter;
  }

  // Scans one record starting at p[0] (which is not a line break). `avail` bytes are in memory;
  // `eof` says there are no more.
  ScanOutcome Scan(const char* p, size_t avail, bool eof, RecordScan& out) const {
    out.Reset();
    // A record may not grow past max_record_bytes (and its line break). When more than that is
    // in memory, reaching `limit` means the record is too long rather than that data ran out.
    const size_t limit = std::min(avail, max_record_bytes_ + 2);
    const bool limited = avail > limit;
    size_t i = 0;
    auto note_break = [&out](size_t after) {
      if (out.first_break_end == 0) out.first_break_end = after;
    };
    auto fail = [&out](const char* why, size_t field) {
      if (!out.error) {
        out.error = why;
        out.error_field = field;
      }
    };
    for (;;) {
      const size_t field_index = out.field_count;
      FieldSpan f;
      const bool quoted = i < limit && p[i] == quote_;
      bool unquoted_tail = !quoted;  // read (the rest of) the field as unquoted text
      if (quoted) {
        f.begin = ++i;
        int64_t lines_in_field = 0;
        for (;;) {
          while (i < limit && quoted_[static_cast<unsigned char>(p[i])] == kPlain) ++i;
          if (i >= limit) {
            out.scanned = i;
            if (limited) return Unterminated(out, Runaway::kBytes, field_index);
            if (!eof) return ScanOutcome::kNeedMore;
            return Unterminated(out, Runaway::kEndOfFile, field_index);
          }
          const uint8_t cls = quoted_[static_cast<unsigned char>(p[i])];
          if (cls == kQuote) {
            if (i + 1 >= limit) {
              if (limited) return Unterminated(out, Runaway::kBytes, field_index);
              if (!eof) return ScanOutcome::kNeedMore;
            } else if (p[i + 1] == quote_) {
              f.escaped = true;
              i += 2;
              continue;
            }
            f.end = i++;
            break;
          }
          if (cls == kLf || cls == kCr) {
            if (cls == kCr && i + 1 >= limit && !eof && !limited) return ScanOutcome::kNeedMore;
            i += (cls == kCr && i + 1 < limit && p[i + 1] == '\n') ? 2 : 1;
            note_break(i);
            ++out.line_breaks;
            if (++lines_in_field > kMaxQuotedLines) {
              out.scanned = i;
              return Unterminated(out, Runaway::kLines, field_index);
            }
          } else if (cls == kNul) {
            f.nul = true;
            ++i;
          } else {
            f.high = true;
            ++i;
          }
        }
        if (i < limit && p[i] != delimiter_ && p[i] != '\r' && p[i] != '\n') {
          // "O"Brien: the record is broken; the rest of the field is read as plain text so
          // that the record still ends where the quoting rules say.
          fail("unexpected character after closing quote", field_index);
          unquoted_tail = true;
        }
      } else {
        f.begin = i;
      }
      if (unquoted_tail) {
        for (;;) {
          while (i < limit && unquoted_[static_cast<unsigned char>(p[i])] == kPlain) ++i;
          if (i >= limit) break;
          const uint8_t cls = unquoted_[static_cast<unsigned char>(p[i])];
          if (cls == kQuote) {
            fail("quote inside an unquoted field", field_index);
          } else if (cls == kNul) {
            f.nul = true;
          } else if (cls == kHigh) {
            f.high = true;
          } else {
            break;  // a delimiter or a line break
          }
          ++i;
        }
        if (i >= limit) {
          out.scanned = i;
          if (limited) return ScanOutcome::kTooLong;
          if (!eof) return ScanOutcome::kNeedMore;
        }
        if (!quoted) f.end = i;
      }
      if (out.fields.size() < max_columns_) out.fields.push_back(f);
      ++out.field_count;
      if (i >= limit) {  // end of the file
        out.content_end = out.end = out.scanned = i;
        return Finish(out);
      }
      if (p[i] == delimiter_) {
        ++i;
        continue;
      }
      out.content_end = i;
      if (p[i] == '\r') {
        if (i + 1 >= limit && !eof) {
          out.scanned = i;
          return limited ? ScanOutcome::kTooLong : ScanOutcome::kNeedMore;
        }
        i += (i + 1 < limit && p[i + 1] == '\n') ? 2 : 1;
      } else {
        ++i;
      }
      ++out.line_breaks;
      note_break(i);
      out.end = out.scanned = i;
      return Finish(out);
    }
  }

 private:
  static ScanOutcome Unterminated(RecordScan& out, Runaway why, size_t field) {
    out.runaway = why;
    out.runaway_field = field;
    return ScanOutcome::kUnterminated;
  }
  ScanOutcome Finish(const RecordScan& out) const {
    return out.content_end > max_record_bytes_ ? ScanOutcome::kTooLong : ScanOutcome::kRecord;
  }

  char delimiter_;
  char quote_;
  size_t max_columns_;
  size_t max_record_bytes_;
  std::array<uint8_t, 256> unquoted_{};
  std::array<uint8_t, 256> quoted_{};
};

struct TransparentHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using ColumnIndex = std::unordered_map<std::string, size_t, TransparentHash, std::equal_to<>>;

class CsvRecord final : public Record {
 public:
  explicit CsvRecord(const ColumnIndex& columns) : columns_(columns) {}

  std::optional<std::string> Get(std::string_view field) const override {
    const auto it = columns_.find(field);
    if (it == columns_.end() || it->second >= cells_.size()) return std::nullopt;
    const auto [offset, size] = cells_[it->second];
    return std::string(text_.data() + offset, size);
  }
  const std::string& Raw() const override { return raw_; }
  RecordPosition Position() const override { return position_; }

  void Clear() {
    raw_.clear();
    text_.clear();
    cells_.clear();
  }

  std::string raw_;
  std::string text_;                              // the cells, decoded, back to back
  std::vector<std::pair<size_t, size_t>> cells_;  // offset and size in text_
  RecordPosition position_;

 private:
  const ColumnIndex& columns_;
};

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

class CsvReader final : public RecordReader {
 public:
  CsvReader(std::unique_ptr<ByteSource> source, const CsvOptions& options, TextDecoder decoder,
            size_t read_chunk)
      : options_(options),
        decoder_(std::move(decoder)),
        buffer_(std::move(source), read_chunk, options.max_record_bytes + 2),
        scanner_(options.delimiter, options.quote, options.max_columns, options.max_record_bytes),
        record_(columns_) {}

  // Reads the byte-order mark and the header. A Status error means the file cannot be read.
  Status Start() {
    while (buffer_.end() - buffer_.start() < 3 && !buffer_.eof()) TRY(buffer_.Fill().status());
    const std::string_view head = buffer_.View(buffer_.start(), buffer_.end());
    if (head.substr(0, 3) == kUtf8Bom) {
      if (!decoder_.is_utf8()) {
        Warn({1, 0}, "the file starts with a UTF-8 byte-order mark: read as UTF-8, not " +
                         decoder_.name() + " as declared");
        decoder_ = TextDecoder::Utf8();
      }
      buffer_.Consume(buffer_.start() + 3);
    } else if (head.substr(0, 2) == "\xFF\xFE" || head.substr(0, 2) == "\xFE\xFF") {
      return Status::InvalidArgument("the file starts with a UTF-16 byte-order mark; expected " +
                                     decoder_.name());
    }
    if (!options_.header) return Status::Ok();

    BrokenRecord broken;
    TRY_ASSIGN(const ReadOutcome outcome, ScanNext(broken));
    if (outcome == ReadOutcome::kEnd) return Status::Ok();  // an empty file: no rows
    if (outcome == ReadOutcome::kBroken) {
      return Status::InvalidArgument("header (line " + std::to_string(broken.position.line) +
                                     "): " + broken.reason);
    }
    const RecordPosition at = pending_position_;
    auto header_error = [&](const std::string& why) {
      return Status::InvalidArgument("header (line " + std::to_string(at.line) + "): " + why);
    };
    const char* p = buffer_.Pointer(at.byte_offset);
    if (scan_.error) return header_error(scan_.error);
    if (scan_.field_count > options_.max_columns) {
      return Status::ResourceExhausted(
          "header (line " + std::to_string(at.line) + "): " + std::to_string(scan_.field_count) +
          " columns, over the limit of " + std::to_string(options_.max_columns));
    }
    std::string name;
    for (size_t i = 0; i < scan_.fields.size(); ++i) {
      const FieldSpan& f = scan_.fields[i];
      if (f.nul) return header_error("NUL byte in column " + std::to_string(i + 1));
      if (f.end - f.begin > options_.max_field_bytes) {
        return header_error("column " + std::to_string(i + 1) + " name is over " +
                            std::to_string(options_.max_field_bytes) + " bytes");
      }
      name.clear();
      DecodeError error;
      if (!DecodeCell(p, f, name, error)) {
        return header_error(error.reason + " in column " + std::to_string(i + 1));
      }
      std::string_view trimmed = name;
      if (options_.trim_headers) trimmed = ascii::TrimBlanks(trimmed);
      if (trimmed.empty()) {
        return header_error("column " + std::to_string(i + 1) + " has no name");
      }
      if (!columns_.emplace(std::string(trimmed), i).second) {
        return header_error("column " + ascii::QuotedForMessage(trimmed) +
                            " appears more than once (columns " +
                            std::to_string(columns_.find(trimmed)->second + 1) + " and " +
                            std::to_string(i + 1) + ")");
      }
      column_names_.emplace_back(trimmed);
    }
    if (column_names_.size() == 1) {
      // One column whose name holds another likely delimiter: the declared one is probably wrong
      // (every row will load as one cell, and the mapping will find none of its columns).
      for (const char other : {',', ';', '\t', '|'}) {
        if (other != options_.delimiter && column_names_[0].find(other) != std::string::npos) {
          Warn(at, "the header is one column holding " +
                       (other == '\t' ? std::string("tabs") : "'" + std::string(1, other) + "'") +
                       ": is the delimiter right?");
          break;
        }
      }
    }
    header_raw_.assign(p, scan_.content_end);
    expected_fields_ = scan_.field_count;
    Advance();
    return Status::Ok();
  }

  Result<ReadOutcome> Next(const Record*& record, BrokenRecord& broken) override {
    try {
      for (;;) {
        TRY_ASSIGN(const ReadOutcome outcome, ScanNext(broken));
        if (outcome != ReadOutcome::kRecord) return outcome;
        if (BuildRecord(broken)) {
          record = &record_;
          return ReadOutcome::kRecord;
        }
        return ReadOutcome::kBroken;
      }
    } catch (const std::exception& e) {
      return Status::Internal(std::string("CSV reader: ") + e.what());
    }
  }

  const std::vector<FileWarning>& Warnings() const override { return warnings_; }
  int64_t BytesRead() const override { return buffer_.start(); }

 private:
  // Finds the next record. kRecord: scan_ describes it, at pending_position_ (its bytes are in
  // the buffer until Advance()). kBroken: `broken` is filled and reading has moved past it.
  Result<ReadOutcome> ScanNext(BrokenRecord& broken) {
    for (;;) {
      if (buffer_.start() == buffer_.end()) {
        if (buffer_.eof()) return ReadOutcome::kEnd;
        TRY(buffer_.Fill().status());
        continue;
      }
      const int64_t start = buffer_.start();
      const char* p = buffer_.Pointer(start);
      const auto avail = static_cast<size_t>(buffer_.end() - start);
      if (p[0] == '\n' || p[0] == '\r') {  // an empty line
        if (p[0] == '\r' && avail < 2 && !buffer_.eof()) {
          TRY(buffer_.Fill().status());
          continue;
        }
        buffer_.Consume(start + ((p[0] == '\r' && avail >= 2 && p[1] == '\n') ? 2 : 1));
        ++line_;
        continue;
      }
      if (static_cast<unsigned char>(p[0]) == 0xEF) {
        if (avail < 3 && !buffer_.eof()) {
          TRY(buffer_.Fill().status());
          continue;
        }
        if (std::string_view(p, std::min<size_t>(avail, 3)) == kUtf8Bom) {
          Warn({line_, start}, "byte-order mark at the start of line " + std::to_string(line_) +
                                   " removed (were two files joined?)");
          buffer_.Consume(start + 3);
          continue;
        }
      }
      const ScanOutcome outcome = scanner_.Scan(p, avail, buffer_.eof(), scan_);
      if (outcome == ScanOutcome::kNeedMore) {
        TRY(buffer_.Fill().status());
        continue;
      }
      pending_position_ = {line_, start};
      if (outcome == ScanOutcome::kRecord) return ReadOutcome::kRecord;

      broken = BrokenRecord{};
      broken.position = pending_position_;
      broken.raw.assign(p, std::min(scan_.scanned, internal::kMaxBrokenRawBytes));
      if (outcome == ScanOutcome::kTooLong) {
        broken.reason =
            "record is longer than " + std::to_string(options_.max_record_bytes) + " bytes";
      } else {
        broken.field = ColumnName(scan_.runaway_field);
        broken.reason = "unterminated quote: the quoted field ";
        broken.reason += scan_.runaway == Runaway::kEndOfFile ? "runs to the end of the file"
                         : scan_.runaway == Runaway::kLines
                             ? "runs past " + std::to_string(kMaxQuotedLines) + " lines"
                             : "runs past " + std::to_string(options_.max_record_bytes) + " bytes";
      }
      // Resume at the physical line after the one where the record started.
      if (scan_.first_break_end > 0) {
        buffer_.Consume(start + static_cast<int64_t>(scan_.first_break_end));
        ++line_;
      } else {
        TRY(SkipLine());
      }
      return ReadOutcome::kBroken;
    }
  }

  // Drops bytes up to and including the next line break (whatever the quotes say).
  Status SkipLine() {
    for (;;) {
      const int64_t start = buffer_.start();
      const char* p = buffer_.Pointer(start);
      const auto avail = static_cast<size_t>(buffer_.end() - start);
      size_t i = 0;
      while (i < avail && p[i] != '\n' && p[i] != '\r') ++i;
      if (i < avail) {
        if (p[i] == '\r' && i + 1 == avail && !buffer_.eof()) {
          buffer_.Consume(start + static_cast<int64_t>(i));
          TRY(buffer_.Fill().status());
          continue;
        }
        const size_t after = i + ((p[i] == '\r' && i + 1 < avail && p[i + 1] == '\n') ? 2 : 1);
        buffer_.Consume(start + static_cast<int64_t>(after));
        ++line_;
        return Status::Ok();
      }
      buffer_.Consume(buffer_.end());
      if (buffer_.eof()) return Status::Ok();
      TRY(buffer_.Fill().status());
    }
  }

  // Moves past the record that scan_ describes.
  void Advance() {
    buffer_.Consume(pending_position_.byte_offset + static_cast<int64_t>(scan_.end));
    line_ += scan_.line_breaks;
  }

  std::string ColumnName(size_t index) const {
    if (index < column_names_.size()) return column_names_[index];
    if (!options_.header) return std::to_string(index + 1);
    return "";
  }

  // Appends the cell's text, unescaped and decoded, to `out`.
  bool DecodeCell(const char* record, const FieldSpan& f, std::string& out,
                  DecodeError& error) const {
    std::string_view content(record + f.begin, f.end - f.begin);
    if (f.escaped) {
      unescaped_.clear();
      for (size_t i = 0; i < content.size(); ++i) {
        unescaped_ += content[i];
        if (content[i] == options_.quote) ++i;  // the second quote of a doubled pair
      }
      content = unescaped_;
    }
    if (!f.high) {
      out.append(content);
      return true;
    }
    if (!decoder_.Decode(content, out, error)) {
      // Index in the file's bytes: each dropped quote moved the later bytes one place left.
      if (f.escaped) {
        size_t raw_index = 0;
        for (size_t seen = 0; seen < error.index; ++seen, ++raw_index) {
          if (record[f.begin + raw_index] == options_.quote) ++raw_index;
        }
        error.index = raw_index;
      }
      error.index += f.begin;
      return false;
    }
    return true;
  }

  // Checks and decodes the record scan_ describes; false: `broken` says why. Either way the
  // reader moves past it.
  bool BuildRecord(BrokenRecord& broken) {
    const RecordPosition at = pending_position_;
    const char* p = buffer_.Pointer(at.byte_offset);
    const std::string_view text(p, scan_.content_end);
    auto fail = [&](std::string field, std::string reason) {
      broken = BrokenRecord{};
      broken.position = at;
      broken.field = std::move(field);
      broken.reason = std::move(reason);
      broken.raw.assign(text.substr(0, internal::kMaxBrokenRawBytes));
      Advance();
      return false;
    };
    if (scan_.error) return fail(ColumnName(scan_.error_field), scan_.error);
    if (expected_fields_ == 0) {
      // No header: the first row sets the width.
      if (scan_.field_count > options_.max_columns) {
        return fail("", "row has " + std::to_string(scan_.field_count) +
                            " fields, over the limit of " + std::to_string(options_.max_columns));
      }
      expected_fields_ = scan_.field_count;
      for (size_t i = 0; i < expected_fields_; ++i) columns_.emplace(std::to_string(i + 1), i);
    }
    if (scan_.field_count != expected_fields_) {
      return fail("", "row has " + std::to_string(scan_.field_count) + " fields, " +
                          (options_.header ? "header has " : "first row has ") +
                          std::to_string(expected_fields_));
    }
    for (size_t i = 0; i < scan_.fields.size(); ++i) {
      const FieldSpan& f = scan_.fields[i];
      if (f.nul) return fail(ColumnName(i), "NUL byte in field");
      if (f.end - f.begin > options_.max_field_bytes) {
        return fail(ColumnName(i), "field is " + std::to_string(f.end - f.begin) +
                                       " bytes, over the limit of " +
                                       std::to_string(options_.max_field_bytes));
      }
    }
    if (options_.header && text == header_raw_) {
      return fail("", "row repeats the header (were two files joined?)");
    }
    record_.Clear();
    record_.position_ = at;
    for (size_t i = 0; i < scan_.fields.size(); ++i) {
      const size_t offset = record_.text_.size();
      DecodeError error;
      if (!DecodeCell(p, scan_.fields[i], record_.text_, error)) {
        return fail(ColumnName(i),
                    error.reason + " at byte offset " +
                        std::to_string(at.byte_offset + static_cast<int64_t>(error.index)));
      }
      record_.cells_.emplace_back(offset, record_.text_.size() - offset);
    }
    if (decoder_.is_utf8()) {
      record_.raw_.assign(text);  // every byte outside the cells is ASCII
    } else {
      DecodeError error;
      (void)decoder_.Decode(text, record_.raw_, error);  // the cells decoded, so this does
    }
    Advance();
    return true;
  }

  void Warn(RecordPosition at, std::string message) {
    if (warnings_.size() < internal::kMaxWarnings) {
      warnings_.push_back({at, std::move(message)});
    } else if (warnings_.size() == internal::kMaxWarnings) {
      warnings_.push_back({at, "further warnings about this file are not shown"});
    }
  }

  CsvOptions options_;
  TextDecoder decoder_;
  StreamBuffer buffer_;
  CsvScanner scanner_;
  ColumnIndex columns_;
  std::vector<std::string> column_names_;
  std::string header_raw_;
  size_t expected_fields_ = 0;
  CsvRecord record_;
  RecordScan scan_;
  RecordPosition pending_position_;
  int64_t line_ = 1;
  mutable std::string unescaped_;
  std::vector<FileWarning> warnings_;
};

}  // namespace

namespace internal {

Result<std::unique_ptr<RecordReader>> OpenCsvReaderFromSource(std::unique_ptr<ByteSource> source,
                                                              const CsvOptions& options,
                                                              size_t read_chunk) {
  auto is_ascii_char = [](char c) { return c > 0 && static_cast<unsigned char>(c) < 0x80; };
  if (!is_ascii_char(options.delimiter) || !is_ascii_char(options.quote) ||
      options.delimiter == options.quote || options.delimiter == '\r' ||
      options.delimiter == '\n' || options.quote == '\r' || options.quote == '\n') {
    return Status::InvalidArgument(
        "the delimiter and the quote must be two different ASCII "
        "characters other than CR and LF");
  }
  if (options.max_columns == 0 || options.max_record_bytes == 0 ||
      options.max_record_bytes > (size_t{1} << 30)) {
    return Status::InvalidArgument(
        "max_columns must be positive and max_record_bytes between 1 and 2^30");
  }
  TRY_ASSIGN(TextDecoder decoder, TextDecoder::Create(options.encoding));
  auto reader =
      std::make_unique<CsvReader>(std::move(source), options, std::move(decoder), read_chunk);
  try {
    TRY(reader->Start());
  } catch (const std::exception& e) {
    return Status::Internal(std::string("CSV reader: ") + e.what());
  }
  return std::unique_ptr<RecordReader>(std::move(reader));
}

}  // namespace internal

Result<std::unique_ptr<RecordReader>> OpenCsvReader(const std::string& path,
                                                    const CsvOptions& options) {
  TRY_ASSIGN(auto source, internal::OpenFileSource(path));
  auto reader = internal::OpenCsvReaderFromSource(std::move(source), options);
  if (!reader.ok()) return reader.status().WithContext(path);
  return reader;
}

}  // namespace tessera::ingest
