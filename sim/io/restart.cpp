#include "io/restart.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

namespace gwsim {

static_assert(std::endian::native == std::endian::little,
              "restart points are written little-endian by copying memory");

namespace {

constexpr char restart_magic[8] = {'G', 'W', 'S', 'I', 'M', 'R', 'S', 'T'};
constexpr char heads_magic[8] = {'G', 'W', 'S', 'I', 'M', 'H', 'D', 'S'};
// 2: zone budgets in the step rows; 3: head change, last step length and
// allotment use in the state, district balances in the step rows, irrigation
// maps in the heads-file records; 6: the first guess's kept periods.
constexpr std::uint32_t format_version = 6;
constexpr std::uint32_t byte_order_mark = 0x01020304;
constexpr std::uint64_t heads_header_bytes = 24;
constexpr std::size_t district_fields = 13; // doubles per DistrictBalance

/// Doubles per heads-file record: the heads, then for models with irrigation
/// districts the pumping and return-flow maps of the same step.
std::uint64_t heads_record_length(const ModelData& model) {
  const Grid& g = model.grid;
  const auto maps = model.irrigation.empty() ? 0 : 2 * static_cast<std::uint64_t>(g.nrow * g.ncol);
  return static_cast<std::uint64_t>(g.ncell()) + maps;
}

/// The fields of a district balance (const or not), in the order they are stored.
template <class Balance> auto fields_of(Balance& b) {
  return std::array{&b.irrigated_area, &b.crop_water_use, &b.effective_precipitation,
                    &b.net_requirement, &b.gross_demand, &b.surface_water_diverted,
                    &b.surface_water_delivered, &b.conveyance_loss, &b.pumping_requested,
                    &b.pumping_actual, &b.unmet, &b.return_flow, &b.conveyance_recharge};
}
static_assert(std::tuple_size_v<decltype(fields_of(std::declval<DistrictBalance&>()))> == district_fields &&
                  sizeof(DistrictBalance) == district_fields * sizeof(double),
              "every DistrictBalance field must be stored in restart points");

SourceLocation at(const std::string& file) { return SourceLocation{file, 0, 0, ""}; }

/// Appends plain values to a byte buffer (a std::string, or a FileOut
/// that streams them to a file).
template <class Buffer> struct Out {
  Buffer& b;
  template <class T> void put(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    b.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void str(std::string_view s) {
    put<std::uint64_t>(s.size());
    b.append(s.data(), s.size());
  }
  void doubles(std::span<const double> v) { values(v); }
  template <class T> void values(std::span<const T> v) {
    put<std::uint64_t>(v.size());
    if (!v.empty()) b.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
};
template <class Buffer> Out(Buffer&) -> Out<Buffer>;

/// Reads them back, every read bounds-checked: a short or inconsistent file
/// is an InputError naming the file, never a crash.
struct In {
  std::string_view b;
  const std::string& path;
  std::size_t pos = 0;

  [[noreturn]] void damaged(const std::string& what) const {
    throw InputError(at(path), "damaged restart point (" + what + " at byte " + std::to_string(pos) +
                                 "): run without --resume to start over");
  }
  void need(std::uint64_t n, const char* what) {
    if (n > b.size() - pos) damaged(std::string("truncated ") + what);
  }
  template <class T> T get(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, b.data() + pos, sizeof v);
    pos += sizeof v;
    return v;
  }
  std::string str(const char* what) {
    const auto n = get<std::uint64_t>(what);
    need(n, what);
    std::string s(b.substr(pos, n));
    pos += n;
    return s;
  }
  std::vector<double> doubles(const char* what) { return values<double>(what); }
  template <class T> std::vector<T> values(const char* what) {
    const auto n = get<std::uint64_t>(what);
    if (n > (b.size() - pos) / sizeof(T)) damaged(std::string("truncated ") + what);
    std::vector<T> v(n);
    if (n > 0) std::memcpy(v.data(), b.data() + pos, n * sizeof(T));
    pos += n * sizeof(T);
    return v;
  }
};

void put_row(Out<std::string>& o, const StepInfo& i, const StepBudget& b, std::span<const double> observed,
             const std::string& surface, const std::string& zones, const std::string& irrigation) {
  o.put<std::int32_t>(i.period);
  o.put<std::int32_t>(i.step);
  o.put<std::int32_t>(i.global_step);
  o.put<double>(i.dt);
  o.put<double>(i.time);
  o.put<std::int32_t>(i.solver_iterations);
  o.put<std::int32_t>(i.newton_iterations);
  o.put<std::int32_t>(i.time_step_cuts);
  o.put<std::int64_t>(i.dry_cells);
  o.put<double>(i.relative_residual);
  o.put<std::uint8_t>(i.save_heads ? 1 : 0);
  o.put<std::uint32_t>(static_cast<std::uint32_t>(b.terms.size()));
  for (const BudgetTerm& t : b.terms) {
    o.str(t.name);
    o.put<double>(t.in);
    o.put<double>(t.out);
    o.put<double>(t.requested_out);
  }
  o.put<double>(b.total_in);
  o.put<double>(b.total_out);
  o.put<double>(b.percent_discrepancy);
  o.doubles(observed);
  o.put<std::uint8_t>(surface.empty() ? 0 : 1);
  o.b.append(surface);
  o.put<std::uint8_t>(zones.empty() ? 0 : 1);
  o.b.append(zones);
  o.put<std::uint8_t>(irrigation.empty() ? 0 : 1);
  o.b.append(irrigation);
}

RecordedStep get_row(In& in) {
  RecordedStep r;
  StepInfo& i = r.info;
  i.period = in.get<std::int32_t>("step row");
  i.step = in.get<std::int32_t>("step row");
  i.global_step = in.get<std::int32_t>("step row");
  i.dt = in.get<double>("step row");
  i.time = in.get<double>("step row");
  i.solver_iterations = in.get<std::int32_t>("step row");
  i.newton_iterations = in.get<std::int32_t>("step row");
  i.time_step_cuts = in.get<std::int32_t>("step row");
  i.dry_cells = static_cast<Index>(in.get<std::int64_t>("step row"));
  i.relative_residual = in.get<double>("step row");
  i.save_heads = in.get<std::uint8_t>("step row") != 0;
  const auto nterm = in.get<std::uint32_t>("budget");
  if (nterm > 64) in.damaged("budget term count");
  for (std::uint32_t t = 0; t < nterm; ++t) {
    BudgetTerm term;
    term.name = in.str("budget term");
    term.in = in.get<double>("budget term");
    term.out = in.get<double>("budget term");
    term.requested_out = in.get<double>("budget term");
    r.budget.terms.push_back(std::move(term));
  }
  r.budget.total_in = in.get<double>("budget");
  r.budget.total_out = in.get<double>("budget");
  r.budget.percent_discrepancy = in.get<double>("budget");
  r.observed = in.doubles("observed heads");
  r.has_surface_water = in.get<std::uint8_t>("surface water") != 0;
  if (r.has_surface_water) {
    const auto npond = in.get<std::uint64_t>("ponds");
    in.need(npond * 9 * sizeof(double), "ponds");
    for (std::uint64_t p = 0; p < npond; ++p) {
      PondBalance q;
      for (double* f : {&q.stage, &q.volume, &q.inflow, &q.connections, &q.rain, &q.evaporation,
                        &q.seepage, &q.spill, &q.imbalance})
        *f = in.get<double>("ponds");
      r.ponds.push_back(q);
    }
    const auto nreach = in.get<std::uint64_t>("reaches");
    in.need(nreach * (2 * sizeof(double) + 1), "reaches");
    for (std::uint64_t k = 0; k < nreach; ++k) {
      ReachBalance q;
      q.seepage = in.get<double>("reaches");
      q.diverted = in.get<double>("reaches");
      q.has_water = in.get<std::uint8_t>("reaches") != 0;
      r.reaches.push_back(q);
    }
  }
  r.has_zone_budget = in.get<std::uint8_t>("zone budget") != 0;
  if (r.has_zone_budget) {
    ZoneBudgetStep& z = r.zone_budget;
    z.nzone = in.get<std::uint64_t>("zone budget");
    z.naquifer = in.get<std::uint64_t>("zone budget");
    const auto nzterm = in.get<std::uint32_t>("zone budget");
    if (nzterm > 64) in.damaged("zone budget term count");
    for (std::uint32_t t = 0; t < nzterm; ++t) z.terms.push_back(in.str("zone budget term"));
    if (z.nzone > 100000 || z.naquifer > 10000) in.damaged("zone budget size");
    for (std::uint64_t k = 0; k < z.nzone; ++k) z.zone_names.push_back(in.str("zone name"));
    for (std::uint64_t k = 0; k < z.naquifer; ++k) z.aquifer_names.push_back(in.str("aquifer name"));
    z.in = in.doubles("zone budget");
    z.out = in.doubles("zone budget");
    if (z.in.size() != nzterm * z.nzone * z.naquifer || z.out.size() != z.in.size()) in.damaged("zone budget size");
  }
  r.has_irrigation = in.get<std::uint8_t>("district balances") != 0;
  if (r.has_irrigation) {
    const auto ndistrict = in.get<std::uint64_t>("district balances");
    in.need(ndistrict * district_fields * sizeof(double), "district balances");
    r.districts.resize(ndistrict);
    for (DistrictBalance& d : r.districts)
      for (double* f : fields_of(d)) *f = in.get<double>("district balances");
    r.has_irrigation_maps = in.get<std::uint8_t>("irrigation maps") != 0;
  }
  return r;
}

std::string folder_of(const std::string& path) {
  std::string f = std::filesystem::path(path).parent_path().string();
  return f.empty() ? "." : f;
}

std::string sibling(const std::string& path, const std::string& name) {
  return (std::filesystem::path(folder_of(path)) / name).string();
}

[[noreturn]] void io_failure(const std::string& what, const std::string& path, int err) {
  throw OutputError(fmt::format("cannot write restart point: {} '{}': {} (run with --no-restart "
                                "to go on without restart points)",
                                what, path, std::strerror(err)));
}

/// FNV-1a over 8-byte words, then over the bytes of a shorter tail; fed
/// in pieces of any length, it gives checksum() of their concatenation.
class Checksum {
public:
  void add(const char* p, std::size_t n) {
    if (ncarry_ > 0) {
      // Complete the word begun by the last piece.
      const std::size_t k = std::min(n, 8 - ncarry_);
      std::memcpy(carry_ + ncarry_, p, k);
      ncarry_ += k;
      p += k;
      n -= k;
      if (ncarry_ < 8) return;
      word(carry_);
      ncarry_ = 0;
    }
    for (; n >= 8; p += 8, n -= 8) word(p);
    std::memcpy(carry_, p, n);
    ncarry_ = n;
  }
  std::uint64_t value() const {
    std::uint64_t h = h_;
    for (std::size_t i = 0; i < ncarry_; ++i) h = (h ^ static_cast<unsigned char>(carry_[i])) * 1099511628211ull;
    return h;
  }

private:
  void word(const char* p) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h_ = (h_ ^ w) * 1099511628211ull;
  }
  std::uint64_t h_ = 14695981039346656037ull;
  char carry_[8] = {};
  std::size_t ncarry_ = 0;
};

/// Streams bytes to an open file through a 1 MiB buffer and checksums
/// them: a restart point of 4 M cells is not built in memory first
/// (another 8 bytes per cell at the run's peak).
class FileOut {
public:
  FileOut(int fd, const std::string& path) : fd_(fd), path_(path) { buf_.reserve(capacity); }
  void append(const char* p, std::size_t n) {
    sum_.add(p, n);
    while (n > 0) {
      const std::size_t k = std::min(n, capacity - buf_.size());
      buf_.append(p, k);
      p += k;
      n -= k;
      if (buf_.size() == capacity) flush();
    }
  }
  std::uint64_t checksum() const { return sum_.value(); }
  void flush() {
    std::size_t done = 0;
    while (done < buf_.size()) {
      const ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) io_failure("cannot write", path_, n < 0 ? errno : ENOSPC);
      done += static_cast<std::size_t>(n);
    }
    buf_.clear();
  }

private:
  static constexpr std::size_t capacity = 1 << 20;
  int fd_;
  const std::string& path_;
  std::string buf_;
  Checksum sum_;
};

/// Write a file atomically: `fill(FileOut&)` writes its bytes to a
/// temporary file in the same folder, which is synced and renamed over
/// `path`; then the folder is synced. On failure the temporary file is
/// removed and `path` is untouched.
template <class Fill> void write_atomically(const std::string& path, Fill fill) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) io_failure("cannot create", tmp, errno);
  try {
    FileOut out(fd, tmp);
    fill(out);
    out.flush();
    if (::fsync(fd) != 0) io_failure("cannot sync", tmp, errno);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    io_failure("cannot rename to", path, err);
  }
  const int dir = ::open(folder_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir); // best effort: the rename survives a power loss
    ::close(dir);
  }
}

