//===- Parser.cpp - gantk DSL parser and checker --------------------------===//
//
// Two steps per block: the syntax (statements and call arguments) is parsed
// into untyped `Value`s, then each block gives them meaning, type and range
// checks, writing the AST. Blocks are checked as soon as they are parsed so
// that errors come out in source order. Parsing stops at the first error.
//
//===----------------------------------------------------------------------===//

#include "gantk/Frontend/Parser.h"

#include "gantk/Frontend/Diagnostic.h"
#include "gantk/Frontend/Lexer.h"

#include <cmath>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <functional>
#include <sstream>
#include <utility>

using namespace gantk;

namespace {

struct Arg;

/// A right-hand side or call argument as written, before it has a meaning.
struct Value {
  enum class Kind { Number, String, Identifier, Call, List };
  Kind kind = Kind::Number;
  int line = 0, col = 0;
  /// How the value is shown in messages ("1.5", "\"a\"", "gd(...)").
  std::string spelling;
  /// Identifier or call name; string contents.
  std::string text;
  double number = 0;
  bool isInteger = false;
  int64_t integer = 0;
  std::vector<Arg> args;       // Call
  std::vector<Value> elements; // List
};

/// One call argument; `name` is empty for a positional one.
struct Arg {
  std::string name;
  int line = 0, col = 0;
  Value value;
};

/// `name = value [modifier]` in a block.
struct Statement {
  std::string name;
  int line = 0, col = 0;
  Value value;
  /// A trailing name, as in `lambda = 1000 normalized`.
  std::optional<Token> modifier;
};

/// Statements of one block, looked up by name once parsed.
struct StatementList {
  std::vector<Statement> statements;

  const Statement *find(const char *name) const {
    for (const Statement &s : statements)
      if (s.name == name)
        return &s;
    return nullptr;
  }
  const Value *get(const char *name) const {
    const Statement *s = find(name);
    return s ? &s->value : nullptr;
  }
};

} // namespace

/// Joins names into "a, b, c" for "expected ..." hints.
static std::string joinNames(const std::vector<const char *> &names) {
  std::string out;
  for (const char *name : names) {
    if (!out.empty())
      out += ", ";
    out += name;
  }
  return out;
}

static bool contains(const std::vector<const char *> &names,
                     const std::string &s) {
  for (const char *name : names)
    if (s == name)
      return true;
  return false;
}

/// Shows a token in "found X" messages.
static std::string describe(const Token &tok) {
  switch (tok.kind) {
  case Token::Kind::Identifier:
  case Token::Kind::Number:
    return "'" + tok.text + "'";
  case Token::Kind::String:
    return "string \"" + tok.text + "\"";
  default:
    return getTokenKindName(tok.kind);
  }
}

static std::string locString(int line, int col) {
  return std::to_string(line) + ":" + std::to_string(col);
}

/// Resolves a relative data path against the directory of the spec file.
static std::string resolvePath(const std::string &path,
                               const std::string &specFile) {
  std::filesystem::path p(path);
  if (p.is_absolute())
    return path;
  std::filesystem::path dir = std::filesystem::path(specFile).parent_path();
  if (dir.empty())
    return p.lexically_normal().string();
  return (dir / p).lexically_normal().string();
}

namespace {

/// How a layer argument is checked.
enum class ArgRule {
  Any,
  Positive,
  NonNegative,
  Width,   // an integer >= 1, accepted and ignored
  Size2,   // [a, b], integers >= 1
  Padding, // same | valid | circular
  PoolPadding, // same | valid
};

/// One argument of a layer: its spec name, the op attribute it sets (null:
/// accepted and ignored, like a dense width) and its default.
struct LayerArg {
  const char *name;
  const char *attr;
  double defaultValue;
  ArgRule rule;
  /// Size2: the default ([] and no `sameAs`: the argument is required).
  std::vector<int64_t> defaultSize = {};
  /// Size2: defaults to the value of this argument instead.
  const char *sameAs = nullptr;
  /// Padding: the default keyword.
  const char *defaultKeyword = nullptr;
};

/// What a layer does to the state, for the spec's structural rules.
enum class Role {
  Affine,       // dense, conv: Gaussian output
  Nonlinearity, // needs a Gaussian input
  Flatten,      // maps → vectors; output not Gaussian
  Input,        // acts on the input images (avg_pool): must come first
};

/// One layer of the spec language and the gantk op it builds.
struct LayerKind {
  const char *name;
  const char *op;
  Role role;
  std::vector<LayerArg> args;
  /// The first `numPositional` arguments may be given by position.
  size_t numPositional;
  /// Attributes of the op that the spec does not set.
  std::vector<std::pair<const char *, double>> fixed;
  /// Set for a layer that is recognised but not supported: the error.
  const char *unsupported = nullptr;
};

/// The layers of the spec language. A new layer is one entry here plus its
/// op (with its pair rule) in the gantk dialect.
const std::vector<LayerKind> &layerTable() {
  static const std::vector<LayerKind> table = {
      {"dense",
       "gantk.dense",
       Role::Affine,
       {{"width", nullptr, 0, ArgRule::Width},
        {"w_std", "w_std", 1, ArgRule::Positive},
        {"b_std", "b_std", 0, ArgRule::NonNegative}},
       1,
       {}},
      {"conv",
       "gantk.conv",
       Role::Affine,
       {{"filters", nullptr, 0, ArgRule::Width},
        {"kernel", "kernel", 0, ArgRule::Size2},
        {"stride", "stride", 0, ArgRule::Size2, {1, 1}},
        {"padding", "padding", 0, ArgRule::Padding, {}, nullptr, "valid"},
        {"w_std", "w_std", 1, ArgRule::Positive},
        {"b_std", "b_std", 0, ArgRule::NonNegative}},
       1,
       {}},
      {"flatten", "gantk.flatten", Role::Flatten, {}, 0, {}},
      {"avg_pool",
       "gantk.avg_pool",
       Role::Input,
       {{"window", "window", 0, ArgRule::Size2},
        {"stride", "stride", 0, ArgRule::Size2, {}, "window"},
        {"padding", "padding", 0, ArgRule::PoolPadding, {}, nullptr, "valid"}},
       0,
       {}},
      {"global_avg_pool", nullptr, Role::Flatten, {}, 0, {},
       "'global_avg_pool' is not supported yet: pooling inside the network "
       "needs the full (H*W)^2 covariance of every pair; use flatten (or "
       "avg_pool on the input images)"},
      {"relu", "gantk.abrelu", Role::Nonlinearity, {}, 0, {{"a", 0}, {"b", 1}}},
      {"leaky_relu",
       "gantk.abrelu",
       Role::Nonlinearity,
       {{"alpha", "a", 0.01, ArgRule::Any}},
       0,
       {{"b", 1}}},
      {"abs", "gantk.abrelu", Role::Nonlinearity, {}, 0, {{"a", -1}, {"b", 1}}},
      {"erf",
       "gantk.erf",
       Role::Nonlinearity,
       {{"a", "a", 1, ArgRule::Any},
        {"b", "b", 1, ArgRule::Any},
        {"c", "c", 0, ArgRule::Any}},
       0,
       {}},
      {"gelu", "gantk.gelu", Role::Nonlinearity, {}, 0, {}},
      {"sin",
       "gantk.sin",
       Role::Nonlinearity,
       {{"a", "a", 1, ArgRule::Any},
        {"b", "b", 1, ArgRule::Any},
        {"c", "c", 0, ArgRule::Any}},
       0,
       {}},
  };
  return table;
}

/// How deep repeat blocks may nest: deeper specs are certainly mistakes, and
/// the parser recurses once per level.
constexpr int kMaxRepeatDepth = 16;

/// The widest generator layer (and latent): θ's size stays far from any
/// integer limit, and a typo of a few digits is caught here.
constexpr int64_t kMaxGeneratorWidth = 1 << 16;

/// How deep lists and calls may nest in a value (`[[1, 2], [3, 4]]` is 2
/// deep; no statement or layer needs more than 3): the parser recurses once
/// per level, and a spec of 100000 '[' must be an error, not a stack
/// overflow.
constexpr int kMaxValueDepth = 64;

/// One accepted name of an enumerated statement value.
template <typename E> struct EnumCase {
  const char *name;
  E value;
};

class Parser {
public:
  Parser(std::string_view text, const std::string &fileName,
         DiagnosticEmitter &diag)
      : lexer(text), fileName(fileName), diag(diag) {
    consume();
  }

