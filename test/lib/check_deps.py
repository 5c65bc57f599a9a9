#!/usr/bin/env python3
"""Check that no forbidden dependency exists between the parts of gantk.

The architecture's arrows go one way (see docs/): the front end and the
compiler build on the dialect, the compiler writes the runtime's artifact
schema, and the runtime (with gantk-run) depends on nothing of MLIR/LLVM;
the driver library builds on the compiler, the front end and the runtime,
nothing below it depends on it, and the Python package reaches the rest
through it.
This script fails when an arrow that must never exist appears.

Usage:
    check_deps.py ROOT          check the source tree at ROOT
    check_deps.py --rules       print the rule table and exit

What is checked:
  * every `#include "..."` / `#include <...>` line of the *.h, *.hpp, *.cpp,
    *.c, *.cu and *.inc files under ROOT (except the top-level build*/,
    .venv*/ and test/ directories, and hidden directories at any depth).
    An include is forbidden when its path starts with the include prefix of
    a dependency (DEPENDENCIES) that a rule (RULES) forbids to the file's
    area;
  * the libraries that the CMake files (CMakeLists.txt, *.cmake) under an
    area's directory link: the arguments of target_link_libraries() and
    link_libraries(), and the LINK_LIBS / LINK_COMPONENTS sections of the
    add_*_library() / add_*_executable() / add_*_tool() calls. A library is
    forbidden when its name starts with a link prefix of a forbidden
    dependency (a LINK_COMPONENTS entry C counts as LLVM<C>). Calling a
    CMake function of MLIR's or LLVM's modules (add_mlir_*, mlir_*,
    add_llvm_*, llvm_*) counts as linking MLIR / LLVM. A rule with targets
    checks only the calls for those targets.

Output: one line per violation, sorted by file and line,
    FILE:LINE: '<include>' : <area> must not depend on <what> (<why>)
    FILE:LINE: links <name>: <area> must not depend on <what> (<why>)
    FILE:LINE: uses <function>(): <area> must not depend on <what> (<why>)
then a summary `check_deps: N files, K forbidden includes, L forbidden links`
(N counts the source and CMake files read). FILE is relative to ROOT.

Exit status: 0 no violation, 1 violations, 2 usage error or a stale rule:
one whose directory holds no source file of its kind, or whose CMake
targets no CMake file there declares (a renamed directory or target would
otherwise make its rule pass silently; the message goes to stderr).

Limits: includes are matched textually (a relative include such as
"../../compiler/include/..." or one made by a macro is not recognised), and
only direct dependencies are checked (a library linked through another
target's PUBLIC links is that target's rule's business).

Stdlib only; the lit tests run it with Debian's /usr/bin/python3 (%python).
"""

import fnmatch
import os
import re
import sys

# ---------------------------------------------------------------------------
# The rule table.
#
# DEPENDENCIES: what an area can depend on, by the include prefixes of its
# headers and the name prefixes of its CMake libraries.
DEPENDENCIES = {
    #  name            include prefixes      link-name prefixes
    "MLIR":          (("mlir/",),            ("MLIR",)),
    "LLVM":          (("llvm/",),            ("LLVM",)),
    "the dialect":   (("gantk/Dialect/",),   ("GantkDialect",)),
    "the front end": (("gantk/Frontend/",),  ("GantkFrontend",)),
    "the compiler":  (("gantk/Compiler/",),  ("GantkCompiler",)),
    "the runtime":   (("gantk/runtime/",),   ("GantkRuntime",)),
    "the driver":    (("gantk/Driver/",),    ("GantkDriver",)),
    "Python":        (("pybind11/", "Python.h"), ("pybind11", "Python")),
    # Checked by include only: GantkRuntime itself links MPI and ScaLAPACK
    # (for Comm.cpp and DenseOverRanks.cpp, which declare ScaLAPACK's
    # prototypes themselves: Debian ships no header for it).
    "MPI":           (("mpi.h", "mpif.h", "scalapack", "blacs", "pblas",
                       "PBblacs"), ()),
}

RUNTIME_WHY = ("the runtime builds with GANTK_ENABLE_COMPILER=OFF and links "
               "nothing of MLIR/LLVM")