std::string read_whole(const std::string& path, bool& exists) {
  std::ifstream f(path, std::ios::binary);
  exists = static_cast<bool>(f);
  if (!f) return {};
  std::ostringstream s;
  s << f.rdbuf();
  return std::move(s).str();
}

/// Checksum of a restart point: FNV-1a over 8-byte words (the last bytes
/// one by one); a byte at a time it took 5 ms per 10 MB of heads.
std::uint64_t checksum(std::string_view b) {
  Checksum c;
  c.add(b.data(), b.size());
  return c.value();
}

/// The part of a restart file before the state; returns the heads file name.
std::string read_header(In& in, std::uint64_t& hash, std::int64_t (&dims)[3]) {
  char magic[8];
  in.need(sizeof magic, "header");
  std::memcpy(magic, in.b.data(), sizeof magic);
  if (std::memcmp(magic, restart_magic, sizeof magic) != 0)
    throw InputError(at(in.path), "not a gwsim restart point (wrong magic bytes)");
  in.pos = sizeof magic;
  const auto version = in.get<std::uint32_t>("header");
  if (version != format_version)
    throw InputError(at(in.path), fmt::format("restart point format version {} is not supported "
                                            "(this gwsim reads version {})",
                                            version, format_version));
  if (in.get<std::uint32_t>("header") != byte_order_mark)
    throw InputError(at(in.path), "restart point written on a machine of another byte order");
  hash = in.get<std::uint64_t>("header");
  for (auto& d : dims) d = in.get<std::int64_t>("header");
  return in.str("heads file name");
}

} // namespace