  /// Parses and checks the whole spec.
  std::optional<ast::Module> parseModule();

private:
  //===--- Tokens and errors ---------------------------------------------===//

  /// Moves to the next token. A lexical error is reported here and the rest
  /// of the input is treated as its end.
  void consume();
  /// Returns the token after the current one without consuming anything.
  const Token &peekNext();
  /// Reports an error (only the first one of a spec is shown) and returns
  /// false so callers can `return emitError(...)`.
  bool emitError(int line, int col, const std::string &message);
  bool emitError(const Value &v, const std::string &message) {
    return emitError(v.line, v.col, message);
  }
  /// Consumes a token of `kind` or reports "expected K <context>, found X".
  bool expect(Token::Kind kind, const std::string &context);
  void skipSeparators();
  bool isSeparator() const {
    return tok.is(Token::Kind::Newline) || tok.is(Token::Kind::Semicolon);
  }
  ast::Location makeLoc(int line, int col) const {
    return ast::Location{fileName, line, col};
  }

  //===--- Syntax ---------------------------------------------------------===//

  bool parseValue(Value &out);
  bool parseCallArgs(Value &call);
  bool parseList(Value &list);
  /// Parses `{ name = value ... }` after a block name, accepting statement
  /// `names`; `modifierNames` may carry a trailing name.
  bool parseStatements(const Token &blockTok,
                       const std::vector<const char *> &names,
                       const std::vector<const char *> &modifierNames,
                       StatementList &out);
  /// Parses `{ layer ... }` of the discriminator (or of a repeat block
  /// `depth` deep) into checked layers.
  bool parseLayerList(const Token &blockTok, std::vector<ast::Layer> &out,
                      int depth = 0);

  //===--- Meaning --------------------------------------------------------===//

  bool buildData(const Token &blockTok, const StatementList &stmts,
                 ast::Data &data);
  bool buildSource(const Value &v, ast::DataSource &src);
  bool buildLayer(const Value &v, ast::Layer &layer);
  /// `repeat(k)` (its body follows).
  bool buildRepeat(const Value &v, ast::Layer &layer);
  /// The Gaussian-input rule and the final dense of a checked layer list.
  bool checkLayers(const Token &blockTok, const std::vector<ast::Layer> &layers);
  bool parseDiscriminatorHeader(const ast::Module &module,
                                ast::Discriminator &out);
  /// `generator(latent: l)` and its `{ dense(w) [activation] ... }`.
  bool parseGeneratorHeader(ast::Generator &out);
  bool parseGeneratorLayers(const Token &blockTok, ast::Generator &out);
  bool buildObjective(const StatementList &stmts, ast::Objective &obj);
  bool buildTrain(const StatementList &stmts, ast::Train &train);
  bool buildOptimizer(const Value &v, ast::Optimizer &opt);
  bool buildOutput(const StatementList &stmts, ast::Output &out);

  /// Matches the arguments of call (or bare name) `v` against `params`, the
  /// first `numPositional` of which may also be given by position. Fills
  /// `bound` with one entry per parameter (null when not given).
  bool bindArgs(const Value &v, const std::vector<const char *> &params,
                size_t numPositional, std::vector<const Value *> &bound);

  /// Typed reads of an optional value; a null `v` leaves `out` unchanged.
  bool getNumber(const Value *v, const char *what, double &out);
  bool getInteger(const Value *v, const char *what, int64_t &out);
  bool getModifier(const Statement *stmt, const char *allowed, bool &out);
  bool getString(const Value *v, const char *what, std::string &out);
  template <typename E>
  bool getEnum(const Value *v, const char *what,
               const std::vector<EnumCase<E>> &cases, E &out);
  /// Reads [lo, hi] for `clip`.
  bool getClip(const Value *v, ast::Optimizer &opt);
  /// Reads [a, b] of integers >= 1 (a window, a stride).
  bool getSize2(const Value *v, const char *what, std::vector<int64_t> &out);

  /// Reports "'what' must be <rule>, found X" at `v` unless `ok`.
  bool checkRange(bool ok, const Value *v, const char *what, const char *rule);

  Lexer lexer;
  Token tok;
  /// The lists and calls open around the value being parsed.
  int valueDepth = 0;
  std::optional<Token> lookahead;
  std::string fileName;
  DiagnosticEmitter &diag;
};

} // namespace

//===----------------------------------------------------------------------===//
// Tokens and errors
//===----------------------------------------------------------------------===//

void Parser::consume() {
  if (tok.is(Token::Kind::Eof) && diag.hadError())
    return;
  if (lookahead) {
    tok = std::move(*lookahead);
    lookahead.reset();
  } else {
    tok = lexer.next();
  }
  if (tok.is(Token::Kind::Error)) {
    emitError(tok.line, tok.col, tok.text);
    tok.kind = Token::Kind::Eof;
  }
}

const Token &Parser::peekNext() {
  if (!lookahead)
    lookahead = lexer.next();
  return *lookahead;
}

bool Parser::emitError(int line, int col, const std::string &message) {
  if (!diag.hadError())
    diag.error(line, col, message);
  return false;
}

bool Parser::expect(Token::Kind kind, const std::string &context) {
  if (tok.is(kind)) {
    consume();
    return true;
  }
  return emitError(tok.line, tok.col,
                   std::string("expected ") + getTokenKindName(kind) + " " +
                       context + ", found " + describe(tok));
}

void Parser::skipSeparators() {
  while (isSeparator())
    consume();
}

//===----------------------------------------------------------------------===//
// Syntax
//===----------------------------------------------------------------------===//

