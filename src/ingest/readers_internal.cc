#include "ingest/readers_internal.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace tessera::ingest::internal {
namespace {

class FileSource final : public ByteSource {
 public:
  FileSource(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  ~FileSource() override { std::fclose(file_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  Result<size_t> Read(char* dst, size_t n) override {
    const size_t got = std::fread(dst, 1, n, file_);
    if (got < n && std::ferror(file_)) {
      return Status::IoError("cannot read " + path_ + ": " + std::strerror(errno));
    }
    return got;
  }

 private:
  std::FILE* file_;
  std::string path_;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string data) : data_(std::move(data)) {}
  Result<size_t> Read(char* dst, size_t n) override {
    const size_t got = std::min(n, data_.size() - pos_);
    if (got > 0) std::memcpy(dst, data_.data() + pos_, got);
    pos_ += got;
    return got;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

// Records where nlohmann's parser gave up, without exceptions.
class ErrorCapture final : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t at, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    failed = true;
    position = at;
    message = ex.what();
    return false;
  }

  bool failed = false;
  size_t position = 0;
  std::string message;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  return std::unique_ptr<ByteSource>(new FileSource(file, path));
}

std::unique_ptr<ByteSource> StringSource(std::string data) {
  return std::make_unique<MemorySource>(std::move(data));
}

StreamBuffer::StreamBuffer(std::unique_ptr<ByteSource> source, size_t read_chunk, size_t max_keep)
    : source_(std::move(source)),
      chunk_(std::max<size_t>(read_chunk, 1)),
      // Reads grow with the bytes kept (so that a long record is rescanned a few times, not once
      // per chunk): at most twice what is kept, plus a chunk.
      max_capacity_(2 * max_keep + 2 * chunk_ + 64) {}

void StreamBuffer::Consume(int64_t offset) {
  const auto index = static_cast<size_t>(offset - base_);
  begin_ = std::min(index, end_);
  if (begin_ == end_) {
    base_ += static_cast<int64_t>(begin_);
    begin_ = end_ = 0;
  }
}

Result<size_t> StreamBuffer::Fill() {
  if (eof_) return size_t{0};
  if (begin_ > 0) {
    std::memmove(data_.data(), data_.data() + begin_, end_ - begin_);
    base_ += static_cast<int64_t>(begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  const size_t want = std::max(chunk_, end_);
  if (data_.size() < end_ + want) {
    const size_t grown = std::min(std::max(end_ + want, 2 * data_.size()), max_capacity_);
    if (grown <= end_) {
      return Status::Internal("reader kept more than its record limit allows");
    }
    data_.resize(grown);
  }
  const size_t room = std::min(want, data_.size() - end_);
  TRY_ASSIGN(const size_t got, source_->Read(data_.data() + end_, room));
  if (got == 0) eof_ = true;
  end_ += got;
  return got;
}

std::string AsciiForMessage(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  const size_t limit = 400;
  for (char ch : text) {
    if (out.size() >= limit) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7F) {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

int JsonNestingDepth(std::string_view text, int limit) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

std::string DescribeJsonError(std::string_view text, int64_t line, int64_t column) {
  try {
    ErrorCapture capture;
    (void)nlohmann::json::sax_parse(text.begin(), text.end(), &capture);
    if (!capture.failed) return "invalid JSON";
    const size_t index = std::min(capture.position > 0 ? capture.position - 1 : 0, text.size());
    int64_t error_line = line;
    int64_t error_column = column + static_cast<int64_t>(index);
    for (size_t i = 0; i < index; ++i) {
      if (text[i] == '\n') {
        ++error_line;
        error_column = static_cast<int64_t>(index - i);
      }
    }
    std::string detail = capture.message;
    // "[json.exception.parse_error.101] parse error at line 1, column 7: syntax error ..."
    if (detail.size() > 1 && detail[0] == '[') {
      const size_t close = detail.find("] ");
      if (close != std::string::npos) detail.erase(0, close + 2);
    }
    if (detail.rfind("parse error at line ", 0) == 0) {
      const size_t colon = detail.find(": ");
      if (colon != std::string::npos) detail.erase(0, colon + 2);
    }
    return "invalid JSON at line " + std::to_string(error_line) + ", column " +
           std::to_string(error_column) + ": " + AsciiForMessage(detail);
  } catch (...) {
    return "invalid JSON";
  }
}

}  // namespace tessera::ingest::internal