std::uint64_t scenario_hash(const ModelData& model) {
  // The scenario text, then the digest of its data files (0: none noted,
  // as for models built in code).
  const std::uint64_t text = fnv1a64(model.source_text);
  return model.input_files_digest ? fnv1a64(std::string_view(reinterpret_cast<const char*>(&model.input_files_digest),
                                                              sizeof model.input_files_digest),
                                            text)
                                  : text;
}

std::string restart_path_for(const std::string& result_path) { return result_path + ".restart"; }

RestartPoint read_restart(const std::string& path, const ModelData& model) {
  bool exists = false;
  const std::string bytes = read_whole(path, exists);
  if (!exists)
    throw InputError(at(path), "no restart point to resume from (one is written at a stress "
                             "period end once a run has taken 30 s, or as --restart-seconds or "
                             "--restart-every ask, and removed when the run finishes)");
  In in{bytes, path};
  if (bytes.size() < sizeof restart_magic + 8) in.damaged("file too short");
  std::uint64_t stored_sum = 0;
  std::memcpy(&stored_sum, bytes.data() + bytes.size() - 8, 8);
  in.b = std::string_view(bytes).substr(0, bytes.size() - 8);
  std::uint64_t hash = 0;
  std::int64_t dims[3];
  const std::string heads_name = read_header(in, hash, dims);
  if (checksum(in.b) != stored_sum) in.damaged("checksum mismatch");
  const Grid& g = model.grid;
  if (dims[0] != g.nlay || dims[1] != g.nrow || dims[2] != g.ncol)
    throw InputError(at(path), fmt::format("restart point is for a {} x {} x {} grid, the scenario "
                                         "has {} x {} x {}: run without --resume to start over",
                                         dims[0], dims[1], dims[2], g.nlay, g.nrow, g.ncol));
  if (hash != scenario_hash(model))
    throw InputError(at(path), fmt::format("restart point was written for a different scenario "
                                         "(the text of '{}' or a data file it reads has changed "
                                         "since): run without --resume to start over",
                                         model.source_file));
  if (heads_name.empty() || heads_name.find('/') != std::string::npos)
    in.damaged("heads file name");

  RestartPoint rp;
  rp.path = path;
  rp.heads_file = sibling(path, heads_name);
  SimulationState& s = rp.state;
  s.next_period = in.get<std::int32_t>("state");
  s.steps_done = in.get<std::int32_t>("state");
  s.time = in.get<double>("state");
  s.solver_iterations = in.get<std::int64_t>("state");
  s.newton_iterations = in.get<std::int64_t>("state");
  s.time_step_cuts = in.get<std::int32_t>("state");
  s.worst_percent_discrepancy = in.get<double>("state");
  s.head = in.doubles("heads");
  s.pond_volume = in.doubles("pond volumes");
  s.head_changes.fingerprint = in.get<std::uint64_t>("head changes");
  const auto nchange = in.get<std::uint32_t>("head changes");
  if (nchange > SolutionProjection::max_capacity) in.damaged("head change count");
  for (std::uint32_t i = 0; i < nchange; ++i)
    s.head_changes.newest_first.push_back(in.values<float>("head changes"));
  const auto nperiod = in.get<std::uint32_t>("head changes");
  if (nperiod > SolutionProjection::max_periods + 1) in.damaged("head change period count");
  for (std::uint32_t p = 0; p < nperiod; ++p) {
    const auto nstep = in.get<std::uint32_t>("head changes");
    if (nstep > SolutionProjection::aligned_steps) in.damaged("head change step count");
    auto& steps = s.head_changes.periods.emplace_back();
    auto& seq = s.head_changes.period_seq.emplace_back();
    for (std::uint32_t k = 0; k < nstep; ++k) {
      seq.push_back(in.get<std::uint64_t>("head changes"));
      steps.push_back(in.values<float>("head changes"));
    }
  }
  s.head_changes.step_in_period = in.get<std::uint32_t>("head changes");
  s.head_changes.remembered = in.get<std::uint64_t>("head changes");
  s.allotment_use.year = in.get<std::int32_t>("allotment use");
  s.allotment_use.sw_used = in.doubles("allotment use");
  s.allotment_use.gw_used = in.doubles("allotment use");
  rp.saved_heads = in.get<std::uint64_t>("state");
  const auto nrows = in.get<std::uint64_t>("state");

  // Consistency with the model: the restart point must sit on a period end.
  const auto& periods = model.time.periods;
  if (s.next_period < 1 || static_cast<std::size_t>(s.next_period) > periods.size())
    in.damaged("stress period");
  int steps = 0;
  for (int p = 0; p < s.next_period; ++p) steps += periods[static_cast<std::size_t>(p)].steps;
  if (s.steps_done != steps || nrows != static_cast<std::uint64_t>(steps)) in.damaged("step count");
  if (s.head.size() != static_cast<std::size_t>(g.ncell())) in.damaged("head count");
  if (s.pond_volume.size() != model.stresses.ponds.size()) in.damaged("pond count");
  for (const auto& c : s.head_changes.newest_first)
    if (c.size() != s.head.size()) in.damaged("head change count");
  for (const auto& period : s.head_changes.periods)
    for (const auto& c : period)
      if (c.size() != s.head.size()) in.damaged("head change count");
  const std::size_t ndistrict = model.irrigation.districts.size();
  if (s.allotment_use.sw_used.size() != ndistrict || s.allotment_use.gw_used.size() != ndistrict)
    in.damaged("allotment use count");

  const std::size_t rows_start = in.pos;
  std::uint64_t saved = 0;
  for (std::uint64_t r = 0; r < nrows; ++r) {
    rp.steps.push_back(get_row(in));
    const RecordedStep& row = rp.steps.back();
    if (row.info.global_step != static_cast<int>(r) || row.observed.size() != model.observations.size())
      in.damaged("step row");
    if (row.has_irrigation && row.districts.size() != ndistrict) in.damaged("district count");
    if (row.has_irrigation_maps && (ndistrict == 0 || !row.info.save_heads)) in.damaged("irrigation maps");
    saved += row.info.save_heads ? 1 : 0;
  }
  if (in.pos != in.b.size() || saved != rp.saved_heads) in.damaged("step rows");
  rp.rows.assign(bytes, rows_start, in.pos - rows_start);

  // The heads file must hold at least the records the restart point counts.
  std::error_code ec;
  const auto size = std::filesystem::file_size(rp.heads_file, ec);
  const std::uint64_t need =
      heads_header_bytes + rp.saved_heads * heads_record_length(model) * sizeof(double);
  if (ec || size < need)
    throw InputError(at(path), fmt::format("restart point's heads file '{}' is {}: run without "
                                         "--resume to start over",
                                         rp.heads_file, ec ? "missing" : "too short"));
  return rp;
}

