// The global operator new of sim/core/staggered_new.cpp: large blocks start
// at different offsets within a page (so that loops over many cell arrays do
// not thrash the caches), small ones behave as usual, and every block is
// released through the matching delete. Large blocks are populated at once
// and start near a huge-page boundary (page faults are slow on VMs).
#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GWSIM_TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GWSIM_TEST_SANITIZED 1
#endif

TEST(StaggeredNew, LargeArraysStartAtDifferentPageOffsets) {
#ifdef GWSIM_TEST_SANITIZED
  GTEST_SKIP() << "sanitizer builds keep the sanitizer's allocator";
#else
  // Fourteen arrays of 270 000 doubles, as in the assembly of a 300 x 300 x 3
  // model: glibc alone would place them all at the same page offset.
  std::vector<std::vector<double>> arrays;
  std::set<std::uintptr_t> offsets;
  for (int k = 0; k < 14; ++k) {
    arrays.emplace_back(270000, 1.0);
    offsets.insert(reinterpret_cast<std::uintptr_t>(arrays.back().data()) % 4096);
  }
  EXPECT_GE(offsets.size(), 12u) << "large blocks should spread over the page";
  for (const auto& a : arrays) EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a.data()) % 16, 0u);
#endif
}

TEST(StaggeredNew, SmallAndArrayFormsRoundTrip) {
  // Allocation and release in every form; a mismatch would crash here (and
  // the ASan build checks the same code paths with its own allocator).
  for (std::size_t n : {std::size_t{1}, std::size_t{100}, std::size_t{300000}, std::size_t{5000000}}) {
    auto a = std::make_unique<double[]>(n);
    a[0] = 1.0;
    a[n - 1] = 2.0;
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a.get()) % alignof(std::max_align_t), 0u);
    auto* v = new std::vector<char>(n, 'x');
    EXPECT_EQ((*v)[n - 1], 'x');
    delete v;
    double* nt = new (std::nothrow) double[n];
    ASSERT_NE(nt, nullptr);
    delete[] nt;
  }
}

TEST(StaggeredNew, LargeBlocksArePopulatedAndStartNearAHugePageBoundary) {
#ifdef GWSIM_TEST_SANITIZED
  GTEST_SKIP() << "sanitizer builds keep the sanitizer's allocator";
#else
  // 8 MiB, not yet touched by the program: every page is already resident
  // (populated in one call, not faulted in one by one), and the block begins
  // within its staggering offset (at most 31 * 1088 B after the first cache line)
  // of a 2 MiB boundary, so that its whole 2 MiB pieces can be huge pages.
  constexpr std::size_t n = std::size_t{8} << 20;
  auto block = std::unique_ptr<unsigned char[]>(new unsigned char[n]);
  const auto addr = reinterpret_cast<std::uintptr_t>(block.get());
  EXPECT_LT(addr % (std::size_t{2} << 20), 64u + 31u * 1088u + 1u);
  const std::uintptr_t first = (addr + 4095) / 4096 * 4096, last = (addr + n) / 4096 * 4096;
  std::vector<unsigned char> resident((last - first) / 4096);
  ASSERT_EQ(mincore(reinterpret_cast<void*>(first), last - first, resident.data()), 0);
  const auto in_memory = std::count_if(resident.begin(), resident.end(), [](unsigned char r) { return r & 1; });
  EXPECT_EQ(static_cast<std::size_t>(in_memory), resident.size()) << "pages of a fresh large block not resident";
  block[0] = 1;
  block[n - 1] = 2;
  EXPECT_EQ(block[0] + block[n - 1], 3);
#endif
}

TEST(StaggeredNew, BlocksOfHalfAKilobyteAndMoreStartOnACacheLine) {
#ifdef GWSIM_TEST_SANITIZED
  GTEST_SKIP() << "sanitizer builds keep the sanitizer's allocator";
#else
  // The solver's row loops align their vector loads by one array's address
  // (mg::split_at_line), which holds for every cell array only if all of
  // them start on a 64-byte line: from malloc (below 256 KiB) as well as
  // mapped. Several of each, since malloc alone gives 16 bytes.
  for (std::size_t n : {std::size_t{512}, std::size_t{1000}, std::size_t{4096}, std::size_t{100000},
                        std::size_t{300000}, std::size_t{3000000}}) {
    std::vector<std::vector<float>> blocks;
    for (int k = 0; k < 8; ++k) {
      blocks.emplace_back(n / sizeof(float), 1.0f);
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(blocks.back().data()) % 64, 0u) << n << " bytes, block " << k;
    }
  }
#endif
}
