#include "solver/krylov.hpp"

#include <cmath>

#include "core/parallel.hpp"

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

SolveStats KrylovSolver::solve(const StencilSystem& A, std::span<double> h) {
  pre_->setup(A);
  return A.symmetric() ? pcg(A, h) : bicgstab(A, h);
}

SolveStats KrylovSolver::pcg(const StencilSystem& A, std::span<double> h) {
  const Index n = A.size();
  resize_all(static_cast<std::size_t>(n), {&r_, &z_, &p_, &q_});
  SolveStats st;
  const double bnorm = std::max(norm(A.rhs), 1e-300);
  double rnorm = residual(A, h, r_);
  st.relative_residual = rnorm / bnorm;
  if (st.relative_residual <= settings_.residual_tolerance) {
    st.converged = true;
    return st;
  }
  pre_->apply(r_, z_);
  p_ = z_;
  double rz = dot(r_, z_);
  double* hp = h.data();
  double* rp = r_.data();
  double* pp = p_.data();
  double* qp = q_.data();
  double* zp = z_.data();
  for (int it = 1; it <= settings_.max_iterations; ++it) {
    apply(A, p_, q_);
    const double pq = dot(p_, q_);
    if (!(pq > 0.0)) break; // not SPD, or breakdown
    const double alpha = rz / pq;
    // Update h and r together and track the largest head change.
    const double dmax = parallel_max(n, [&](Index i) {
      hp[i] += alpha * pp[i];
      rp[i] -= alpha * qp[i];
      return std::abs(alpha * pp[i]);
    });
    rnorm = norm(r_);
    st.iterations = it;
    st.max_head_change = dmax;
    st.relative_residual = rnorm / bnorm;
    if (st.relative_residual <= settings_.residual_tolerance &&
        dmax <= settings_.head_tolerance) {
      st.converged = true;
      break;
    }
    pre_->apply(r_, z_);
    const double rz_new = dot(r_, z_);
    const double beta = rz_new / rz;
    rz = rz_new;
    parallel_for_blocks(n, [&](Index b, Index e) {
      for (Index i = b; i < e; ++i) pp[i] = zp[i] + beta * pp[i];
    });
  }
  // Report the true residual, not the recurrence.
  st.relative_residual = residual(A, h, r_) / bnorm;
  return st;
}

SolveStats KrylovSolver::bicgstab(const StencilSystem& A, std::span<double> h) {
  const Index n = A.size();
  resize_all(static_cast<std::size_t>(n), {&r_, &z_, &p_, &q_, &s_, &t_, &rhat_, &v_});
  SolveStats st;
  const double bnorm = std::max(norm(A.rhs), 1e-300);
  double rnorm = residual(A, h, r_);
  st.relative_residual = rnorm / bnorm;
  if (st.relative_residual <= settings_.residual_tolerance) {
    st.converged = true;
    return st;
  }
  rhat_ = r_;
  double rho = 1.0, alpha = 1.0, omega = 1.0;
  std::fill(v_.begin(), v_.end(), 0.0);
  std::fill(p_.begin(), p_.end(), 0.0);
  double *hp = h.data(), *rp = r_.data(), *pp = p_.data(), *vp = v_.data(), *sp = s_.data(),
         *tp = t_.data(), *zp = z_.data(), *qp = q_.data();
  for (int it = 1; it <= settings_.max_iterations; ++it) {
    const double rho_new = dot(rhat_, r_);
    if (rho_new == 0.0) break;
    const double beta = (rho_new / rho) * (alpha / omega);
    rho = rho_new;
    parallel_for_blocks(n, [&](Index b, Index e) {
      for (Index i = b; i < e; ++i) pp[i] = rp[i] + beta * (pp[i] - omega * vp[i]);
    });
    pre_->apply(p_, z_); // z = M^-1 p
    apply(A, z_, v_);
    alpha = rho / dot(rhat_, v_);
    parallel_for_blocks(n, [&](Index b, Index e) {
      for (Index i = b; i < e; ++i) sp[i] = rp[i] - alpha * vp[i];
    });
    pre_->apply(s_, q_); // q = M^-1 s
    apply(A, q_, t_);
    const double tt = dot(t_, t_);
    omega = tt > 0.0 ? dot(t_, s_) / tt : 0.0;
    const double dmax = parallel_max(n, [&](Index i) {
      const double dh = alpha * zp[i] + omega * qp[i];
      hp[i] += dh;
      rp[i] = sp[i] - omega * tp[i];
      return std::abs(dh);
    });
    rnorm = norm(r_);
    st.iterations = it;
    st.max_head_change = dmax;
    st.relative_residual = rnorm / bnorm;
    if (st.relative_residual <= settings_.residual_tolerance &&
        dmax <= settings_.head_tolerance) {
      st.converged = true;
      break;
    }
    if (omega == 0.0) break;
  }
  st.relative_residual = residual(A, h, r_) / bnorm;
  return st;
}

} // namespace gwsim