RestartRecorder::RestartRecorder(OutputSink& inner, const ModelData& model,
                                 std::string restart_path, RestartInterval every, RestartPoint* resume)
    : inner_(inner), model_(model), path_(std::move(restart_path)), every_(every),
      resume_(resume), hash_(scenario_hash(model)), record_length_(heads_record_length(model)),
      pending_maps_(static_cast<std::size_t>(record_length_) - static_cast<std::size_t>(model.grid.ncell()),
                    0.0),
      total_steps_(model.time.total_steps()) {}

RestartRecorder::~RestartRecorder() {
  if (writer_.joinable()) writer_.join();
  if (heads_) std::fclose(heads_);
}

void RestartRecorder::begin(const ModelData& model) {
  const auto ncell = static_cast<std::size_t>(model.grid.ncell());
  if (!resume_) {
    // A fresh run: its own heads file; an older restart point (of an earlier
    // interrupted run) stays usable until this run's first one replaces it.
    bool exists = false;
    const std::string old = read_whole(path_, exists);
    if (exists) {
      try {
        In in{old, path_};
        std::uint64_t hash = 0;
        std::int64_t dims[3];
        const std::string name = read_header(in, hash, dims);
        if (!name.empty() && name.find('/') == std::string::npos) stale_heads_path_ = sibling(path_, name);
      } catch (const InputError&) {
        // Not ours to clean up.
      }
    }
    const auto token = static_cast<unsigned long long>(
        std::chrono::steady_clock::now().time_since_epoch().count() ^ (::getpid() * 2654435761ull));
    inner_.begin(model); // first, so that an unwritable folder is reported for the result
    heads_path_ = fmt::format("{}-heads-{:x}", path_, token);
    heads_ = std::fopen(heads_path_.c_str(), "wb");
    own_heads_file_ = true;
    if (!heads_) io_failure("cannot create", heads_path_, errno);
    std::string header(heads_magic, sizeof heads_magic);
    Out o{header};
    o.put<std::uint64_t>(hash_);
    o.put<std::uint64_t>(record_length_);
    if (std::fwrite(header.data(), 1, header.size(), heads_) != header.size())
      io_failure("cannot write", heads_path_, errno);
    return;
  }

  // Resume: check the heads file, replay the recorded rows into the result,
  // then drop any heads written after the restart point and append from there.
  heads_path_ = resume_->heads_file;
  heads_ = std::fopen(heads_path_.c_str(), "r+b");
  if (!heads_) throw InputError(at(heads_path_), fmt::format("cannot open: {}", std::strerror(errno)));
  char header[heads_header_bytes];
  std::uint64_t hash = 0, n = 0;
  if (std::fread(header, 1, sizeof header, heads_) != sizeof header ||
      std::memcmp(header, heads_magic, sizeof heads_magic) != 0)
    throw InputError(at(heads_path_), "not a gwsim restart heads file");
  std::memcpy(&hash, header + 8, 8);
  std::memcpy(&n, header + 16, 8);
  if (hash != hash_)
    throw InputError(at(heads_path_), "restart heads file does not belong to this restart point");
  if (n != record_length_)
    throw InputError(at(heads_path_), fmt::format("restart heads file has records of {} values, this "
                                                "model needs {}: run without --resume to start over",
                                                n, record_length_));

  // Replay in the order Simulation::run reports a step: surface water, zone
  // budget, irrigation, then the step itself.
  inner_.begin(model);
  std::vector<double> record(static_cast<std::size_t>(record_length_));
  const std::span<const double> head(record.data(), ncell);
  const std::size_t nmap = (record.size() - ncell) / 2;
  const std::span<const double> pumping(record.data() + ncell, nmap);
  const std::span<const double> return_flow(record.data() + ncell + nmap, nmap);
  for (const RecordedStep& r : resume_->steps) {
    if (r.has_surface_water) inner_.surface_water(r.info, r.ponds, r.reaches);
    if (r.has_zone_budget) inner_.zone_budget(r.info, r.zone_budget);
    if (r.info.save_heads &&
        std::fread(record.data(), sizeof(double), record.size(), heads_) != record.size())
      throw InputError(at(heads_path_), "restart heads file is too short");
    if (r.has_irrigation) {
      if (r.has_irrigation_maps)
        inner_.irrigation(r.info, r.districts, pumping, return_flow);
      else
        inner_.irrigation(r.info, r.districts, {}, {});
    }
    inner_.step(r.info, r.info.save_heads ? head : std::span<const double>(), r.budget, r.observed);
  }
  saved_heads_ = resume_->saved_heads;
  const auto keep = static_cast<off_t>(heads_header_bytes + saved_heads_ * record_length_ * sizeof(double));
  if (std::fflush(heads_) != 0 || ::ftruncate(::fileno(heads_), keep) != 0 ||
      std::fseek(heads_, 0, SEEK_END) != 0)
    io_failure("cannot truncate", heads_path_, errno);
  rows_ = std::move(resume_->rows);
  nrows_ = resume_->steps.size();
  committed_periods_ = resume_->state.next_period;
  committed_steps_ = resume_->state.steps_done;
}