bool Parser::parseValue(Value &out) {
  out.line = tok.line;
  out.col = tok.col;
  switch (tok.kind) {
  case Token::Kind::Number:
    out.kind = Value::Kind::Number;
    out.spelling = tok.text;
    out.number = tok.number;
    out.isInteger = tok.isInteger;
    out.integer = tok.integer;
    consume();
    return true;
  case Token::Kind::String:
    out.kind = Value::Kind::String;
    out.text = tok.text;
    out.spelling = "\"" + tok.text + "\"";
    consume();
    return true;
  case Token::Kind::Identifier:
    out.text = tok.text;
    out.spelling = tok.text;
    consume();
    if (!tok.is(Token::Kind::LParen)) {
      out.kind = Value::Kind::Identifier;
      return true;
    }
    out.kind = Value::Kind::Call;
    out.spelling += "(...)";
    break;
  case Token::Kind::LBracket:
    out.kind = Value::Kind::List;
    out.spelling = "[...]";
    break;
  default:
    return emitError(tok.line, tok.col,
                     "expected a value, found " + describe(tok));
  }
  // A call or a list: its elements are values, one level deeper.
  if (valueDepth >= kMaxValueDepth)
    return emitError(out.line, out.col,
                     "lists and calls nest more than " +
                         std::to_string(kMaxValueDepth) + " deep");
  ++valueDepth;
  bool ok = out.kind == Value::Kind::Call ? parseCallArgs(out)
                                          : parseList(out);
  --valueDepth;
  return ok;
}

bool Parser::parseCallArgs(Value &call) {
  consume(); // '('
  bool sawNamed = false;
  while (!tok.is(Token::Kind::RParen)) {
    Arg arg;
    arg.line = tok.line;
    arg.col = tok.col;
    if (tok.is(Token::Kind::Identifier) && peekNext().is(Token::Kind::Colon)) {
      arg.name = tok.text;
      consume();
      consume(); // ':'
      sawNamed = true;
    } else if (sawNamed) {
      return emitError(tok.line, tok.col,
                       "positional argument after named arguments in call "
                       "to '" +
                           call.text + "'");
    }
    if (!parseValue(arg.value))
      return false;
    call.args.push_back(std::move(arg));
    if (tok.is(Token::Kind::Comma)) {
      consume();
      continue;
    }
    if (!tok.is(Token::Kind::RParen))
      return emitError(tok.line, tok.col,
                       "expected ',' or ')' in call to '" + call.text +
                           "', found " + describe(tok));
  }
  consume(); // ')'
  return true;
}

bool Parser::parseList(Value &list) {
  consume(); // '['
  while (!tok.is(Token::Kind::RBracket)) {
    Value element;
    if (!parseValue(element))
      return false;
    list.elements.push_back(std::move(element));
    if (tok.is(Token::Kind::Comma)) {
      consume();
      continue;
    }
    if (!tok.is(Token::Kind::RBracket))
      return emitError(tok.line, tok.col,
                       "expected ',' or ']' in list, found " + describe(tok));
  }
  consume(); // ']'
  return true;
}

bool Parser::parseStatements(const Token &blockTok,
                             const std::vector<const char *> &names,
                             const std::vector<const char *> &modifierNames,
                             StatementList &out) {
  const std::string &block = blockTok.text;
  while (true) {
    skipSeparators();
    if (tok.is(Token::Kind::RBrace)) {
      consume();
      return true;
    }
    if (tok.is(Token::Kind::Eof))
      return emitError(tok.line, tok.col,
                       "expected '}' to close the '" + block +
                           "' block opened at " +
                           locString(blockTok.line, blockTok.col));
    if (!tok.is(Token::Kind::Identifier))
      return emitError(tok.line, tok.col,
                       "expected a statement in the '" + block +
                           "' block, found " + describe(tok));
    if (!contains(names, tok.text))
      return emitError(tok.line, tok.col,
                       "unknown statement '" + tok.text + "' in the '" + block +
                           "' block (expected " + joinNames(names) + ")");
    if (const Statement *first = out.find(tok.text.c_str()))
      return emitError(tok.line, tok.col,
                       "duplicate statement '" + tok.text + "' in the '" +
                           block + "' block (first set at " +
                           locString(first->line, first->col) + ")");

    Statement stmt;
    stmt.name = tok.text;
    stmt.line = tok.line;
    stmt.col = tok.col;
    consume();
    if (!expect(Token::Kind::Equal, "after '" + stmt.name + "'") ||
        !parseValue(stmt.value))
      return false;
    if (tok.is(Token::Kind::Identifier) && contains(modifierNames, stmt.name)) {
      stmt.modifier = tok;
      consume();
    }
    if (!isSeparator() && !tok.is(Token::Kind::RBrace) &&
        !tok.is(Token::Kind::Eof))
      return emitError(tok.line, tok.col,
                       "expected end of line or ';' after the value of '" +
                           stmt.name + "', found " + describe(tok));
    out.statements.push_back(std::move(stmt));
  }
}

bool Parser::parseLayerList(const Token &blockTok,
                            std::vector<ast::Layer> &out, int depth) {
  while (true) {
    skipSeparators();
    if (tok.is(Token::Kind::RBrace)) {
      consume();
      return true;
    }
    if (tok.is(Token::Kind::Eof))
      return emitError(tok.line, tok.col,
                       "expected '}' to close the '" + blockTok.text +
                           "' block opened at " +
                           locString(blockTok.line, blockTok.col));
    if (!tok.is(Token::Kind::Identifier))
      return emitError(tok.line, tok.col,
                       "expected a layer, found " + describe(tok));
    Value value;
    if (!parseValue(value))
      return false;
    ast::Layer layer;
    if (value.text == "repeat") {
      // repeat(k) { layers }
      if (depth + 1 > kMaxRepeatDepth)
        return emitError(value, "repeat blocks nest more than " +
                                    std::to_string(kMaxRepeatDepth) +
                                    " deep");
      Token repeatTok = tok;
      repeatTok.text = "repeat";
      repeatTok.line = value.line;
      repeatTok.col = value.col;
      if (!buildRepeat(value, layer) ||
          !expect(Token::Kind::LBrace, "after 'repeat(...)'") ||
          !parseLayerList(repeatTok, layer.body, depth + 1))
        return false;
      if (layer.body.empty())
        return emitError(value, "the repeat block has no layers");
    } else if (!buildLayer(value, layer)) {
      return false;
    }
    if (!isSeparator() && !tok.is(Token::Kind::RBrace) &&
        !tok.is(Token::Kind::Eof))
      return emitError(tok.line, tok.col,
                       "expected end of line or ';' after layer '" +
                           value.text + "', found " + describe(tok));
    out.push_back(std::move(layer));
  }
}