# RULES: (area, directory, file names, CMake targets, must not depend on, why)
#   directory   the area's files are those under it (relative to ROOT);
#   file names  fnmatch patterns on the source file's base name, several
#               joined by "|", "!" in front negates them all, None: every
#               file (CMake files are always read, filtered by the targets);
#   targets     the CMake targets the link check applies to, None: every
#               target in the area's CMake files.
DRIVER_WHY = ("the driver builds on the compiler, the front end and the "
              "runtime (for the tool and the Python package), never the "
              "reverse")

RULES = [
    ("runtime", "runtime/", None, None,
     ("MLIR", "LLVM", "the compiler", "the front end", "the dialect"),
     RUNTIME_WHY),
    ("gantk-run", "tools/gantk-run/", None, None,
     ("MLIR", "LLVM", "the compiler", "the front end", "the dialect",
      "the driver"),
     "it is the runtime-only tool: " + RUNTIME_WHY),
    ("dialects", "dialects/", None, None,
     ("the compiler", "the front end", "the runtime"),
     "the dialect is the vocabulary: passes and front ends build on it, "
     "never the reverse"),

    ("compiler", "compiler/", None, None,
     ("the front end",),
     "the compiler starts from IR: the front end owns the bridge"),
    ("compiler", "compiler/", None, None,
     ("the runtime",),
     "the compiler writes the runtime's schema only: the bare include "
     "\"artifact_generated.h\""),
    ("frontend (AST)", "frontend/", "!MLIRGen*", ("GantkFrontend",),
     ("MLIR", "LLVM", "the dialect", "the compiler", "the runtime"),
     "the AST library stays MLIR-free"),
    ("frontend (MLIRGen)", "frontend/", "MLIRGen*", ("GantkFrontendMLIRGen",),
     ("the compiler", "the runtime"),
     "the bridge targets the dialect only"),
    ("runtime", "runtime/", None, None, ("the driver",), DRIVER_WHY),
    ("runtime (MPI)", "runtime/", "!Comm.cpp|DenseOverRanks.cpp", None,
     ("MPI",),
     "Comm.cpp is the one place that calls MPI (the rest of the runtime "
     "sees a Communicator) and DenseOverRanks.cpp the one that calls "
     "ScaLAPACK and BLACS"),
    ("dialects", "dialects/", None, None, ("the driver",), DRIVER_WHY),
    ("compiler", "compiler/", None, None, ("the driver",), DRIVER_WHY),
    ("frontend", "frontend/", None, None, ("the driver",), DRIVER_WHY),
    ("driver", "driver/", None, None, ("Python",),
     "the driver is the C++ library the tool and the package share: "
     "pybind11 and Python stay in python/"),
    ("python", "python/", None, None,
     ("MLIR", "LLVM", "the compiler", "the front end", "the dialect"),
     "the package calls the driver, the one way from a spec to an artifact "
     "and its results; what it needs of the rest comes through it"),
]
# ---------------------------------------------------------------------------

SOURCE_SUFFIXES = (".h", ".hpp", ".cpp", ".c", ".cu", ".inc")
SKIPPED_TOP_DIRS = ("build*", ".venv*", "test")

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"\n]+)[>"]')


def format_rules():
    """The rule table as text (for `--rules` and the docs)."""
    lines = []
    for area, directory, names, targets, deps, why in RULES:
        where = directory
        if names:
            where += ("* except " + names[1:].replace("|", ", ")) \
                if names.startswith("!") else names.replace("|", ", ")
        inc = ", ".join('"%s"' % p for d in deps for p in DEPENDENCIES[d][0])
        lnk = ", ".join(p + "*" for d in deps for p in DEPENDENCIES[d][1])
        lines.append("%s (%s): must not include %s" % (area, where, inc))
        if lnk:
            lines.append("    nor link %s%s" % (
                lnk, " (targets: %s)" % ", ".join(targets) if targets else ""))
        lines.append("    why: %s" % why)
    return "\n".join(lines)


def walk(root):
    """Yields the paths (relative to root, with /) of the files to read."""
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        rel = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        kept = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            if not rel and any(fnmatch.fnmatchcase(d, p)
                               for p in SKIPPED_TOP_DIRS):
                continue
            kept.append(d)
        dirnames[:] = kept
        for f in sorted(filenames):
            yield rel + f


def is_cmake(path):
    name = path.rsplit("/", 1)[-1]
    return name == "CMakeLists.txt" or name.endswith(".cmake")