void RestartRecorder::surface_water(const StepInfo& info, std::span<const PondBalance> ponds,
                                    std::span<const ReachBalance> reaches) {
  inner_.surface_water(info, ponds, reaches);
  pending_surface_.clear();
  Out o{pending_surface_};
  o.put<std::uint64_t>(ponds.size());
  for (const PondBalance& p : ponds)
    for (double v : {p.stage, p.volume, p.inflow, p.connections, p.rain, p.evaporation, p.seepage,
                     p.spill, p.imbalance})
      o.put<double>(v);
  o.put<std::uint64_t>(reaches.size());
  for (const ReachBalance& r : reaches) {
    o.put<double>(r.seepage);
    o.put<double>(r.diverted);
    o.put<std::uint8_t>(r.has_water ? 1 : 0);
  }
}

void RestartRecorder::step(const StepInfo& info, std::span<const double> head,
                           const StepBudget& budget, std::span<const double> observed) {
  inner_.step(info, head, budget, observed);
  if (info.save_heads) {
    if (info.global_step + 1 == total_steps_) {
      // The run's last heads are the last period's state (period_end()):
      // written only if that becomes a restart point (abort()).
      last_maps_ = pending_maps_;
      owes_last_record_ = true;
    } else {
      write_heads_record(head, pending_maps_);
    }
    std::fill(pending_maps_.begin(), pending_maps_.end(), 0.0);
    ++saved_heads_;
  }
  Out o{rows_};
  put_row(o, info, budget, observed, pending_surface_, pending_zones_, pending_irrigation_);
  pending_surface_.clear();
  pending_zones_.clear();
  pending_irrigation_.clear();
  ++nrows_;
}

