#include "solver/linear_solver.hpp"

#include "solver/direct.hpp"
#include "solver/krylov.hpp"
#include "solver/multigrid.hpp"

namespace gwsim {

std::unique_ptr<LinearSolver> make_solver(const SolverSettings& s) {
  switch (s.kind) {
  case SolverKind::direct: return std::make_unique<DirectSolver>();
  case SolverKind::pcg:
    return std::make_unique<KrylovSolver>(s, std::make_unique<JacobiPreconditioner>(), "pcg");
  case SolverKind::multigrid:
    return std::make_unique<KrylovSolver>(s, std::make_unique<MultigridPreconditioner>(), "multigrid");
  }
  return nullptr;
}

const char* to_string(SolverKind kind) {
  switch (kind) {
  case SolverKind::pcg: return "pcg";
  case SolverKind::direct: return "direct";
  case SolverKind::multigrid: return "multigrid";
  }
  return "?";
}

} // namespace gwsim
