//===- Sha256Test.cpp - SHA-256 against the FIPS 180-4 examples -----------===//

#include "gantk/runtime/Sha256.h"

#include <gtest/gtest.h>

#include <string>

using namespace gantk;

namespace {

std::string hexOf(const std::string &text) {
  return toHex(sha256(text.data(), text.size()));
}

TEST(Sha256, FipsExamples) {
  // FIPS 180-4 / NIST CSRC example values.
  EXPECT_EQ(hexOf(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hexOf("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hexOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hexOf(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalEqualsWhole) {
  // Pieces that straddle the 64-byte blocks and the 56-byte padding edge.
  std::string text(200, '\0');
  for (size_t i = 0; i < text.size(); ++i)
    text[i] = char(i * 7 + 3);
  for (size_t cut : {0, 1, 55, 56, 63, 64, 65, 119, 128, 200}) {
    Sha256 h;
    h.update(text.data(), cut);
    h.update(text.data() + cut, text.size() - cut);
    EXPECT_EQ(toHex(h.finish()), hexOf(text)) << "cut at " << cut;
  }
}

} // namespace