void RestartRecorder::write_heads_record(std::span<const double> head, std::span<const double> maps) {
  GWSIM_ASSERT(head.size() + maps.size() == record_length_);
  if (std::fwrite(head.data(), sizeof(double), head.size(), heads_) != head.size() ||
      std::fwrite(maps.data(), sizeof(double), maps.size(), heads_) != maps.size())
    io_failure("cannot write", heads_path_, errno);
}

void RestartRecorder::zone_budget(const StepInfo& info, const ZoneBudgetStep& zb) {
  inner_.zone_budget(info, zb);
  pending_zones_.clear();
  Out o{pending_zones_};
  o.put<std::uint64_t>(zb.nzone);
  o.put<std::uint64_t>(zb.naquifer);
  o.put<std::uint32_t>(static_cast<std::uint32_t>(zb.terms.size()));
  for (const std::string& t : zb.terms) o.str(t);
  for (const std::string& t : zb.zone_names) o.str(t);
  for (const std::string& t : zb.aquifer_names) o.str(t);
  o.doubles(zb.in);
  o.doubles(zb.out);
}

void RestartRecorder::irrigation(const StepInfo& info, std::span<const DistrictBalance> districts,
                                 std::span<const double> pumping, std::span<const double> return_flow) {
  inner_.irrigation(info, districts, pumping, return_flow);
  // The balances go into the step row; the maps (given where heads are
  // saved) into the step's heads-file record, written by step(): in the
  // restart point, rewritten every period, they would make the I/O grow
  // with the square of the run length.
  const bool maps = !pumping.empty() && info.save_heads;
  const std::size_t nmap = pending_maps_.size() / 2;
  if (maps && (nmap == 0 || pumping.size() != nmap || return_flow.size() != nmap))
    throw Error(fmt::format("restart point: irrigation maps of {} and {} values, expected {}",
                            pumping.size(), return_flow.size(), nmap));
  pending_irrigation_.clear();
  Out o{pending_irrigation_};
  o.put<std::uint64_t>(districts.size());
  for (const DistrictBalance& d : districts)
    for (const double* f : fields_of(d)) o.put<double>(*f);
  o.put<std::uint8_t>(maps ? 1 : 0);
  if (maps) {
    std::copy(pumping.begin(), pumping.end(), pending_maps_.begin());
    std::copy(return_flow.begin(), return_flow.end(),
              pending_maps_.begin() + static_cast<std::ptrdiff_t>(nmap));
  }
}

