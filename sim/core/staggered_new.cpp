/// Replacement global operator new/delete: staggered addresses on cache
/// lines, and for large blocks pages populated at once, in huge pages.
/// Linked into gwsim's programs (not its libraries).
///
/// Staggered: all of a model's cell arrays (heads, conductances, the
/// system's coefficients, the multigrid levels) would otherwise begin at the
/// same offset within a 4 KiB page. A loop that walks more than about eight
/// such arrays at the same index (matrix assembly reads and writes about
/// fourteen) then maps them all to the same sets of the 8-way L1 and L2
/// caches, which evict each other on every access: the assembly of a
/// 270 000-cell system took 10 ms instead of 2 ms, and the multigrid solve
/// was 20% slower (measured on the transient benchmark, bench/HISTORY.md).
/// Shifting each large block by a different multiple of 1088 bytes spreads
/// the arrays over the cache sets.
///
/// Mapped here, populated, in huge pages: fresh memory costs a page fault
/// per 4 KiB page on first touch, and on the virtual machines we measure on
/// a fault can cost 10 us (2026-11-27: 64 MiB in 167 ms, 400 MB/s), so that
/// a 4 million-cell run spent two thirds of its set-up and a good part of
/// its output in faults. Large blocks are therefore mapped with mmap, 2 MiB
/// aligned and marked for transparent huge pages (MADV_HUGEPAGE: 64 MiB in
/// 5 to 110 ms instead of 167 ms, mostly the kernel zeroing them), and
/// populated in one call (MADV_POPULATE_WRITE: pages outside whole huge
/// pages at half the cost of faulting them one by one). Both are hints: a
/// kernel without them (or with huge pages switched off) maps pages on
/// first touch as before. Every large block is touched in full by its owner
/// anyway (vectors are value-initialised), so populating adds no resident
/// memory.
///
/// On a cache line: blocks of 512 bytes and more (from malloc too) start on
/// a 64-byte boundary, so that the solver's row loops, which align their
/// vector loads by one array's address (mg::split_at_line), find every cell
/// array aligned alike at the same index.
///
/// Every block carries a 16-byte header with the length of its mapping and
/// its offset, so delete needs no size. The arithmetic of the program is
/// unchanged; only addresses move. Sanitizer builds keep their own
/// allocator (they need it to find errors), so this file is empty there.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <malloc.h>
#include <new>
#include <sys/mman.h>

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
constexpr std::size_t large = 256 * 1024;    // blocks from here on are mapped and staggered
constexpr std::size_t step = 17 * 64;        // 1088 B: different L1 and L2 sets
constexpr unsigned slots = 32;               // offsets 0 .. 31 * 1088 B
constexpr std::size_t line = 64;             // blocks of `aligned` bytes and more start on a cache line
constexpr std::size_t aligned = 512;
constexpr std::size_t page = 4096;
constexpr std::size_t huge_page = std::size_t{2} << 20;
std::atomic<unsigned> next_slot{0};

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 // Linux 5.14
#endif

/// Other large allocations (HDF5's buffers, through malloc): glibc raises
/// its mmap threshold to the size of any mapped block that is freed (up to
/// 32 MiB), after which blocks of a few MB come from the heap and their
/// memory stays with the process after free(), so a temporary copy adds to
/// the peak of everything allocated after it. Setting the threshold once
/// turns the adjustment off: large blocks are always mapped and returned on
/// free.
const bool fixed_mmap_threshold = [] { return mallopt(M_MMAP_THRESHOLD, static_cast<int>(large)) == 1; }();

/// Every block starts with a 16-byte header just before the pointer handed
/// out: the length of the mapping (0 for a block from malloc) and the
/// pointer's offset from the start of the block.
struct Header {
  std::size_t mapped;
  std::size_t offset;
};
static_assert(sizeof(Header) == header);

unsigned char* map_large(std::size_t n) {
  const std::size_t offset = line + step * (next_slot.fetch_add(1, std::memory_order_relaxed) % slots);
  if (n > SIZE_MAX - offset - 2 * huge_page) throw std::bad_alloc();
  const std::size_t len = (n + offset + page - 1) / page * page;
  // Blocks of a huge page or more start on a huge-page boundary (mapped
  // with up to 2 MiB to spare, the spare unmapped again), so that every
  // whole 2 MiB of them can be a huge page; the tail stays in 4 KiB pages.
  const bool huge = len >= huge_page;
  const std::size_t slack = huge ? huge_page - page : 0;
  void* m = mmap(nullptr, len + slack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return nullptr;
  auto* base = static_cast<unsigned char*>(m);
  if (huge) {
    const std::size_t lead = (huge_page - reinterpret_cast<std::uintptr_t>(base) % huge_page) % huge_page;
    if (lead) munmap(base, lead);
    if (slack - lead) munmap(base + lead + len, slack - lead);
    base += lead;
    madvise(base, len, MADV_HUGEPAGE);
  }
  // All pages at once, instead of one fault per page on first touch.
  madvise(base, len, MADV_POPULATE_WRITE);
  unsigned char* p = base + offset;
  reinterpret_cast<Header*>(p)[-1] = Header{len, offset};
  return p;
}

void* allocate(std::size_t n) {
  for (;;) {
    if (n >= large) {
      if (unsigned char* p = map_large(n)) return p;
      // malloc's blocks are 16-byte aligned: the pointer is the first
      // 16-byte (small blocks) or 64-byte boundary after the header.
    } else if (const std::size_t align = n < aligned ? header : line;
               auto* raw = static_cast<unsigned char*>(std::malloc(n + align))) {
      auto* p = reinterpret_cast<unsigned char*>((reinterpret_cast<std::uintptr_t>(raw) + header + align - 1) /
                                                  align * align);
      reinterpret_cast<Header*>(p)[-1] = Header{0, static_cast<std::size_t>(p - raw)};
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
  const Header h = reinterpret_cast<const Header*>(c)[-1];
  if (h.mapped)
    munmap(c - h.offset, h.mapped);
  else
    std::free(c - h.offset);
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
