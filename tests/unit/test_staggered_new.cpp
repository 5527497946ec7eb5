// The global operator new of sim/core/staggered_new.cpp: large blocks start
// at different offsets within a page (so that loops over many cell arrays do
// not thrash the caches), small ones behave as usual, and every block is
// released through the matching delete.
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