bool RestartRecorder::due(int next_period) const {
  if (next_period == static_cast<int>(model_.time.periods.size())) return true; // kept for abort()
  if (every_.periods > 0) return next_period % every_.periods == 0;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - last_start_).count() >= every_.seconds;
}

void RestartRecorder::period_end(SimulationState& state) {
  if (!due(state.next_period)) return;
  if (state.next_period == static_cast<int>(model_.time.periods.size()))
    last_ = std::move(state);
  else
    commit(std::move(state));
}

void RestartRecorder::commit(SimulationState&& state) {
  GWSIM_ASSERT(nrows_ == static_cast<std::uint64_t>(state.steps_done));
  // One restart point on its way to disk at a time; its errors surface here.
  wait_for_writer();
  // The heads the restart point counts must be on disk before it is: handed
  // to the kernel now, synced by the writer thread before the restart file.
  if (std::fflush(heads_) != 0) io_failure("cannot write", heads_path_, errno);

  // Serialising, checksumming, syncing and writing (tens of milliseconds
  // per restart point, mostly fsync) overlap the next period's computing:
  // the thread gets copies of the state and the rows recorded so far, and
  // the restart point counts as written once it has finished
  // (wait_for_writer()).
  writing_periods_ = state.next_period;
  writing_steps_ = state.steps_done;
  last_start_ = std::chrono::steady_clock::now();
  writer_ = std::thread([this, state = std::move(state), rows = rows_, saved = saved_heads_, nrows = nrows_,
                         fd = ::fileno(heads_)] {
    try {
      // The heads this restart point counts are on disk before it is.
      if (::fdatasync(fd) != 0) io_failure("cannot sync", heads_path_, errno);
      write_atomically(path_, [&](FileOut& file) {
        file.append(restart_magic, sizeof restart_magic);
        Out o{file};
        o.put<std::uint32_t>(format_version);
        o.put<std::uint32_t>(byte_order_mark);
        o.put<std::uint64_t>(hash_);
        o.put<std::int64_t>(model_.grid.nlay);
        o.put<std::int64_t>(model_.grid.nrow);
        o.put<std::int64_t>(model_.grid.ncol);
        o.str(std::filesystem::path(heads_path_).filename().string());
        o.put<std::int32_t>(state.next_period);
        o.put<std::int32_t>(state.steps_done);
        o.put<double>(state.time);
        o.put<std::int64_t>(state.solver_iterations);
        o.put<std::int64_t>(state.newton_iterations);
        o.put<std::int32_t>(state.time_step_cuts);
        o.put<double>(state.worst_percent_discrepancy);
        o.doubles(state.head);
        o.doubles(state.pond_volume);
        o.put<std::uint64_t>(state.head_changes.fingerprint);
        o.put<std::uint32_t>(static_cast<std::uint32_t>(state.head_changes.newest_first.size()));
        for (const auto& c : state.head_changes.newest_first) o.values<float>(c);
        o.put<std::uint32_t>(static_cast<std::uint32_t>(state.head_changes.periods.size()));
        for (std::size_t p = 0; p < state.head_changes.periods.size(); ++p) {
          const auto& steps = state.head_changes.periods[p];
          o.put<std::uint32_t>(static_cast<std::uint32_t>(steps.size()));
          for (std::size_t k = 0; k < steps.size(); ++k) {
            o.put<std::uint64_t>(state.head_changes.period_seq[p][k]);
            o.values<float>(steps[k]);
          }
        }
        o.put<std::uint32_t>(state.head_changes.step_in_period);
        o.put<std::uint64_t>(state.head_changes.remembered);
        o.put<std::int32_t>(state.allotment_use.year);
        o.doubles(state.allotment_use.sw_used);
        o.doubles(state.allotment_use.gw_used);
        o.put<std::uint64_t>(saved);
        o.put<std::uint64_t>(nrows);
        file.append(rows.data(), rows.size());
        o.put<std::uint64_t>(file.checksum());
      });
    } catch (...) {
      writer_error_ = std::current_exception();
    }
  });
}