def rules_for_source(path):
    name = path.rsplit("/", 1)[-1]
    for rule in RULES:
        _, directory, names, _, _, _ = rule
        if not path.startswith(directory):
            continue
        if names:
            negated = names.startswith("!")
            matched = any(fnmatch.fnmatchcase(name, p)
                          for p in names.lstrip("!").split("|"))
            if matched == negated:
                continue
        yield rule


def read(root, path):
    with open(os.path.join(root, path), encoding="utf-8",
              errors="replace") as f:
        return f.read()


def check_source(root, path, rules, out):
    for lineno, line in enumerate(read(root, path).splitlines(), 1):
        m = INCLUDE_RE.match(line)
        if not m:
            continue
        inc = m.group(2).strip()
        for area, _, _, _, deps, why in rules:
            for dep in deps:
                if any(inc.startswith(p) for p in DEPENDENCIES[dep][0]):
                    out.append((path, lineno, "include",
                                "%s:%d: '%s' : %s must not depend on %s (%s)"
                                % (path, lineno, inc, area, dep, why)))


# --- CMake ------------------------------------------------------------------

CMAKE_TOKEN_RE = re.compile(
    r'#\[(=*)\[.*?\]\1\]'          # bracket comment
    r'|#[^\n]*'                    # line comment
    r'|\[(=*)\[.*?\]\2\]'          # bracket argument
    r'|"(?:\\.|[^"\\])*"'          # quoted argument
    r'|[()]'
    r'|[^\s()#"]+(?:"(?:\\.|[^"\\])*"[^\s()#"]*)*',  # unquoted argument
    re.S)
CMAKE_IDENT_RE = re.compile(r'[A-Za-z_][A-Za-z0-9_]*$')
LINK_SECTION_KEYWORDS = ("LINK_LIBS", "LINK_COMPONENTS")
# Keywords that end a LINK_LIBS / LINK_COMPONENTS section of add_*() calls.
OTHER_KEYWORDS = (
    "DEPENDS", "ADDITIONAL_HEADER_DIRS", "ADDITIONAL_HEADERS",
    "EXCLUDE_FROM_LIBMLIR", "DISABLE_INSTALL", "PARTIAL_SOURCES_INTENDED",
    "ENABLE_AGGREGATION", "OBJECT", "SHARED", "STATIC", "MODULE", "INTERFACE",
    "BUILDTREE_ONLY", "DISABLE_LLVM_LINK_LLVM_DYLIB", "MLIR_LIBS",
    "SOURCES", "EXPORT_NAME", "OUTPUT_NAME")
LINK_SCOPE_KEYWORDS = ("PUBLIC", "PRIVATE", "INTERFACE", "LINK_PUBLIC",
                       "LINK_PRIVATE", "LINK_INTERFACE_LIBRARIES", "debug",
                       "optimized", "general")


def cmake_calls(text):
    """Yields (name, [(arg, line)]) for each command call of a CMake file."""
    tokens = []
    for m in CMAKE_TOKEN_RE.finditer(text):
        tok = m.group(0)
        if tok.startswith("#"):
            continue
        tokens.append((tok, text.count("\n", 0, m.start()) + 1))
    i = 0
    while i < len(tokens):
        tok, _ = tokens[i]
        if (CMAKE_IDENT_RE.match(tok) and i + 1 < len(tokens)
                and tokens[i + 1][0] == "("):
            depth, j, args = 1, i + 2, []
            while j < len(tokens) and depth:
                t = tokens[j]
                if t[0] == "(":
                    depth += 1
                elif t[0] == ")":
                    depth -= 1
                if depth:
                    args.append(t)
                j += 1
            yield tok.lower(), args
            i = j
        else:
            i += 1


def linked_names(name, args):
    """(target or None, [(library, line)]) of one call, or None."""
    def plain(a):
        return [(t, l) for t, l in a if t not in ("(", ")")]
    if name == "target_link_libraries" and args:
        return args[0][0], [(t, l) for t, l in plain(args[1:])
                            if t not in LINK_SCOPE_KEYWORDS]
    if name == "link_libraries":
        return None, plain(args)
    if (name.startswith("add_") and args and
            (name.endswith("library") or name.endswith("executable")
             or name.endswith("tool"))):
        libs, section = [], None
        for t, l in plain(args[1:]):
            if t in LINK_SECTION_KEYWORDS:
                section = t
            elif t in OTHER_KEYWORDS and t not in LINK_SCOPE_KEYWORDS:
                section = None
            elif section and t not in LINK_SCOPE_KEYWORDS:
                libs.append(("LLVM" + t if section == "LINK_COMPONENTS"
                             else t, l))
        return args[0][0], libs
    return None


