/// Replacement global operator new/delete that put large blocks at
/// staggered addresses. Linked into gwsim's programs (not its libraries).
///
/// Why: glibc serves every block above its mmap threshold from fresh pages,
/// so all of a model's cell arrays (heads, conductances, the system's
/// coefficients, the multigrid levels) begin at the same offset within a 4
/// KiB page. A loop that walks more than about eight such arrays at the same
/// index (matrix assembly reads and writes about fourteen) then maps them
/// all to the same sets of the 8-way L1 and L2 caches, which evict each
/// other on every access: the assembly of a 270 000-cell system took 10 ms
/// instead of 2 ms, and the multigrid solve was 20% slower (measured on the
/// transient benchmark of bench/README.md). Shifting each large block by a
/// different multiple of 1088 bytes spreads the arrays over the cache sets.
///
/// Every block carries a 16-byte header with its offset from the malloc()
/// pointer, so delete needs no size. The arithmetic of the program is
/// unchanged; only addresses move. Sanitizer builds keep their own
/// allocator (they need it to find errors), so this file is empty there.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <malloc.h>
#include <new>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define GWSIM_NO_STAGGERED_NEW 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GWSIM_NO_STAGGERED_NEW 1
#endif

#ifndef GWSIM_NO_STAGGERED_NEW

namespace {

constexpr std::size_t header = 16;           // keeps malloc's 16-byte alignment
constexpr std::size_t large = 256 * 1024;    // blocks from here on are staggered
constexpr std::size_t step = 17 * 64;        // 1088 B: different L1 and L2 sets
constexpr unsigned slots = 32;               // offsets 0 .. 31 * 1088 B
std::atomic<unsigned> next_slot{0};

/// glibc raises its mmap threshold to the size of any mapped block that is
/// freed (up to 32 MiB), after which blocks of a few MB come from the heap:
/// they no longer start on fresh pages (the reason for this file) and their
/// memory stays with the process after free(), so a temporary copy (a zone
/// map for the result file, a restart point's bytes) adds to the peak of
/// everything allocated after it. Setting the threshold once turns the
/// adjustment off: large blocks are always mapped and returned on free.
const bool fixed_mmap_threshold = [] { return mallopt(M_MMAP_THRESHOLD, static_cast<int>(large)) == 1; }();

void* allocate(std::size_t n) {
  const std::size_t extra =
      header + (n >= large ? step * (next_slot.fetch_add(1, std::memory_order_relaxed) % slots) : 0);
  if (n > SIZE_MAX - extra) throw std::bad_alloc();
  for (;;) {
    if (auto* raw = static_cast<unsigned char*>(std::malloc(n + extra))) {
      unsigned char* p = raw + extra;
      reinterpret_cast<std::size_t*>(p)[-1] = extra;
      return p;
    }
    // As the standard operator new: ask the new-handler, else fail.
    std::new_handler handler = std::get_new_handler();
    if (!handler) throw std::bad_alloc();
    handler();
  }
}

void release(void* p) noexcept {
  if (!p) return;
  auto* c = static_cast<unsigned char*>(p);
  std::free(c - reinterpret_cast<std::size_t*>(c)[-1]);
}

} // namespace

void* operator new(std::size_t n) { return allocate(n); }
void* operator new[](std::size_t n) { return allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return allocate(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return allocate(n);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }

#endif