void RestartRecorder::wait_for_writer() {
  if (!writer_.joinable()) return;
  writer_.join();
  if (writer_error_) std::rethrow_exception(std::exchange(writer_error_, nullptr));
  committed_periods_ = writing_periods_;
  committed_steps_ = writing_steps_;
  if (!stale_heads_path_.empty() && stale_heads_path_ != heads_path_) {
    std::remove(stale_heads_path_.c_str());
    stale_heads_path_.clear();
  }
}

void RestartRecorder::finish(const RunSummary& summary) {
  // The result is finished while an earlier restart point may still be
  // written. Should finishing fail, abort() writes the last period's state
  // as a restart point, which then serves --resume.
  inner_.finish(summary);
  try {
    wait_for_writer();
  } catch (const Error&) {
    // The result is complete: a restart point that could not be written is
    // of no use any more.
  }
  // The result is in place: the restart point has served its purpose.
  if (heads_) {
    std::fclose(heads_);
    heads_ = nullptr;
  }
  std::remove(path_.c_str());
  std::remove(heads_path_.c_str());
  if (!stale_heads_path_.empty()) std::remove(stale_heads_path_.c_str());
}

void RestartRecorder::abort() noexcept {
  // A restart point being written is finished, so that the run can say
  // where to resume from; a failure to write it leaves the one before.
  try {
    wait_for_writer();
  } catch (...) {
  }
  // The whole run is done but its result could not be finished: its last
  // state becomes the restart point (if it can be written).
  if (last_) {
    try {
      if (owes_last_record_) write_heads_record(last_->head, last_maps_);
      commit(std::move(*last_));
      wait_for_writer();
    } catch (...) {
    }
    last_.reset();
  }
  inner_.abort();
  if (heads_) {
    std::fclose(heads_);
    heads_ = nullptr;
  }
  // A heads file no restart point refers to is of no use.
  if (own_heads_file_ && committed_periods_ == 0) std::remove(heads_path_.c_str());
}

} // namespace gwsim