std::optional<ast::Module> Parser::parseModule() {
  static const std::vector<const char *> blockNames = {
      "data", "discriminator", "generator", "objective", "train", "output"};
  ast::Module module;
  module.file = fileName;
  // Omitted optional blocks keep their defaults and have no location.
  module.objective.loc = makeLoc(0, 0);
  module.train.loc = makeLoc(0, 0);
  module.train.optimizer.loc = makeLoc(0, 0);
  module.output.loc = makeLoc(0, 0);

  std::vector<Token> seen;
  while (true) {
    skipSeparators();
    if (tok.is(Token::Kind::Eof))
      break;
    if (!tok.is(Token::Kind::Identifier)) {
      emitError(tok.line, tok.col,
                "expected a block (" + joinNames(blockNames) + "), found " +
                    describe(tok));
      return std::nullopt;
    }
    if (!contains(blockNames, tok.text)) {
      emitError(tok.line, tok.col,
                "unknown block '" + tok.text + "' (expected " +
                    joinNames(blockNames) + ")");
      return std::nullopt;
    }
    for (const Token &first : seen)
      if (first.text == tok.text && tok.text != "discriminator") {
        emitError(tok.line, tok.col,
                  "duplicate '" + tok.text + "' block (first at " +
                      locString(first.line, first.col) + ")");
        return std::nullopt;
      }
    Token blockTok = tok;
    seen.push_back(blockTok);
    consume();
    ast::Discriminator discriminator;
    discriminator.loc = makeLoc(blockTok.line, blockTok.col);
    if (blockTok.text == "discriminator" &&
        !parseDiscriminatorHeader(module, discriminator))
      return std::nullopt;
    ast::Generator generator;
    generator.loc = discriminator.loc;
    if (blockTok.text == "generator" && !parseGeneratorHeader(generator))
      return std::nullopt;
    skipSeparators();
    if (!expect(Token::Kind::LBrace, "after '" + blockTok.text + "'"))
      return std::nullopt;

    const std::string &name = blockTok.text;
    bool ok;
    if (name == "discriminator") {
      ok = parseLayerList(blockTok, discriminator.layers) &&
           checkLayers(blockTok, discriminator.layers);
      module.discriminators.push_back(std::move(discriminator));
    } else if (name == "generator") {
      ok = parseGeneratorLayers(blockTok, generator);
      module.generator = std::move(generator);
    } else {
      StatementList stmts;
      if (name == "data") {
        ok =
            parseStatements(blockTok, {"real", "n", "m", "scale"}, {}, stmts) &&
            buildData(blockTok, stmts, module.data);
      } else if (name == "objective") {
        module.objective.loc = makeLoc(blockTok.line, blockTok.col);
        ok = parseStatements(blockTok,
                             {"lambda", "loss", "eig_reg", "solver", "tol",
                              "max_iter", "batch"},
                             {"lambda", "batch"}, stmts) &&
             buildObjective(stmts, module.objective);
      } else if (name == "train") {
        module.train.loc = makeLoc(blockTok.line, blockTok.col);
        ok = parseStatements(
                 blockTok, {"optimizer", "steps", "seed", "precision", "init",
                  "memory_budget"},
                 {}, stmts) &&
             buildTrain(stmts, module.train);
      } else {
        module.output.loc = makeLoc(blockTok.line, blockTok.col);
        ok = parseStatements(blockTok, {"dir", "plot", "every", "checkpoint_every"}, {}, stmts) &&
             buildOutput(stmts, module.output);
      }
    }
    if (!ok)
      return std::nullopt;
  }

  for (const char *required : {"data", "discriminator"}) {
    bool found = false;
    for (const Token &t : seen)
      found |= t.text == required;
    if (!found) {
      emitError(tok.line, tok.col,
                std::string("missing required '") + required + "' block");
      return std::nullopt;
    }
  }
  // The optimiser moves θ, not the points: a box on θ means nothing.
  const ast::Optimizer &opt = module.train.optimizer;
  if (module.generator && opt.clip) {
    emitError(opt.loc.line, opt.loc.col,
              "'clip' bounds the generated points, but with a generator the "
              "optimiser moves its weights; bound the points with a sigmoid "
              "or tanh last layer instead");
    return std::nullopt;
  }
  // A lexical error turns the rest of the input into its end: fail anyway.
  if (diag.hadError())
    return std::nullopt;
  return module;
}

//===----------------------------------------------------------------------===//
// Typed reads
//===----------------------------------------------------------------------===//

bool Parser::getNumber(const Value *v, const char *what, double &out) {
  if (!v)
    return true;
  if (v->kind != Value::Kind::Number)
    return emitError(*v, std::string("expected a number for '") + what +
                             "', found '" + v->spelling + "'");
  out = v->number;
  return true;
}

bool Parser::getInteger(const Value *v, const char *what, int64_t &out) {
  if (!v)
    return true;
  if (v->kind != Value::Kind::Number || !v->isInteger)
    return emitError(*v, std::string("expected an integer for '") + what +
                             "', found '" + v->spelling + "'");
  out = v->integer;
  return true;
}

/// A statement's trailing name (`lambda = 1000 normalized`): `out` is set
/// when it is `allowed`; any other name is an error.
bool Parser::getModifier(const Statement *stmt, const char *allowed,
                         bool &out) {
  if (!stmt || !stmt->modifier)
    return true;
  const Token &mod = *stmt->modifier;
  if (mod.text != allowed)
    return emitError(mod.line, mod.col,
                     "unknown " + stmt->name + " modifier '" + mod.text +
                         "' (expected " + allowed + ")");
  out = true;
  return true;
}

bool Parser::getString(const Value *v, const char *what, std::string &out) {
  if (!v)
    return true;
  if (v->kind != Value::Kind::String)
    return emitError(*v, std::string("expected a string for '") + what +
                             "', found '" + v->spelling + "'");
  if (v->text.empty())
    return emitError(*v, std::string("'") + what + "' must not be empty");
  out = v->text;
  return true;
}

template <typename E>
bool Parser::getEnum(const Value *v, const char *what,
                     const std::vector<EnumCase<E>> &cases, E &out) {
  if (!v)
    return true;
  std::vector<const char *> names;
  for (const EnumCase<E> &c : cases)
    names.push_back(c.name);
  if (v->kind != Value::Kind::Identifier)
    return emitError(*v, std::string("expected one of ") + joinNames(names) +
                             " for '" + what + "', found '" + v->spelling +
                             "'");
  for (const EnumCase<E> &c : cases) {
    if (v->text == c.name) {
      out = c.value;
      return true;
    }
  }
  return emitError(*v, std::string("unknown ") + what + " '" + v->text +
                           "' (expected " + joinNames(names) + ")");
}

bool Parser::checkRange(bool ok, const Value *v, const char *what,
                        const char *rule) {
  if (ok || !v)
    return true;
  return emitError(*v, std::string("'") + what + "' must be " + rule +
                           ", found " + v->spelling);
}

bool Parser::bindArgs(const Value &v, const std::vector<const char *> &params,
                      size_t numPositional, std::vector<const Value *> &bound) {
  bound.assign(params.size(), nullptr);
  size_t position = 0;
  for (const Arg &arg : v.args) {
    size_t index;
    if (arg.name.empty()) {
      if (position >= numPositional) {
        if (numPositional == 0)
          return emitError(
              arg.line, arg.col,
              "'" + v.text + "' takes no positional arguments" +
                  (params.empty() ? std::string()
                                  : " (name them: " + joinNames(params) + ")"));
        return emitError(arg.line, arg.col,
                         "too many positional arguments to '" + v.text +
                             "' (expected at most " +
                             std::to_string(numPositional) + ")");
      }
      index = position++;
    } else {
      index = params.size();
      for (size_t i = 0; i < params.size(); ++i)
        if (arg.name == params[i])
          index = i;
      if (index == params.size())
        return emitError(
            arg.line, arg.col,
            "unknown argument '" + arg.name + "' to '" + v.text + "'" +
                (params.empty() ? std::string(" (it takes no arguments)")
                                : " (expected " + joinNames(params) + ")"));
    }
    if (bound[index])
      return emitError(arg.line, arg.col,
                       std::string("duplicate argument '") + params[index] +
                           "' to '" + v.text + "'");
    bound[index] = &arg.value;
  }
  return true;
}

