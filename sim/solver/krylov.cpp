#include "solver/krylov.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <type_traits>

#include "core/parallel.hpp"
#include "core/stop.hpp"

namespace gwsim {

namespace {

double dot(std::span<const double> a, std::span<const double> b) {
  const double* x = a.data();
  const double* y = b.data();
  return parallel_sum_blocks(static_cast<Index>(a.size()), [&](Index lo, Index hi) {
    double s = 0.0;
    for (Index i = lo; i < hi; ++i) s += x[i] * y[i];
    return s;
  });
}

double norm(std::span<const double> a) { return std::sqrt(dot(a, a)); }

void resize_all(std::size_t n, std::initializer_list<std::vector<double>*> vs) {
  for (auto* v : vs) v->resize(n);
}

/// h += alpha d and r -= alpha q (q = A d) in one pass over fixed chunks;
/// returns {|r|^2, largest |alpha d|}, the same for any thread count. With
/// r_float, the new r is also stored there in float: the preconditioner's
/// input for the next iteration, written while r is at hand instead of read
/// back from memory by another pass (Preconditioner::float_input()).
std::array<double, 2> step_along(Index n, Index chunk, double alpha, const double* d, const double* q,
                                 double* h, double* r, float* r_float = nullptr) {
  using Pair = std::array<double, 2>;
  auto pass = [&](auto store_float) {
    return parallel_reduce_chunks(
        n, chunk, Pair{0.0, 0.0},
        [&](Index lo, Index hi) {
          double rr = 0.0, dmax = 0.0;
          for (Index i = lo; i < hi; ++i) {
            const double dh = alpha * d[i];
            h[i] += dh;
            r[i] -= alpha * q[i];
            if constexpr (decltype(store_float)::value) r_float[i] = static_cast<float>(r[i]);
            rr += r[i] * r[i];
            dmax = std::max(dmax, std::abs(dh));
          }
          return Pair{rr, dmax};
        },
        [](Pair a, Pair b) { return Pair{a[0] + b[0], std::max(a[1], b[1])}; });
  };
  return r_float ? pass(std::true_type{}) : pass(std::false_type{});
}

/// Give up the solve if a stop was requested (Ctrl-C, SIGTERM): one relaxed
/// atomic load per iteration, so a long solve stops within one iteration.
void stop_if_requested(const char* method, int iteration) {
  if (stop_requested())
    throw StopRequested(std::string("stopped during a linear solve (") + method + ", iteration " +
                        std::to_string(iteration) + ")");
}

} // namespace

void JacobiPreconditioner::setup(const StencilSystem& A) {
  inv_diag_.resize(A.diag.size());
  const double* d = A.diag.data();
  double* inv = inv_diag_.data();
  parallel_for_blocks(A.size(), [&](Index b, Index e) {
    for (Index n = b; n < e; ++n) inv[n] = d[n] != 0.0 ? 1.0 / d[n] : 1.0;
  });
}

void JacobiPreconditioner::apply(std::span<const double> r, std::span<double> z) const {
  const double* rp = r.data();
  const double* inv = inv_diag_.data();
  double* zp = z.data();
  parallel_for_blocks(static_cast<Index>(r.size()), [&](Index b, Index e) {
    for (Index n = b; n < e; ++n) zp[n] = inv[n] * rp[n];
  });
}

KrylovSolver::KrylovSolver(SolverSettings settings, std::unique_ptr<Preconditioner> pre,
                           std::string name)
    : settings_(settings), pre_(std::move(pre)), name_(std::move(name)) {}

void KrylovSolver::release() {
  for (auto* v : {&r_, &z_, &p_, &q_}) std::vector<double>().swap(*v);
  std::vector<std::vector<double>>().swap(zs_);
  std::vector<std::vector<double>>().swap(qs_);
  pre_->release();
  prepared_ = -1;
}

SolveStats KrylovSolver::solve(const StencilSystem& A, std::span<double> h) {
  if (!keep_ || prepared_ != A.size()) {
    pre_->setup(A);
    prepared_ = A.size();
  }
  return A.symmetric() ? pcg(A, h) : gcr(A, h);
}

SolveStats KrylovSolver::pcg(const StencilSystem& A, std::span<double> h) {
  return pre_->offers_float() ? fcg<float>(A, h, true) : fcg<double>(A, h, false);
}

template <class Z> SolveStats KrylovSolver::fcg(const StencilSystem& A, std::span<double> h, bool float_z) {
  // Flexible CG (Notay's FCG(1)): beta = -(z, A p_old) / (p_old, A p_old)
  // keeps each direction A-orthogonal to the previous one even when the
  // preconditioner varies from call to call (K-cycle multigrid). With a fixed
  // SPD preconditioner it is the usual PCG.
  const Index n = A.size();
  resize_all(static_cast<std::size_t>(n), {&r_, &p_, &q_});
  if (float_z) {
    z_.clear();
    z_.shrink_to_fit();
  } else {
    z_.resize(static_cast<std::size_t>(n));
  }
  SolveStats st;
  const double bnorm = std::max(A.residual_scale > 0.0 ? A.residual_scale : norm(A.rhs), 1e-300);
  double rnorm = residual(A, h, r_);
  st.relative_residual = rnorm / bnorm;
  // A small starting residual alone does not end the solve: a first guess
  // with a smooth error (the previous step's change, say) can have a
  // residual below the tolerance and heads millimetres off. At least one
  // iteration must also show a head change within the tolerance.
  if (rnorm == 0.0) {
    st.converged = true;
    return st;
  }
  double* hp = h.data();
  double* rp = r_.data();
  double* pp = p_.data();
  double* qp = q_.data();
  const Index chunk = n < 16384 ? std::max<Index>(n, 1) : 4096;
  using Pair = std::array<double, 2>;
  auto sum2 = [](Pair a, Pair b) { return Pair{a[0] + b[0], a[1] + b[1]}; };
  double pq = 0.0;
  int restart_at = 1; // iteration of the last (re)start: no search direction to keep
  // The preconditioner's float input, filled by step_along() with the new
  // residual; r_in_ready while it holds the current r_.
  float* r_in = float_z ? pre_->float_input() : nullptr;
  bool r_in_ready = false;
  for (int it = 1; it <= settings_.max_iterations; ++it) {
    stop_if_requested("flexible CG", it);
    const Z* zp = nullptr;
    if constexpr (std::is_same_v<Z, float>) {
      zp = r_in_ready ? pre_->apply_float_input() : pre_->apply_float(r_);
    } else {
      pre_->apply(r_, z_);
      zp = z_.data();
    }
    // (z, r) and (z, q_old) in one pass, then p = z + beta p.
    const bool first = it == restart_at;
    const Pair d = parallel_reduce_chunks(
        n, chunk, Pair{0.0, 0.0},
        [&](Index lo, Index hi) {
          double s0 = 0.0, s1 = 0.0;
          for (Index i = lo; i < hi; ++i) {
            s0 += static_cast<double>(zp[i]) * rp[i];
            s1 += first ? 0.0 : static_cast<double>(zp[i]) * qp[i];
          }
          return Pair{s0, s1};
        },
        sum2);
    const double zr = d[0];
    const double beta = first ? 0.0 : -d[1] / pq;
    parallel_for_chunks(n, chunk, [&](Index lo, Index hi) {
      for (Index i = lo; i < hi; ++i) pp[i] = static_cast<double>(zp[i]) + beta * pp[i];
    });
    pq = apply_dot(A, p_, q_);
    if (!(pq > 0.0)) break; // not SPD, or breakdown
    const double alpha = zr / pq;
    const Pair u = step_along(n, chunk, alpha, pp, qp, hp, rp, r_in);
    r_in_ready = r_in != nullptr;
    rnorm = std::sqrt(u[0]);
    st.iterations = it;
    st.max_head_change = u[1];
    st.relative_residual = rnorm / bnorm;
    if (st.relative_residual <= settings_.residual_tolerance &&
        st.max_head_change <= settings_.head_tolerance) {
      // The updated residual drifts from the true one (and can underflow to
      // zero); only the true residual may end the solve. Otherwise restart
      // from it.
      const double true_relative = residual(A, h, r_) / bnorm;
      r_in_ready = false; // r_ is the true residual now
      if (true_relative <= settings_.residual_tolerance) {
        st.converged = true;
        st.relative_residual = true_relative;
        return st;
      }
      restart_at = it + 1;
    }
  }
  // Report the true residual, not the recurrence.
  st.relative_residual = residual(A, h, r_) / bnorm;
  return st;
}

SolveStats KrylovSolver::gcr(const StencilSystem& A, std::span<double> h) {
  // Restarted GCR (generalized conjugate residual, Eisenstat-Elman-Schultz):
  // each iteration applies the preconditioner and A once (BiCGSTAB twice),
  // makes A z orthogonal to the previous directions' A z (classical
  // Gram-Schmidt, one fused pass), and minimises the residual norm over the
  // directions kept. Flexible: the preconditioner may vary (K-cycle).
  const Index n = A.size();
  const auto un = static_cast<std::size_t>(n);
  resize_all(un, {&r_});
  zs_.resize(gcr_restart);
  qs_.resize(gcr_restart);
  for (int j = 0; j < gcr_restart; ++j) {
    zs_[static_cast<std::size_t>(j)].resize(un);
    qs_[static_cast<std::size_t>(j)].resize(un);
  }
  SolveStats st;
  const double bnorm = std::max(A.residual_scale > 0.0 ? A.residual_scale : norm(A.rhs), 1e-300);
  double rnorm = residual(A, h, r_);
  st.relative_residual = rnorm / bnorm;
  if (rnorm == 0.0) { // see fcg(): a small starting residual alone does not end a solve
    st.converged = true;
    return st;
  }
  const Index chunk = n < 16384 ? std::max<Index>(n, 1) : 4096;
  using Dots = std::array<double, gcr_restart>;
  std::array<double, gcr_restart> qq{}; // (q_j, q_j) of the kept directions
  double* hp = h.data();
  double* rp = r_.data();
  int k = 0; // directions kept in this cycle
  for (int it = 1; it <= settings_.max_iterations; ++it) {
    stop_if_requested("GCR", it);
    double* z = zs_[static_cast<std::size_t>(k)].data();
    double* q = qs_[static_cast<std::size_t>(k)].data();
    pre_->apply(r_, zs_[static_cast<std::size_t>(k)]);
    apply(A, zs_[static_cast<std::size_t>(k)], qs_[static_cast<std::size_t>(k)]);
    if (k > 0) {
      // beta_j = (q, q_j) / (q_j, q_j) for all kept j in one pass, then
      // q -= sum beta_j q_j and z -= sum beta_j z_j in another.
      Dots d = parallel_reduce_chunks(
          n, chunk, Dots{},
          [&](Index lo, Index hi) {
            Dots s{};
            for (int j = 0; j < k; ++j) {
              const double* qj = qs_[static_cast<std::size_t>(j)].data();
              double acc = 0.0;
              for (Index i = lo; i < hi; ++i) acc += q[i] * qj[i];
              s[static_cast<std::size_t>(j)] = acc;
            }
            return s;
          },
          [](Dots a, const Dots& b) {
            for (std::size_t j = 0; j < a.size(); ++j) a[j] += b[j];
            return a;
          });
      for (int j = 0; j < k; ++j) d[static_cast<std::size_t>(j)] /= qq[static_cast<std::size_t>(j)];
      parallel_for_chunks(n, chunk, [&](Index lo, Index hi) {
        for (int j = 0; j < k; ++j) {
          const double b = d[static_cast<std::size_t>(j)];
          const double* qj = qs_[static_cast<std::size_t>(j)].data();
          const double* zj = zs_[static_cast<std::size_t>(j)].data();
          for (Index i = lo; i < hi; ++i) {
            q[i] -= b * qj[i];
            z[i] -= b * zj[i];
          }
        }
      });
    }
    using Pair = std::array<double, 2>;
    const Pair qr = parallel_reduce_chunks(
        n, chunk, Pair{0.0, 0.0},
        [&](Index lo, Index hi) {
          double s0 = 0.0, s1 = 0.0;
          for (Index i = lo; i < hi; ++i) {
            s0 += q[i] * q[i];
            s1 += q[i] * rp[i];
          }
          return Pair{s0, s1};
        },
        [](Pair a, Pair b) { return Pair{a[0] + b[0], a[1] + b[1]}; });
    if (!(qr[0] > 0.0)) break; // breakdown: the direction adds nothing
    const double alpha = qr[1] / qr[0];
    const Pair u = step_along(n, chunk, alpha, z, q, hp, rp);
    qq[static_cast<std::size_t>(k)] = qr[0];
    k = (k + 1) % gcr_restart; // a full basis restarts the cycle
    rnorm = std::sqrt(u[0]);
    st.iterations = it;
    st.max_head_change = u[1];
    st.relative_residual = rnorm / bnorm;
    if (st.relative_residual <= settings_.residual_tolerance && st.max_head_change <= settings_.head_tolerance) {
      // As in fcg(): only the true residual may end the solve; else restart from it.
      const double true_relative = residual(A, h, r_) / bnorm;
      if (true_relative <= settings_.residual_tolerance) {
        st.converged = true;
        st.relative_residual = true_relative;
        return st;
      }
      k = 0;
    }
  }
  st.relative_residual = residual(A, h, r_) / bnorm;
  return st;
}

} // namespace gwsim
