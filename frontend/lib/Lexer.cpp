//===- Lexer.cpp - gantk DSL lexer ----------------------------------------===//

#include "gantk/Frontend/Lexer.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace gantk;

const char *gantk::getTokenKindName(Token::Kind kind) {
  switch (kind) {
  case Token::Kind::Identifier:
    return "a name";
  case Token::Kind::Number:
    return "a number";
  case Token::Kind::String:
    return "a string";
  case Token::Kind::LBrace:
    return "'{'";
  case Token::Kind::RBrace:
    return "'}'";
  case Token::Kind::LParen:
    return "'('";
  case Token::Kind::RParen:
    return "')'";
  case Token::Kind::LBracket:
    return "'['";
  case Token::Kind::RBracket:
    return "']'";
  case Token::Kind::Comma:
    return "','";
  case Token::Kind::Colon:
    return "':'";
  case Token::Kind::Equal:
    return "'='";
  case Token::Kind::Semicolon:
    return "';'";
  case Token::Kind::Newline:
    return "end of line";
  case Token::Kind::Eof:
    return "end of file";
  case Token::Kind::Error:
    return "an invalid token";
  }
  return "a token";
}

static bool isIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool isDigit(char c) { return c >= '0' && c <= '9'; }

static bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }

void Lexer::advance() {
  if (pos >= source.size())
    return;
  if (source[pos] == '\n') {
    ++line;
    col = 1;
  } else {
    ++col;
  }
  ++pos;
}

Token Lexer::makeToken(Token::Kind kind, int tokLine, int tokCol,
                       std::string text) {
  Token tok;
  tok.kind = kind;
  tok.line = tokLine;
  tok.col = tokCol;
  tok.text = std::move(text);
  return tok;
}

Token Lexer::lexNumber(int tokLine, int tokCol) {
  size_t begin = pos;
  bool isInteger = true;
  if (peek() == '-')
    advance();
  while (isDigit(peek()))
    advance();
  if (peek() == '.') {
    isInteger = false;
    advance();
    while (isDigit(peek()))
      advance();
  }
  if ((peek() == 'e' || peek() == 'E') &&
      (isDigit(peek(1)) ||
       ((peek(1) == '+' || peek(1) == '-') && isDigit(peek(2))))) {
    isInteger = false;
    advance();
    if (peek() == '+' || peek() == '-')
      advance();
    while (isDigit(peek()))
      advance();
  }
  // `1000normalized` or `1.2.3` is a typo, not two tokens.
  bool malformed = false;
  while (isIdentChar(peek()) || peek() == '.') {
    malformed = true;
    advance();
  }
  std::string text(source.substr(begin, pos - begin));
  if (malformed)
    return makeToken(Token::Kind::Error, tokLine, tokCol,
                     "invalid number '" + text + "'");

  Token tok = makeToken(Token::Kind::Number, tokLine, tokCol, text);
  errno = 0;
  tok.number = std::strtod(text.c_str(), nullptr);
  if (errno == ERANGE && std::isinf(tok.number))
    return makeToken(Token::Kind::Error, tokLine, tokCol,
                     "number '" + text + "' is out of range");
  if (isInteger) {
    errno = 0;
    tok.integer = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == ERANGE)
      return makeToken(Token::Kind::Error, tokLine, tokCol,
                       "integer '" + text + "' is out of range");
    tok.isInteger = true;
  }
  return tok;
}

Token Lexer::lexString(int tokLine, int tokCol) {
  advance(); // opening quote
  std::string value;
  while (true) {
    char c = peek();
    if (pos >= source.size() || c == '\n')
      return makeToken(Token::Kind::Error, tokLine, tokCol,
                       "unterminated string");
    advance();
    if (c == '"')
      break;
    if (c != '\\') {
      value += c;
      continue;
    }
    char esc = peek();
    int escLine = line, escCol = col - 1;
    advance();
    switch (esc) {
    case '"':
    case '\\':
      value += esc;
      break;
    case 'n':
      value += '\n';
      break;
    case 't':
      value += '\t';
      break;
    default:
      return makeToken(Token::Kind::Error, escLine, escCol,
                       std::string("unknown escape '\\") + esc +
                           "' in string (expected \\\", \\\\, \\n, \\t)");
    }
  }
  return makeToken(Token::Kind::String, tokLine, tokCol, std::move(value));
}

Token Lexer::next() {
  while (true) {
    char c = peek();
    if (pos >= source.size())
      return makeToken(Token::Kind::Eof, line, col, "");
    if (c == '#') {
      while (pos < source.size() && peek() != '\n')
        advance();
      continue;
    }
    if (c == '\n' && nesting == 0) {
      Token tok = makeToken(Token::Kind::Newline, line, col, "\n");
      advance();
      return tok;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      advance();
      continue;
    }
    break;
  }

  int tokLine = line, tokCol = col;
  char c = peek();
  if (isIdentStart(c)) {
    size_t begin = pos;
    while (isIdentChar(peek()))
      advance();
    return makeToken(Token::Kind::Identifier, tokLine, tokCol,
                     std::string(source.substr(begin, pos - begin)));
  }
  if (isDigit(c) || ((c == '-' || c == '.') && isDigit(peek(1))) ||
      (c == '-' && peek(1) == '.' && isDigit(peek(2))))
    return lexNumber(tokLine, tokCol);
  if (c == '"')
    return lexString(tokLine, tokCol);

  Token::Kind kind;
  switch (c) {
  case '{':
    kind = Token::Kind::LBrace;
    break;
  case '}':
    kind = Token::Kind::RBrace;
    break;
  case '(':
    kind = Token::Kind::LParen;
    ++nesting;
    break;
  case ')':
    kind = Token::Kind::RParen;
    nesting = nesting > 0 ? nesting - 1 : 0;
    break;
  case '[':
    kind = Token::Kind::LBracket;
    ++nesting;
    break;
  case ']':
    kind = Token::Kind::RBracket;
    nesting = nesting > 0 ? nesting - 1 : 0;
    break;
  case ',':
    kind = Token::Kind::Comma;
    break;
  case ':':
    kind = Token::Kind::Colon;
    break;
  case '=':
    kind = Token::Kind::Equal;
    break;
  case ';':
    kind = Token::Kind::Semicolon;
    break;
  default: {
    advance();
    std::string shown;
    if (static_cast<unsigned char>(c) >= 0x20 &&
        static_cast<unsigned char>(c) < 0x7f) {
      shown = std::string(1, c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02X", static_cast<unsigned char>(c));
      shown = buf;
    }
    return makeToken(Token::Kind::Error, tokLine, tokCol,
                     "unexpected character '" + shown + "'");
  }
  }
  advance();
  return makeToken(kind, tokLine, tokCol, std::string(1, c));
}