bool Parser::getClip(const Value *v, ast::Optimizer &opt) {
  if (!v)
    return true;
  if (v->kind != Value::Kind::List || v->elements.size() != 2)
    return emitError(*v, "expected a list [lo, hi] for 'clip', found '" +
                             v->spelling + "'");
  double lo = opt.clipLo, hi = opt.clipHi;
  if (!getNumber(&v->elements[0], "clip", lo) ||
      !getNumber(&v->elements[1], "clip", hi))
    return false;
  if (!(lo < hi))
    return emitError(*v, "clip bounds must satisfy lo < hi, found [" +
                             v->elements[0].spelling + ", " +
                             v->elements[1].spelling + "]");
  opt.clip = true;
  opt.clipLo = lo;
  opt.clipHi = hi;
  return true;
}

//===----------------------------------------------------------------------===//
// Blocks
//===----------------------------------------------------------------------===//

bool Parser::buildSource(const Value &v, ast::DataSource &src) {
  static const std::vector<const char *> sources = {
      "gaussian_grid", "gaussian_ring", "npy", "idx", "images"};
  if (v.kind != Value::Kind::Call && v.kind != Value::Kind::Identifier)
    return emitError(v, "expected a data source (" + joinNames(sources) +
                            ") for 'real', found '" + v.spelling + "'");
  src.loc = makeLoc(v.line, v.col);
  std::vector<const Value *> args;
  if (v.text == "gaussian_grid" || v.text == "gaussian_ring") {
    bool grid = v.text == "gaussian_grid";
    const char *sizeName = grid ? "size" : "modes";
    const char *spacingName = grid ? "spacing" : "radius";
    src.kind = grid ? ast::DataSource::Kind::GaussianGrid
                    : ast::DataSource::Kind::GaussianRing;
    // The runtime keeps a table of the modes: a grid has size^2 of them.
    int64_t maxSize = grid ? 1000 : 1000000;
    return bindArgs(v, {sizeName, spacingName, "std"}, 0, args) &&
           getInteger(args[0], sizeName, src.size) &&
           checkRange(src.size >= 1 && src.size <= maxSize, args[0], sizeName,
                      grid ? "in [1, 1000]" : "in [1, 1000000]") &&
           getNumber(args[1], spacingName, src.spacing) &&
           checkRange(src.spacing > 0, args[1], spacingName, "> 0") &&
           getNumber(args[2], "std", src.std) &&
           checkRange(src.std > 0, args[2], "std", "> 0");
  }
  if (v.text == "npy" || v.text == "idx" || v.text == "images") {
    bool idx = v.text == "idx", folder = v.text == "images";
    src.kind = idx      ? ast::DataSource::Kind::Idx
               : folder ? ast::DataSource::Kind::Images
                        : ast::DataSource::Kind::Npy;
    std::vector<const char *> params = {"path"};
    if (idx)
      params.push_back("label");
    if (!bindArgs(v, params, 1, args))
      return false;
    if (!args[0])
      return emitError(v, "'" + v.text + "' needs a path, e.g. " + v.text +
                              (folder ? "(\"folder\")" : "(\"file\")"));
    std::string path;
    if (!getString(args[0], "path", path))
      return false;
    src.path = resolvePath(path, fileName);
    return !idx || (getInteger(args[1], "label", src.label) &&
                    checkRange(src.label >= 0, args[1], "label", ">= 0"));
  }
  return emitError(v, "unknown data source '" + v.text + "' (expected " +
                          joinNames(sources) + ")");
}

bool Parser::buildData(const Token &blockTok, const StatementList &stmts,
                       ast::Data &data) {
  data.loc = makeLoc(blockTok.line, blockTok.col);
  const Value *real = stmts.get("real");
  if (!real)
    return emitError(blockTok.line, blockTok.col,
                     "the 'data' block needs 'real = <source>'");
  if (!buildSource(*real, data.real))
    return false;

  const Value *n = stmts.get("n");
  const Value *m = stmts.get("m");
  bool fromFile = data.real.kind == ast::DataSource::Kind::Npy ||
                  data.real.kind == ast::DataSource::Kind::Idx ||
                  data.real.kind == ast::DataSource::Kind::Images;
  // A file knows its row count (n = 0: all rows); a synthetic source does not.
  if (!n && !fromFile)
    return emitError(blockTok.line, blockTok.col,
                     "the 'data' block needs 'n' (the number of real rows) "
                     "for a synthetic source");
  if (!getInteger(n, "n", data.n) || !checkRange(data.n >= 1, n, "n", ">= 1") ||
      !getInteger(m, "m", data.m) || !checkRange(data.m >= 1, m, "m", ">= 1"))
    return false;
  if (!m)
    data.m = data.n;
  return getEnum<ast::Data::Scale>(
      stmts.get("scale"), "scale",
      {{"unit", ast::Data::Scale::Unit}, {"none", ast::Data::Scale::None}},
      data.scale);
}

bool Parser::buildLayer(const Value &v, ast::Layer &layer) {
  const std::vector<LayerKind> &table = layerTable();
  auto kind = std::find_if(table.begin(), table.end(), [&](const LayerKind &k) {
    return v.text == k.name;
  });
  if (kind == table.end()) {
    std::vector<const char *> names;
    for (const LayerKind &k : table)
      names.push_back(k.name);
    names.push_back("repeat");
    return emitError(v, "unknown layer '" + v.text + "' (expected " +
                            joinNames(names) + ")");
  }
  if (kind->unsupported)
    return emitError(v, kind->unsupported);
  layer.name = kind->name;
  layer.loc = makeLoc(v.line, v.col);
  layer.op = kind->op;
  layer.affine = kind->role == Role::Affine;
  layer.needsGaussianInput = kind->role == Role::Nonlinearity;
  layer.onInput = kind->role == Role::Input;
  std::vector<const char *> params;
  for (const LayerArg &arg : kind->args)
    params.push_back(arg.name);
  std::vector<const Value *> bound;
  if (!bindArgs(v, params, kind->numPositional, bound))
    return false;
  for (size_t i = 0; i < kind->args.size(); ++i) {
    const LayerArg &arg = kind->args[i];
    const Value *given = bound[i];
    ast::LayerValue value;
    switch (arg.rule) {
    case ArgRule::Width: {
      int64_t width = 0;
      if (!getInteger(given, arg.name, width) ||
          !checkRange(width >= 1, given, arg.name, ">= 1"))
        return false;
      value = ast::LayerValue::ofNumber(double(width));
      break;
    }
    case ArgRule::Size2: {
      std::vector<int64_t> size = arg.defaultSize;
      if (!given && arg.sameAs) {
        for (const auto &[name, earlier] : layer.args)
          if (name == arg.sameAs)
            size = earlier.integers;
      } else if (!given && size.empty()) {
        return emitError(v, "'" + layer.name + "' needs '" + arg.name +
                                "', e.g. " + arg.name + ": [3, 3]");
      } else if (given && !getSize2(given, arg.name, size)) {
        return false;
      }
      value = ast::LayerValue::ofIntegers(size);
      break;
    }
    case ArgRule::Padding:
    case ArgRule::PoolPadding: {
      std::string keyword = arg.defaultKeyword;
      std::vector<EnumCase<std::string>> cases{{"same", "same"},
                                               {"valid", "valid"}};
      if (arg.rule == ArgRule::Padding)
        cases.push_back({"circular", "circular"});
      if (!getEnum<std::string>(given, arg.name, cases, keyword))
        return false;
      value = ast::LayerValue::ofKeyword(keyword);
      break;
    }
    default: {
      double number = arg.defaultValue;
      if (!getNumber(given, arg.name, number) ||
          !checkRange(arg.rule != ArgRule::Positive || number > 0, given,
                      arg.name, "> 0") ||
          !checkRange(arg.rule != ArgRule::NonNegative || number >= 0, given,
                      arg.name, ">= 0"))
        return false;
      value = ast::LayerValue::ofNumber(number);
      break;
    }
    }
    // An ignored argument shows in dumps only when given.
    if (arg.attr || given)
      layer.args.emplace_back(arg.name, value);
    if (arg.attr)
      layer.attrs.emplace_back(arg.attr, value);
  }
  for (const auto &[name, value] : kind->fixed)
    layer.attrs.emplace_back(name, ast::LayerValue::ofNumber(value));
  return true;
}

