//===- CommandsTest.cpp - visitCommand ------------------------------------===//
//
// Each command type reaches its own handler with its own table; type NONE,
// a type newer than the runtime and a known type without its table reach
// the UnknownCommand handler.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/Commands.h"

#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace gantk;
namespace fbs = gantk::schema;

namespace {

/// A CommandEntry alone, finished as the root of its own buffer.
class EntryBuffer {
public:
  template <typename Build> explicit EntryBuffer(Build build) {
    builder.Finish(build(builder));
  }
  const fbs::CommandEntry &entry() const {
    return *flatbuffers::GetRoot<fbs::CommandEntry>(builder.GetBufferPointer());
  }

private:
  flatbuffers::FlatBufferBuilder builder;
};

/// Names the handler that ran and what it saw.
std::string visit(const fbs::CommandEntry &entry) {
  return visitCommand(
      entry, Overloaded{[](const fbs::Gemm &g) {
                          return "gemm m " + std::to_string(g.m());
                        },
                        [](const fbs::Syevd &e) {
                          return "syevd n " + std::to_string(e.n());
                        },
                        [](const fbs::Dispatch &d) {
                          return "dispatch range " + std::to_string(d.range());
                        },
                        [](const fbs::Krylov &k) {
                          return "krylov n " + std::to_string(k.n());
                        },
                        [](const fbs::RowTiles &r) {
                          return "row tiles rows " + std::to_string(r.rows());
                        },
                        [](const fbs::DenseRanks &d) {
                          return "dense ranks n " + std::to_string(d.n());
                        },
                        [](UnknownCommand u) {
                          return "unknown " + std::to_string(int(u.type));
                        }});
}

TEST(Commands, EachTypeReachesItsHandler) {
  flatbuffers::Offset<fbs::CommandEntry> (*makers[])(
      flatbuffers::FlatBufferBuilder &) = {
      [](flatbuffers::FlatBufferBuilder &b) {
        fbs::GemmBuilder g(b);
        g.add_m(3);
        return fbs::CreateCommandEntry(b, fbs::Command::Gemm,
                                       g.Finish().Union());
      },
      [](flatbuffers::FlatBufferBuilder &b) {
        fbs::SyevdBuilder e(b);
        e.add_n(4);
        return fbs::CreateCommandEntry(b, fbs::Command::Syevd,
                                       e.Finish().Union());
      },
      [](flatbuffers::FlatBufferBuilder &b) {
        fbs::DispatchBuilder d(b);
        d.add_range(5);
        return fbs::CreateCommandEntry(b, fbs::Command::Dispatch,
                                       d.Finish().Union());
      },
      [](flatbuffers::FlatBufferBuilder &b) {
        fbs::KrylovBuilder k(b);
        k.add_n(6);
        return fbs::CreateCommandEntry(b, fbs::Command::Krylov,
                                       k.Finish().Union());
      },
      [](flatbuffers::FlatBufferBuilder &b) {
        fbs::RowTilesBuilder r(b);
        r.add_rows(7);
        return fbs::CreateCommandEntry(b, fbs::Command::RowTiles,
                                       r.Finish().Union());
      },
      [](flatbuffers::FlatBufferBuilder &b) {
        fbs::DenseRanksBuilder d(b);
        d.add_n(8);
        return fbs::CreateCommandEntry(b, fbs::Command::DenseRanks,
                                       d.Finish().Union());
      }};
  std::vector<std::string> seen;
  for (auto make : makers)
    seen.push_back(visit(EntryBuffer(make).entry()));
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "gemm m 3", "syevd n 4", "dispatch range 5", "krylov n 6",
                      "row tiles rows 7", "dense ranks n 8"}));
}

TEST(Commands, NoneIsUnknown) {
  EntryBuffer none([](flatbuffers::FlatBufferBuilder &b) {
    return fbs::CreateCommandEntry(b);
  });
  EXPECT_EQ(visit(none.entry()), "unknown 0");
}

TEST(Commands, ANewerTypeIsUnknown) {
  // A command a newer compiler might write: type 42 with some table.
  EntryBuffer newer([](flatbuffers::FlatBufferBuilder &b) {
    fbs::GemmBuilder g(b);
    return fbs::CreateCommandEntry(b, fbs::Command(42), g.Finish().Union());
  });
  EXPECT_EQ(visit(newer.entry()), "unknown 42");
}

TEST(Commands, AKnownTypeWithoutItsTableIsUnknown) {
  // The FlatBuffers verifier accepts a union type whose table is absent.
  EntryBuffer missing([](flatbuffers::FlatBufferBuilder &b) {
    return fbs::CreateCommandEntry(b, fbs::Command::Gemm, 0);
  });
  EXPECT_EQ(visit(missing.entry()), "unknown 1");
}

} // namespace