def link_matches(lib, prefix):
    """Whether the library name (or a variable in it) starts with prefix."""
    return re.search(r'(?<![A-Za-z0-9_])' + re.escape(prefix), lib) is not None


# CMake functions that only exist where MLIR/LLVM's CMake modules are loaded
# (and link their libraries): calling one is a dependency too.
CMAKE_FUNCTION_DEPS = (("add_mlir_", "MLIR"), ("mlir_", "MLIR"),
                       ("add_llvm_", "LLVM"), ("llvm_", "LLVM"))


def check_cmake(root, path, out, declared):
    """Checks one CMake file; adds the targets it declares to declared."""
    rules = [r for r in RULES if path.startswith(r[1])]
    if not rules:
        return
    for name, args in cmake_calls(read(root, path)):
        found = linked_names(name, args)
        declares = (found[0].strip('"') if found and name.startswith("add_")
                    else None)
        if declares:
            declared.add(declares)
        for prefix, dep in CMAKE_FUNCTION_DEPS:
            if not name.startswith(prefix):
                continue
            for area, _, _, targets, deps, why in rules:
                if targets and declares not in targets:
                    continue
                if dep in deps:
                    lineno = args[0][1] if args else 0
                    out.append((path, lineno, "link",
                                "%s:%d: uses %s(): %s must not depend on %s "
                                "(%s)" % (path, lineno, name, area, dep, why)))
            break
        if not found:
            continue
        target, libs = found
        target = target.strip('"') if target else None
        for area, _, _, targets, deps, why in rules:
            if targets and target not in targets:
                continue
            for lib, lineno in libs:
                lib = lib.strip('"')
                for dep in deps:
                    if any(link_matches(lib, p)
                           for p in DEPENDENCIES[dep][1]):
                        out.append((path, lineno, "link",
                                    "%s:%d: links %s: %s must not depend "
                                    "on %s (%s)" % (path, lineno, lib, area,
                                                    dep, why)))


def main(argv):
    if argv[1:] == ["--rules"]:
        print(format_rules())
        return 0
    if len(argv) != 2 or argv[1].startswith("-"):
        print("usage: check_deps.py ROOT | --rules", file=sys.stderr)
        return 2
    root = argv[1]
    if not os.path.isdir(root):
        print("check_deps: %s: not a directory" % root, file=sys.stderr)
        return 2

    out, nfiles, used, declared = [], 0, set(), set()
    for path in walk(root):
        if path.endswith(SOURCE_SUFFIXES):
            nfiles += 1
            rules = list(rules_for_source(path))
            used.update(id(r) for r in rules)
            check_source(root, path, rules, out)
        elif is_cmake(path):
            nfiles += 1
            check_cmake(root, path, out, declared)

    # A rule that matches nothing would pass silently forever: a directory
    # or a CMake target was renamed, or ROOT is not the gantk tree.
    stale = []
    for area, directory, names, targets, _, _ in RULES:
        rule = (area, directory, names, targets)
        if not any(id(r) in used for r in RULES if r[:4] == rule):
            what = "no source file under %s%s" % (
                directory, "" if not names else
                " except " + names[1:].replace("|", ", ")
                if names.startswith("!") else
                " named " + names.replace("|", ", "))
        elif targets and not declared.intersection(targets):
            what = "no CMake file under %s declares %s" % (
                directory, " or ".join(targets))
        else:
            continue
        msg = "check_deps: %s: rule '%s' matches %s (renamed?)" % (
            root, area, what)
        if msg not in stale:
            stale.append(msg)
    for msg in stale:
        print(msg, file=sys.stderr)
    if stale:
        return 2

    # One line per (file, line, message): two rules of one area may not
    # report the same include twice.
    seen, lines = set(), []
    for path, lineno, _, msg in sorted(out):
        if msg not in seen:
            seen.add(msg)
            lines.append(msg)
    for msg in lines:
        print(msg)
    nincludes = len({m for p, l, k, m in out if k == "include"})
    nlinks = len({m for p, l, k, m in out if k == "link"})
    print("check_deps: %d files, %d forbidden includes, %d forbidden links"
          % (nfiles, nincludes, nlinks))
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
