//===- Command.h - What the driver's subcommand files share -----*- C++ -*-===//
//
// gantk.cpp holds the command line and dispatch; a subcommand that lives in a
// file of its own (EvalCommand.cpp) declares its llvm::cl::SubCommand and
// options there, in toolCategory, and reports errors with fail()/usage() so
// that every command prints the same "gantk: error: ..." line.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_TOOLS_GANTK_COMMAND_H
#define GANTK_TOOLS_GANTK_COMMAND_H

#include "gantk/runtime/ExitCode.h"

#include "llvm/Support/CommandLine.h"

#include <string>

namespace gantk {

/// The category of every gantk option (--help lists only these).
extern llvm::cl::OptionCategory toolCategory;

/// Prints "gantk: error: MESSAGE" and returns code's exit status.
int fail(ExitCode code, const std::string &message);
/// A usage error naming the command's --help.
int usage(const std::string &command, const std::string &message);

/// gantk eval (EvalCommand.cpp).
extern llvm::cl::SubCommand evalCmd;
int commandEval();

} // namespace gantk

#endif // GANTK_TOOLS_GANTK_COMMAND_H
