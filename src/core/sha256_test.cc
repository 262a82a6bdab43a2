#include "core/sha256.h"

#include <gtest/gtest.h>

namespace tessera {
namespace {

// FIPS 180-2 test vectors.
TEST(Sha256, StandardVectors) {
  EXPECT_EQ(*Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(*Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(*Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, StreamingEqualsOneShot) {
  const std::string text = "the quick brown fox jumps over the lazy dog";
  Sha256 hash;
  for (size_t i = 0; i < text.size(); i += 7) {
    hash.Update(text.data() + i, std::min<size_t>(7, text.size() - i));
  }
  EXPECT_EQ(*hash.HexDigest(), *Sha256Hex(text));
}

}  // namespace
}  // namespace tessera
