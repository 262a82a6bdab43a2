// Inverted index storage for search: 64-bit keys to lists of record indexes, in one open-
// addressing table. Most keys (a record key, a phone, an email) name one record, so a key with
// one record keeps it inline in the table (12 bytes a key); a second record moves the key to a
// list of its own. A std::unordered_map of vectors would cost ~100 bytes a key: 250 MB at a
// million records. Private to src/search.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tessera::search {

class PostingMap {
 public:
  PostingMap() : keys_(1024, 0), values_(1024, 0) {}

  // `key` must not be 0 and must leave bit 63 clear (it marks keys that own a list).
  void Add(uint64_t key, uint32_t value) {
    size_t slot = SlotOf(key);
    uint64_t& k = keys_[slot];
    if (k == 0) {
      k = key;
      values_[slot] = value;
      ++size_;
      ++postings_;
      if (size_ * 10 > keys_.size() * 7) Grow();
      return;
    }
    ++postings_;
    if ((k & kListBit) == 0) {
      lists_.push_back({values_[slot], value});
      values_[slot] = static_cast<uint32_t>(lists_.size() - 1);
      k |= kListBit;
      return;
    }
    lists_[values_[slot]].push_back(value);
  }

  std::span<const uint32_t> Get(uint64_t key) const {
    size_t slot = SlotOf(key);
    uint64_t k = keys_[slot];
    if (k == 0) return {};
    if ((k & kListBit) == 0) return {&values_[slot], 1};
    return lists_[values_[slot]];
  }

  size_t Count(uint64_t key) const { return Get(key).size(); }
  size_t keys() const { return size_; }
  size_t postings() const { return postings_; }
  void Reserve(size_t keys) {
    while (keys * 10 > keys_.size() * 7) Grow();
  }

 private:
  static constexpr uint64_t kListBit = uint64_t{1} << 63;

  static size_t Hash(uint64_t key) {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    key *= 0xc4ceb9fe1a85ec53ULL;
    key ^= key >> 33;
    return static_cast<size_t>(key);
  }

  // The slot holding `key` (ignoring the list bit), or the empty slot where it would go.
  size_t SlotOf(uint64_t key) const {
    const size_t mask = keys_.size() - 1;
    size_t i = Hash(key) & mask;
    while (keys_[i] != 0 && (keys_[i] & ~kListBit) != key) i = (i + 1) & mask;
    return i;
  }

  void Grow() {
    std::vector<uint64_t> old_keys = std::move(keys_);
    std::vector<uint32_t> old_values = std::move(values_);
    keys_.assign(old_keys.size() * 2, 0);
    values_.assign(old_keys.size() * 2, 0);
    for (size_t i = 0; i < old_keys.size(); ++i) {
      if (old_keys[i] == 0) continue;
      size_t slot = SlotOf(old_keys[i] & ~kListBit);
      keys_[slot] = old_keys[i];
      values_[slot] = old_values[i];
    }
  }

  std::vector<uint64_t> keys_;
  std::vector<uint32_t> values_;  // the record, or with kListBit the index in lists_
  std::vector<std::vector<uint32_t>> lists_;
  size_t size_ = 0;
  size_t postings_ = 0;
};

}  // namespace tessera::search
