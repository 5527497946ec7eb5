#pragma once
/// Error types and checks.
///
/// User errors (bad input, a solve that does not converge, an unwritable file)
/// are always checked and become typed exceptions that the command line turns
/// into a message and a distinct exit code. Internal invariants use
/// GWSIM_ASSERT, which is compiled out of release builds.
#include <cassert>
#include <stdexcept>
#include <string>

namespace gwsim {

/// Exit codes of the `gwsim` command, one per kind of failure.
enum class ExitCode : int {
  ok = 0,
  internal = 1,     ///< a bug: an unexpected exception
  usage = 64,       ///< bad command line (EX_USAGE)
  input = 65,       ///< bad scenario or data file (EX_DATAERR)
  convergence = 70, ///< the solver did not converge
  output = 74,      ///< the result could not be written (EX_IOERR)
  interrupted = 130 ///< SIGINT/SIGTERM
};

/// Base of all gwsim errors.
class Error : public std::runtime_error {
public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
  virtual ExitCode exit_code() const { return ExitCode::internal; }
};

/// Where in an input file a value came from. Line and column are one-based;
/// zero means unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string key_path; ///< e.g. "aquifer.k[2]"
};

/// A problem with the user's input. The message reads
/// `file:line:col: key.path = value: what was expected`.
class InputError : public Error {
public:
  InputError(SourceLocation where, const std::string& message);
  ExitCode exit_code() const override { return ExitCode::input; }
  const SourceLocation& where() const { return where_; }
  const std::string& message() const { return message_; }

private:
  SourceLocation where_;
  std::string message_;
};

/// The nonlinear or linear solve failed to converge.
class ConvergenceError : public Error {
public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::convergence; }
};

/// The result file could not be written.
class OutputError : public Error {
public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::output; }
};

} // namespace gwsim

/// Debug-only invariant check (internal logic, never user input).
#define GWSIM_ASSERT(cond) assert(cond)