bool Parser::getSize2(const Value *v, const char *what,
                      std::vector<int64_t> &out) {
  if (v->kind != Value::Kind::List)
    return emitError(*v, std::string("expected two sizes [a, b] for '") + what +
                             "', found '" + v->spelling + "'");
  if (v->elements.size() != 2)
    return emitError(*v, std::string("expected two sizes [a, b] for '") + what +
                             "', found a list of " +
                             std::to_string(v->elements.size()));
  std::vector<int64_t> size(2);
  for (int k = 0; k < 2; ++k)
    if (!getInteger(&v->elements[k], what, size[k]) ||
        !checkRange(size[k] >= 1, &v->elements[k], what, ">= 1"))
      return false;
  out = size;
  return true;
}

bool Parser::buildRepeat(const Value &v, ast::Layer &layer) {
  layer.name = "repeat";
  layer.loc = makeLoc(v.line, v.col);
  layer.op = "gantk.repeat";
  std::vector<const Value *> bound;
  if (v.kind != Value::Kind::Call || !bindArgs(v, {"count"}, 1, bound))
    return v.kind == Value::Kind::Call
               ? false
               : emitError(v, "'repeat' needs a count, e.g. repeat(10) { ... }");
  if (!bound[0])
    return emitError(v, "'repeat' needs a count, e.g. repeat(10) { ... }");
  if (!getInteger(bound[0], "count", layer.count) ||
      !checkRange(layer.count >= 1, bound[0], "count", ">= 1"))
    return false;
  layer.args.emplace_back("count", ast::LayerValue::ofNumber(double(layer.count)));
  return true;
}

/// `discriminator` is followed by `{`, or by NAME or NAME(weight: w): several
/// named discriminators (distinct names, no unnamed one beside them) sum
/// their weighted losses.
bool Parser::parseDiscriminatorHeader(const ast::Module &module,
                                      ast::Discriminator &out) {
  if (!module.discriminators.empty() &&
      module.discriminators.front().name.empty())
    return emitError(out.loc.line, out.loc.col,
                     "duplicate 'discriminator' block (first at " +
                         locString(module.discriminators.front().loc.line,
                                   module.discriminators.front().loc.col) +
                         "); several discriminators need names: "
                         "discriminator NAME(weight: w) { ... }");
  if (!tok.is(Token::Kind::Identifier)) {
    if (!module.discriminators.empty())
      return emitError(out.loc.line, out.loc.col,
                       "this discriminator needs a name, as the others have: "
                       "discriminator NAME(weight: w) { ... }");
    return true;
  }
  Value header;
  if (!parseValue(header))
    return false;
  if (header.kind != Value::Kind::Identifier &&
      header.kind != Value::Kind::Call)
    return emitError(header, "expected a discriminator name, found '" +
                                 header.spelling + "'");
  out.name = header.text;
  for (const ast::Discriminator &d : module.discriminators)
    if (d.name == out.name)
      return emitError(header, "duplicate discriminator '" + out.name +
                                   "' (first at " +
                                   locString(d.loc.line, d.loc.col) + ")");
  std::vector<const Value *> args;
  if (header.kind == Value::Kind::Call &&
      (!bindArgs(header, {"weight"}, 0, args) ||
       !getNumber(args[0], "weight", out.weight) ||
       !checkRange(out.weight > 0 && std::isfinite(out.weight), args[0],
                   "weight", "> 0")))
    return false;
  return true;
}

bool Parser::parseGeneratorHeader(ast::Generator &out) {
  if (!tok.is(Token::Kind::LParen))
    return emitError(tok.line, tok.col,
                     "expected '(latent: l)' after 'generator', found " +
                         describe(tok));
  Value header;
  header.kind = Value::Kind::Call;
  header.text = "generator";
  header.line = out.loc.line;
  header.col = out.loc.col;
  std::vector<const Value *> args;
  if (!parseCallArgs(header) || !bindArgs(header, {"latent"}, 1, args))
    return false;
  if (!args[0])
    return emitError(header, "the generator needs its latent size: "
                             "generator(latent: l) { ... }");
  return getInteger(args[0], "latent", out.latent) &&
         checkRange(
             out.latent >= 1 && out.latent <= kMaxGeneratorWidth, args[0],
             "latent",
             ("between 1 and " + std::to_string(kMaxGeneratorWidth)).c_str());
}

bool Parser::parseGeneratorLayers(const Token &blockTok, ast::Generator &out) {
  using Activation = ast::GeneratorLayer::Activation;
  static const std::vector<EnumCase<Activation>> activations = {
      {"relu", Activation::Relu},
      {"tanh", Activation::Tanh},
      {"sigmoid", Activation::Sigmoid}};
  std::string widthRule = "between 1 and " + std::to_string(kMaxGeneratorWidth);
  while (true) {
    skipSeparators();
    if (tok.is(Token::Kind::RBrace)) {
      consume();
      break;
    }
    if (tok.is(Token::Kind::Eof))
      return emitError(tok.line, tok.col,
                       "expected '}' to close the 'generator' block opened "
                       "at " +
                           locString(blockTok.line, blockTok.col));
    if (!tok.is(Token::Kind::Identifier))
      return emitError(tok.line, tok.col,
                       "expected a generator layer (dense(width), relu, "
                       "tanh, sigmoid), found " +
                           describe(tok));
    Value value;
    if (!parseValue(value))
      return false;
    if (value.text == "dense") {
      ast::GeneratorLayer layer;
      layer.loc = makeLoc(value.line, value.col);
      std::vector<const Value *> args;
      if (!bindArgs(value, {"width"}, 1, args))
        return false;
      if (!args[0])
        return emitError(value, "a generator's dense layer needs its width: "
                                "dense(width)");
      if (!getInteger(args[0], "width", layer.width) ||
          !checkRange(layer.width >= 1 && layer.width <= kMaxGeneratorWidth,
                      args[0], "width", widthRule.c_str()))
        return false;
      out.layers.push_back(layer);
    } else {
      const EnumCase<Activation> *found = nullptr;
      for (const EnumCase<Activation> &c : activations)
        if (value.text == c.name)
          found = &c;
      if (!found)
        return emitError(value, "unknown generator layer '" + value.text +
                                    "' (expected dense(width), relu, tanh "
                                    "or sigmoid)");
      if (value.kind == Value::Kind::Call)
        return emitError(value, "'" + value.text + "' takes no arguments");
      if (out.layers.empty())
        return emitError(value, "'" + value.text +
                                    "' must follow a dense layer: it is that "
                                    "layer's activation");
      if (out.layers.back().activation != Activation::Identity)
        return emitError(value, "'" + value.text +
                                    "' follows another activation; a dense "
                                    "layer has one");
      out.layers.back().activation = found->value;
    }
    if (!isSeparator() && !tok.is(Token::Kind::RBrace) &&
        !tok.is(Token::Kind::Eof))
      return emitError(tok.line, tok.col,
                       "expected end of line or ';' after layer '" +
                           value.text + "', found " + describe(tok));
  }
  if (out.layers.empty())
    return emitError(blockTok.line, blockTok.col,
                     "the generator has no layers (it needs at least one "
                     "dense layer)");
  return true;
}

