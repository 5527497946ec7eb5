#include "io/input_files.hpp"

namespace gwsim {

namespace {
thread_local InputFileScope* current = nullptr;
} // namespace

std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t seed) {
  std::uint64_t h = seed;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

InputFileScope::InputFileScope() : outer_(current) { current = this; }

InputFileScope::~InputFileScope() { current = outer_; }

void InputFileScope::note(const std::string& path, std::string_view bytes) {
  InputFileScope* s = current;
  if (!s) return;
  s->digest_ = fnv1a64(path, s->digest_);
  s->digest_ = fnv1a64(std::string_view("\0", 1), s->digest_);
  s->digest_ = fnv1a64(bytes, s->digest_);
  ++s->count_;
}

} // namespace gwsim
