//===- Lexer.h - the .mix language's tokens ---------------------*- C++ -*-===//
//
// Splits a .mix buffer into tokens (docs/mix-language.md, "Lexical
// structure"). Newlines are spaces; `//` starts a comment to the end of the
// line. A character that starts no token is an Error token, which the parser
// reports at its location.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_FRONTEND_LEXER_H
#define MIXIR_LIB_FRONTEND_LEXER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

namespace mixir::mix {

enum class Tok {
  Eof,
  Error,
  Identifier,
  Integer, // 123
  Float,   // 1.5, 1e-3, .5
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Equal,
  Plus,
  Minus,
  Star,
  Slash,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  EqualEqual,
  NotEqual,
  Prime, // S' (a state's new value)
  Arrow, // ->
  // Keywords.
  KwMixer,
  KwRecurrence,
  KwState,
  KwFinal,
  KwSum,
  KwAnd,
  KwOr,
  KwNot,
  KwInf,
};

struct Token {
  Tok kind = Tok::Eof;
  llvm::StringRef text;

  llvm::SMLoc getLoc() const { return llvm::SMLoc::getFromPointer(text.data()); }
  bool is(Tok k) const { return kind == k; }
};

/// The token's spelling for messages ("')'", "an identifier").
llvm::StringRef describe(Tok kind);

class Lexer {
public:
  explicit Lexer(llvm::StringRef buffer) : buffer(buffer), pos(buffer.begin()) {}

  Token next();

private:
  Token make(Tok kind, const char *start) {
    return {kind, llvm::StringRef(start, pos - start)};
  }
  Token lexNumber(const char *start);
  Token lexIdentifier(const char *start);

  llvm::StringRef buffer;
  const char *pos;
};

} // namespace mixir::mix

#endif // MIXIR_LIB_FRONTEND_LEXER_H
