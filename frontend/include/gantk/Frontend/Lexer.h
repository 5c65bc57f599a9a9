//===- Lexer.h - gantk DSL lexer --------------------------------*- C++ -*-===//
//
// Splits a .gantk spec into tokens. Newlines are tokens (they separate
// statements) except inside parentheses or brackets, so that argument lists
// may span lines.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_FRONTEND_LEXER_H
#define GANTK_FRONTEND_LEXER_H

#include <cstdint>
#include <string>
#include <string_view>

namespace gantk {

/// One lexical token.
struct Token {
  enum class Kind {
    Identifier,
    Number,
    String,
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Colon,
    Equal,
    Semicolon,
    Newline,
    Eof,
    /// A lexical error; `text` holds the message.
    Error,
  };

  Kind kind = Kind::Eof;
  /// The source spelling (for String: the unquoted, unescaped contents; for
  /// Error: the message).
  std::string text;
  int line = 1;
  int col = 1;
  /// Number: the value, and whether it was written as an integer (no '.'
  /// and no exponent) that fits in `integer`.
  double number = 0;
  bool isInteger = false;
  int64_t integer = 0;

  bool is(Kind k) const { return kind == k; }
};

/// Returns a short human name for a token kind, for "expected X" messages.
const char *getTokenKindName(Token::Kind kind);

/// Produces tokens from a spec buffer. The buffer must outlive the lexer.
class Lexer {
public:
  explicit Lexer(std::string_view source) : source(source) {}

  /// Returns the next token; after the end it keeps returning Eof.
  Token next();

private:
  char peek(size_t ahead = 0) const {
    return pos + ahead < source.size() ? source[pos + ahead] : '\0';
  }
  /// Consumes one character, tracking the line and column.
  void advance();
  Token makeToken(Token::Kind kind, int line, int col, std::string text);
  Token lexNumber(int line, int col);
  Token lexString(int line, int col);

  std::string_view source;
  size_t pos = 0;
  int line = 1;
  int col = 1;
  /// Open '(' and '[' not yet closed: newlines inside them are skipped.
  int nesting = 0;
};

} // namespace gantk

#endif // GANTK_FRONTEND_LEXER_H