/// The last plain layer of `layers` (looking into repeat blocks).
static const ast::Layer &lastLayer(const std::vector<ast::Layer> &layers) {
  const ast::Layer &last = layers.back();
  return last.count ? lastLayer(last.body) : last;
}

/// Whether the output of `layers` is Gaussian (its last plain layer is
/// affine).
static bool affineOutput(const std::vector<ast::Layer> &layers) {
  return lastLayer(layers).affine;
}

bool Parser::checkLayers(const Token &blockTok,
                         const std::vector<ast::Layer> &layers) {
  if (layers.empty())
    return emitError(blockTok.line, blockTok.col,
                     "the discriminator has no layers (it needs at least one "
                     "dense layer)");
  auto errorAt = [&](const ast::Layer &layer, const std::string &message) {
    return emitError(layer.loc.line, layer.loc.col, message);
  };
  // Images: avg_pool on the input first, then layers on maps over
  // positions (conv, and the elementwise layers), one flatten, then
  // vectors. A net without flatten works on flat rows throughout.
  const ast::Layer *flatten = nullptr, *mapsLayer = nullptr;
  bool stateSeen = false;
  for (const ast::Layer &layer : layers) {
    if (layer.onInput) {
      if (stateSeen)
        return errorAt(layer, "'" + layer.name +
                                  "' acts on the input images: it must come "
                                  "before every other layer");
      mapsLayer = &layer;
      continue;
    }
    stateSeen = true;
    if (layer.name == "flatten") {
      if (flatten)
        return errorAt(layer, "a second 'flatten': the maps are already flat");
      flatten = &layer;
      continue;
    }
    if (layer.name == "conv") {
      if (flatten)
        return errorAt(layer, "'conv' needs maps over positions, but a "
                              "flatten comes before it");
      mapsLayer = &layer;
    }
  }
  if (mapsLayer && !flatten)
    return errorAt(layers.back(), "the layers end on maps over positions: "
                                  "add flatten before the last dense layer");
  // Repeated layers keep one number per pair for their backward's tape.
  bool onMaps = flatten != nullptr;
  std::function<bool(const std::vector<ast::Layer> &, bool)> checkRepeat =
      [&](const std::vector<ast::Layer> &list, bool inRepeat) {
        for (const ast::Layer &layer : list) {
          if (&layer == flatten)
            onMaps = false;
          if (inRepeat && (layer.onInput || layer.name == "conv" ||
                           layer.name == "flatten"))
            return errorAt(layer, "'" + layer.name +
                                      "' cannot be repeated: repeat blocks "
                                      "hold layers on vectors only");
          if (layer.count) {
            if (onMaps)
              return errorAt(layer, "'repeat' on maps over positions is not "
                                    "supported yet: write the layers out, or "
                                    "repeat after flatten");
            if (!checkRepeat(layer.body, true))
              return false;
          }
        }
        return true;
      };
  if (!checkRepeat(layers, false))
    return false;
  // The NTK rules of the nonlinearities assume a Gaussian input, which only
  // an affine layer's output is. In a repeat block the first layer's input
  // is also the block's own output, from the second iteration on.
  std::function<bool(const std::vector<ast::Layer> &, bool)> check =
      [&](const std::vector<ast::Layer> &list, bool inputAffine) {
        bool previousAffine = inputAffine;
        for (const ast::Layer &layer : list) {
          if (layer.count) {
            bool bodyInput =
                previousAffine && (layer.count == 1 || affineOutput(layer.body));
            if (!check(layer.body, bodyInput))
              return false;
            previousAffine = affineOutput(layer.body);
            continue;
          }
          if (layer.onInput)
            continue;
          if (layer.needsGaussianInput && !previousAffine)
            return errorAt(layer, "'" + layer.name +
                                      "' must directly follow a dense or conv "
                                      "layer (its input must be Gaussian)");
          previousAffine = layer.affine;
        }
        return true;
      };
  if (!check(layers, false))
    return false;
  const ast::Layer &last = lastLayer(layers);
  if (last.name != "dense")
    return errorAt(last, "the last layer must be dense, found '" + last.name +
                             "'");
  return true;
}

bool Parser::buildObjective(const StatementList &stmts, ast::Objective &obj) {
  const Statement *lambdaStmt = stmts.find("lambda");
  const Value *lambda = lambdaStmt ? &lambdaStmt->value : nullptr;
  if (lambda && lambda->kind == Value::Kind::Call && lambda->text == "search") {
    std::vector<const Value *> args;
    obj.lambdaSearch = true;
    if (!bindArgs(*lambda, {"eps", "start"}, 0, args) ||
        !getNumber(args[0], "eps", obj.searchEps) ||
        !checkRange(obj.searchEps > 0, args[0], "eps", "> 0") ||
        !getNumber(args[1], "start", obj.searchStart) ||
        !checkRange(obj.searchStart > 0, args[1], "start", "> 0"))
      return false;
    if (lambdaStmt->modifier)
      return emitError(lambdaStmt->modifier->line, lambdaStmt->modifier->col,
                       "lambda = search(...) finds a raw lambda; it takes no "
                       "modifier");
    lambda = nullptr; // the search sets the value
  }
  if (!getNumber(lambda, "lambda", obj.lambda) ||
      !checkRange(obj.lambda > 0, lambda, "lambda", "> 0"))
    return false;
  if (!getModifier(lambdaStmt, "normalized", obj.normalized))
    return false;
  if (const Statement *batchStmt = stmts.find("batch")) {
    const Value &batch = batchStmt->value;
    obj.batchLoc = makeLoc(batch.line, batch.col);
    if (!getInteger(&batch, "batch", obj.batch) ||
        !checkRange(obj.batch >= 2 && obj.batch % 2 == 0, &batch, "batch",
                    "an even number >= 2 (batch / 2 real and batch / 2 "
                    "generated rows a step)"))
      return false;
    if (!getModifier(batchStmt, "epoch", obj.epoch))
      return false;
  }
  const Value *eigReg = stmts.get("eig_reg");
  return getEnum<ast::Objective::Loss>(
             stmts.get("loss"), "loss",
             {{"squared", ast::Objective::Loss::Squared},
              {"cross_entropy", ast::Objective::Loss::CrossEntropy}},
             obj.loss) &&
         getNumber(eigReg, "eig_reg", obj.eigReg) &&
         checkRange(obj.eigReg >= 0, eigReg, "eig_reg", ">= 0") &&
         getEnum<ast::Objective::Solver>(
             stmts.get("solver"), "solver",
             {{"auto", ast::Objective::Solver::Auto},
              {"dense", ast::Objective::Solver::Dense},
              {"krylov", ast::Objective::Solver::Krylov}},
             obj.solver) &&
         getNumber(stmts.get("tol"), "tol", obj.tol) &&
         checkRange(obj.tol > 0 && obj.tol < 1, stmts.get("tol"), "tol",
                    "in (0, 1)") &&
         getInteger(stmts.get("max_iter"), "max_iter", obj.maxIter) &&
         checkRange(obj.maxIter >= 1, stmts.get("max_iter"), "max_iter",
                    ">= 1");
}

