//===- Lexer.cpp - the .mix language's tokens -----------------------------===//
#include "Lexer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mixir::mix;

llvm::StringRef mixir::mix::describe(Tok kind) {
  switch (kind) {
  case Tok::Eof: return "the end of the file";
  case Tok::Error: return "an invalid character";
  case Tok::Identifier: return "a name";
  case Tok::Integer: return "an integer";
  case Tok::Float: return "a number";
  case Tok::LParen: return "'('";
  case Tok::RParen: return "')'";
  case Tok::LBracket: return "'['";
  case Tok::RBracket: return "']'";
  case Tok::LBrace: return "'{'";
  case Tok::RBrace: return "'}'";
  case Tok::Comma: return "','";
  case Tok::Colon: return "':'";
  case Tok::Equal: return "'='";
  case Tok::Plus: return "'+'";
  case Tok::Minus: return "'-'";
  case Tok::Star: return "'*'";
  case Tok::Slash: return "'/'";
  case Tok::Less: return "'<'";
  case Tok::LessEqual: return "'<='";
  case Tok::Greater: return "'>'";
  case Tok::GreaterEqual: return "'>='";
  case Tok::EqualEqual: return "'=='";
  case Tok::NotEqual: return "'!='";
  case Tok::Prime: return "'''";
  case Tok::Arrow: return "'->'";
  case Tok::KwMixer: return "'mixer'";
  case Tok::KwRecurrence: return "'recurrence'";
  case Tok::KwState: return "'state'";
  case Tok::KwFinal: return "'final'";
  case Tok::KwSum: return "'sum'";
  case Tok::KwAnd: return "'and'";
  case Tok::KwOr: return "'or'";
  case Tok::KwNot: return "'not'";
  case Tok::KwInf: return "'inf'";
  }
  return "a token";
}

Token Lexer::next() {
  // Spaces, newlines and comments.
  while (pos != buffer.end()) {
    if (llvm::isSpace(*pos)) {
      ++pos;
    } else if (*pos == '/' && pos + 1 != buffer.end() && pos[1] == '/') {
      while (pos != buffer.end() && *pos != '\n')
        ++pos;
    } else {
      break;
    }
  }
  const char *start = pos;
  if (pos == buffer.end())
    return make(Tok::Eof, start);
  char c = *pos++;
  auto followedBy = [&](char n) {
    if (pos != buffer.end() && *pos == n) {
      ++pos;
      return true;
    }
    return false;
  };
  switch (c) {
  case '(': return make(Tok::LParen, start);
  case ')': return make(Tok::RParen, start);
  case '[': return make(Tok::LBracket, start);
  case ']': return make(Tok::RBracket, start);
  case '{': return make(Tok::LBrace, start);
  case '}': return make(Tok::RBrace, start);
  case ',': return make(Tok::Comma, start);
  case ':': return make(Tok::Colon, start);
  case '+': return make(Tok::Plus, start);
  case '*': return make(Tok::Star, start);
  case '/': return make(Tok::Slash, start);
  case '\'': return make(Tok::Prime, start);
  case '-': return make(followedBy('>') ? Tok::Arrow : Tok::Minus, start);
  case '=': return make(followedBy('=') ? Tok::EqualEqual : Tok::Equal, start);
  case '<': return make(followedBy('=') ? Tok::LessEqual : Tok::Less, start);
  case '>':
    return make(followedBy('=') ? Tok::GreaterEqual : Tok::Greater, start);
  case '!':
    return make(followedBy('=') ? Tok::NotEqual : Tok::Error, start);
  default:
    break;
  }
  if (llvm::isDigit(c) ||
      (c == '.' && pos != buffer.end() && llvm::isDigit(*pos)))
    return lexNumber(start);
  if (llvm::isAlpha(c) || c == '_')
    return lexIdentifier(start);
  return make(Tok::Error, start);
}

Token Lexer::lexNumber(const char *start) {
  auto digits = [&] {
    while (pos != buffer.end() && llvm::isDigit(*pos))
      ++pos;
  };
  pos = start;
  digits();
  bool isFloat = false;
  if (pos != buffer.end() && *pos == '.') {
    isFloat = true;
    ++pos;
    digits();
  }
  // An exponent only when digits follow: `2e` is 2 then the name e.
  if (pos != buffer.end() && (*pos == 'e' || *pos == 'E')) {
    const char *e = pos + 1;
    if (e != buffer.end() && (*e == '+' || *e == '-'))
      ++e;
    if (e != buffer.end() && llvm::isDigit(*e)) {
      isFloat = true;
      pos = e;
      digits();
    }
  }
  return make(isFloat ? Tok::Float : Tok::Integer, start);
}

Token Lexer::lexIdentifier(const char *start) {
  while (pos != buffer.end() && (llvm::isAlnum(*pos) || *pos == '_'))
    ++pos;
  Token t = make(Tok::Identifier, start);
  t.kind = llvm::StringSwitch<Tok>(t.text)
               .Case("mixer", Tok::KwMixer)
               .Case("recurrence", Tok::KwRecurrence)
               .Case("state", Tok::KwState)
               .Case("final", Tok::KwFinal)
               .Case("sum", Tok::KwSum)
               .Case("and", Tok::KwAnd)
               .Case("or", Tok::KwOr)
               .Case("not", Tok::KwNot)
               .Case("inf", Tok::KwInf)
               .Default(Tok::Identifier);
  return t;
}
