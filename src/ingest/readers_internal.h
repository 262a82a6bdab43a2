// What the format readers (csv_reader.cc, json_readers.cc) share, and the seams their tests and
// fuzzers use: readers over bytes in memory, and a read-chunk size small enough to put record
// boundaries across every buffer refill. Internal to ingest; the public entry points are in
// record.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "ingest/record.h"

namespace tessera::ingest::internal {

// Where a reader's bytes come from: a file, or a string in memory.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `n` bytes into `dst`; 0 means end of input.
  virtual Result<size_t> Read(char* dst, size_t n) = 0;
};

Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path);
std::unique_ptr<ByteSource> StringSource(std::string data);

// How many bytes a reader asks its source for at a time. Memory stays bounded by the record
// limits plus a few chunks whatever the file size.
inline constexpr size_t kDefaultReadChunk = 256 << 10;

// Raw bytes kept for a broken record, so that one hostile row cannot fill the quarantine.
inline constexpr size_t kMaxBrokenRawBytes = 64 << 10;

// At most this many FileWarnings per file; then one saying that the rest were dropped.
inline constexpr size_t kMaxWarnings = 100;

Result<std::unique_ptr<RecordReader>> OpenCsvReaderFromSource(
    std::unique_ptr<ByteSource> source, const CsvOptions& options,
    size_t read_chunk = kDefaultReadChunk);
Result<std::unique_ptr<RecordReader>> OpenJsonLinesReaderFromSource(
    std::unique_ptr<ByteSource> source, const JsonOptions& options,
    size_t read_chunk = kDefaultReadChunk);
Result<std::unique_ptr<RecordReader>> OpenFhirReaderFromSource(
    std::unique_ptr<ByteSource> source, const JsonOptions& options,
    size_t read_chunk = kDefaultReadChunk);

inline Result<std::unique_ptr<RecordReader>> OpenCsvReaderFromString(
    std::string data, const CsvOptions& options, size_t read_chunk = kDefaultReadChunk) {
  return OpenCsvReaderFromSource(StringSource(std::move(data)), options, read_chunk);
}
inline Result<std::unique_ptr<RecordReader>> OpenJsonLinesReaderFromString(
    std::string data, const JsonOptions& options, size_t read_chunk = kDefaultReadChunk) {
  return OpenJsonLinesReaderFromSource(StringSource(std::move(data)), options, read_chunk);
}
inline Result<std::unique_ptr<RecordReader>> OpenFhirReaderFromString(
    std::string data, const JsonOptions& options, size_t read_chunk = kDefaultReadChunk) {
  return OpenFhirReaderFromSource(StringSource(std::move(data)), options, read_chunk);
}

// A buffer over a ByteSource that keeps the bytes of the record being read and nothing older.
// Offsets are file offsets; the bytes in [start(), end()) are in memory.
class StreamBuffer {
 public:
  StreamBuffer(std::unique_ptr<ByteSource> source, size_t read_chunk, size_t max_keep);

  int64_t start() const { return base_ + static_cast<int64_t>(begin_); }
  int64_t end() const { return base_ + static_cast<int64_t>(end_); }
  bool eof() const { return eof_; }
  // The byte at file offset `offset`, which must be in [start(), end()).
  char At(int64_t offset) const { return data_[static_cast<size_t>(offset - base_)]; }
  const char* Pointer(int64_t offset) const {
    return data_.data() + static_cast<size_t>(offset - base_);
  }
  std::string_view View(int64_t from, int64_t to) const {
    return std::string_view(Pointer(from), static_cast<size_t>(to - from));
  }
  // Forgets the bytes before `offset` (which must be <= end()).
  void Consume(int64_t offset);
  // Reads more, keeping [start(), end()). Returns the number of bytes added: 0 at end of input.
  // When the kept bytes fill the buffer it grows (doubling), up to max_keep + 2 chunks; past
  // that, callers must have consumed, so that memory stays bounded.
  Result<size_t> Fill();
  int64_t BytesRead() const { return base_ + static_cast<int64_t>(end_); }

 private:
  std::unique_ptr<ByteSource> source_;
  size_t chunk_;
  size_t max_capacity_;
  std::string data_;  // capacity, not contents: [begin_, end_) is valid
  size_t begin_ = 0;
  size_t end_ = 0;
  int64_t base_ = 0;  // file offset of data_[0]
  bool eof_ = false;
};

// "invalid JSON at line 3, column 7: syntax error ..." for text that nlohmann rejected; `line`
// and `column` (1-based) are where `text` starts in the file. Never throws.
std::string DescribeJsonError(std::string_view text, int64_t line, int64_t column = 1);

// Deepest nesting of arrays and objects in `text`, counting no further than `limit` + 1.
int JsonNestingDepth(std::string_view text, int limit);

// Keeps messages one safe ASCII line: bytes outside printable ASCII become \xNN.
std::string AsciiForMessage(std::string_view text);

}  // namespace tessera::ingest::internal
