//===- Commands.h - The one switch over an artifact's commands --*- C++ -*-===//
//
// An artifact's commands are the FlatBuffers union `Command` (Gemm, Syevd,
// Dispatch, Krylov, RowTiles, DenseRanks; runtime/schema/artifact.fbs).
// Everything that handles them (the verifier, the CPU session, the CUDA device,
// describe) goes through visitCommand, so that adding a command is one schema
// entry plus one handler in each visitor, never another switch: a visitor
// without a handler for the new command stops compiling.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_COMMANDS_H
#define GANTK_RUNTIME_COMMANDS_H

#include "artifact_generated.h"

#include <utility>

namespace gantk {

/// The command of an entry this runtime cannot run: type NONE, a union
/// member newer than this runtime, or a known type whose table is absent.
/// The FlatBuffers verifier lets all three through; the artifact verifier
/// rejects them.
struct UnknownCommand {
  schema::Command type;
};

/// Calls `visitor` with the command held by `entry` and returns what it
/// returns: `visitor(const schema::Gemm &)`, `visitor(const schema::Syevd &)`,
/// `visitor(const schema::Dispatch &)`, `visitor(const schema::Krylov &)`,
/// `visitor(const schema::RowTiles &)`, `visitor(const schema::DenseRanks &)`,
/// or `visitor(UnknownCommand{type})`
/// for any other type and for an entry without its command table. Every
/// handler's result must convert to the Gemm handler's.
///
/// A visitor has one handler per command type and one for UnknownCommand,
/// each taking that exact type: one that lacks a handler must not compile.
/// Do not give a visitor a catch-all (a template operator(), a generic
/// lambda `[](const auto &)`, a parameter that converts from several
/// commands); write the handlers that do nothing out instead, so that a new
/// command is a compile error in every visitor until it is handled there.
template <typename Visitor>
auto visitCommand(const schema::CommandEntry &entry, Visitor &&visitor)
    -> decltype(visitor(std::declval<const schema::Gemm &>())) {
  static_assert(schema::Command::MAX == schema::Command::DenseRanks,
                "a command was added to the schema: add its case here and a "
                "handler for it to every visitor");
  if (!entry.command())
    return visitor(UnknownCommand{entry.command_type()});
  switch (entry.command_type()) {
  case schema::Command::Gemm:
    return visitor(*entry.command_as_Gemm());
  case schema::Command::Syevd:
    return visitor(*entry.command_as_Syevd());
  case schema::Command::Dispatch:
    return visitor(*entry.command_as_Dispatch());
  case schema::Command::Krylov:
    return visitor(*entry.command_as_Krylov());
  case schema::Command::RowTiles:
    return visitor(*entry.command_as_RowTiles());
  case schema::Command::DenseRanks:
    return visitor(*entry.command_as_DenseRanks());
  default:
    return visitor(UnknownCommand{entry.command_type()});
  }
}

/// A visitor made of lambdas, one per command type (std::visit's
/// "overloaded"): visitCommand(entry, Overloaded{[&](const schema::Gemm &g)
/// {...}, ..., [&](UnknownCommand) {...}}).
template <typename... Handlers> struct Overloaded : Handlers... {
  using Handlers::operator()...;
};
template <typename... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;

} // namespace gantk

#endif // GANTK_RUNTIME_COMMANDS_H