bool Parser::buildOptimizer(const Value &v, ast::Optimizer &opt) {
  if (v.kind != Value::Kind::Call && v.kind != Value::Kind::Identifier)
    return emitError(v, "expected an optimizer (gd, adam) for 'optimizer', "
                        "found '" +
                            v.spelling + "'");
  opt.loc = makeLoc(v.line, v.col);
  std::vector<const Value *> args;
  if (v.text == "gd") {
    opt.kind = ast::Optimizer::Kind::GD;
    if (!bindArgs(v, {"lr", "clip"}, 0, args))
      return false;
  } else if (v.text == "adam") {
    opt.kind = ast::Optimizer::Kind::Adam;
    if (!bindArgs(v, {"lr", "clip", "beta1", "beta2", "eps"}, 0, args) ||
        !getNumber(args[2], "beta1", opt.beta1) ||
        !checkRange(opt.beta1 >= 0 && opt.beta1 < 1, args[2], "beta1",
                    "in [0, 1)") ||
        !getNumber(args[3], "beta2", opt.beta2) ||
        !checkRange(opt.beta2 >= 0 && opt.beta2 < 1, args[3], "beta2",
                    "in [0, 1)") ||
        !getNumber(args[4], "eps", opt.eps) ||
        !checkRange(opt.eps > 0, args[4], "eps", "> 0"))
      return false;
  } else {
    return emitError(v,
                     "unknown optimizer '" + v.text + "' (expected gd, adam)");
  }
  return getNumber(args[0], "lr", opt.lr) &&
         checkRange(opt.lr > 0, args[0], "lr", "> 0") && getClip(args[1], opt);
}

bool Parser::buildTrain(const StatementList &stmts, ast::Train &train) {
  if (const Value *opt = stmts.get("optimizer")) {
    if (!buildOptimizer(*opt, train.optimizer))
      return false;
  } else {
    train.optimizer.loc = makeLoc(0, 0);
  }
  const Value *steps = stmts.get("steps");
  const Value *seed = stmts.get("seed");
  int64_t seedValue = 0;
  if (!getInteger(steps, "steps", train.steps) ||
      !checkRange(train.steps >= 0, steps, "steps", ">= 0") ||
      !getInteger(seed, "seed", seedValue) ||
      !checkRange(seedValue >= 0, seed, "seed", ">= 0"))
    return false;
  if (seed)
    train.seed = static_cast<uint64_t>(seedValue);
  const Value *budget = stmts.get("memory_budget");
  if (!getNumber(budget, "memory_budget", train.memoryBudget) ||
      !checkRange(train.memoryBudget > 0, budget, "memory_budget",
                  "> 0 (bytes)"))
    return false;
  return getEnum<ast::Train::Precision>(stmts.get("precision"), "precision",
                                        {{"f32", ast::Train::Precision::F32},
                                         {"f64", ast::Train::Precision::F64}},
                                        train.precision) &&
         getEnum<ast::Train::Init>(stmts.get("init"), "init",
                                   {{"uniform", ast::Train::Init::Uniform},
                                    {"normal", ast::Train::Init::Normal}},
                                   train.init);
}

bool Parser::buildOutput(const StatementList &stmts, ast::Output &out) {
  const Value *every = stmts.get("every");
  const Value *checkpoint = stmts.get("checkpoint_every");
  const Value *dir = stmts.get("dir");
  if (!getString(dir, "dir", out.dir))
    return false;
  // The artifact carries the directory, and an artifact may only write
  // below the working directory (docs/runtime.md "Artifact trust").
  std::filesystem::path dirPath(out.dir);
  bool escapes = dirPath.is_absolute();
  for (const std::filesystem::path &part : dirPath)
    escapes |= part == "..";
  if (escapes)
    return emitError(*dir, "'dir' must name a directory below the working "
                           "directory, found '" + out.dir +
                               "' (use gantk run --out for others)");
  return
         getEnum<ast::Output::Plot>(stmts.get("plot"), "plot",
                                    {{"scatter", ast::Output::Plot::Scatter},
                                     {"grid", ast::Output::Plot::Grid},
                                     {"none", ast::Output::Plot::None}},
                                    out.plot) &&
         getInteger(every, "every", out.every) &&
         checkRange(out.every >= 1, every, "every", ">= 1") &&
         getInteger(checkpoint, "checkpoint_every", out.checkpointEvery) &&
         checkRange(out.checkpointEvery >= 1, checkpoint, "checkpoint_every",
                    ">= 1");
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

std::optional<ast::Module> gantk::parseSpec(std::string_view text,
                                            const std::string &fileName,
                                            std::ostream &errs) {
  DiagnosticEmitter diag(text, fileName, errs);
  Parser parser(text, fileName, diag);
  return parser.parseModule();
}

std::optional<ast::Module> gantk::parseSpecFile(const std::string &path,
                                                std::ostream &errs) {
  // Errors name the file first, as the spec's own diagnostics do.
  auto fail = [&](const std::string &why) {
    errs << path << ": error: " << why << '\n';
    return std::nullopt;
  };
  // O_NONBLOCK: opening a FIFO must not wait for a writer; only a regular
  // file is a spec (a directory, FIFO or device such as /dev/zero is not).
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return fail(std::string("cannot open the spec: ") + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    const char *kind = S_ISDIR(st.st_mode)    ? "a directory"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)
                           ? "a device"
                           : "not a regular file";
    return fail(std::string("not a spec: it is ") + kind);
  }
  // Read at most kMaxSpecBytes + 1: a huge file is not a spec, and must not
  // exhaust memory or overflow the int lines and columns.
  constexpr size_t kMaxSpecBytes = size_t(16) << 20;
  std::string text;
  char chunk[1 << 16];
  while (text.size() <= kMaxSpecBytes) {
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return fail(std::string("cannot read the spec: ") + std::strerror(err));
    }
    if (n == 0)
      break;
    text.append(chunk, size_t(n));
  }
  ::close(fd);
  if (text.size() > kMaxSpecBytes)
    return fail("not a spec: it is larger than 16 MiB");
  return parseSpec(text, path, errs);
}
