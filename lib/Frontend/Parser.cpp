//===- Parser.cpp - the .mix language's parser ----------------------------===//
#include "Parser.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

using namespace mixir::mix;
using llvm::SMLoc;
using llvm::Twine;

namespace {
class Parser {
public:
  Parser(llvm::StringRef buffer, ErrorFn error) : lexer(buffer), error(error) {
    tok = lexer.next();
  }

  std::optional<File> parseFile();

private:
  // Tokens.
  void consume() { tok = lexer.next(); }
  bool consumeIf(Tok kind) {
    if (!tok.is(kind))
      return false;
    consume();
    return true;
  }
  bool fail(SMLoc loc, const Twine &message) {
    if (!failed)
      error(loc, message);
    failed = true;
    return false;
  }
  bool expected(const Twine &what) {
    if (tok.is(Tok::Error))
      return fail(tok.getLoc(), "unexpected character '" + tok.text + "'");
    return fail(tok.getLoc(), "expected " + what + ", found " +
                                  (tok.is(Tok::Eof) || tok.is(Tok::Error)
                                       ? describe(tok.kind).str()
                                       : "'" + tok.text.str() + "'"));
  }
  bool expect(Tok kind, const Twine &context = "") {
    if (consumeIf(kind))
      return true;
    return expected(describe(kind) + context);
  }
  bool parseName(Name &name, const Twine &what) {
    if (!tok.is(Tok::Identifier))
      return expected(what);
    name = {tok.text, tok.getLoc()};
    consume();
    return true;
  }
  bool parseInteger(int64_t &value, SMLoc &loc);

  // Declarations.
  bool parseMixer(Mixer &mixer);
  bool parseParams(std::vector<Param> &params, llvm::StringRef what);
  bool parseType(TypeDecl &type);
  bool parseRecurrence(Recurrence &recurrence);
  bool parseStatement(std::vector<Statement> &statements, bool inRecurrence);
  bool parseCall(Statement &s);

  // Expressions, lowest precedence first.
  ExprPtr parseExpr() { return parseOr(); }
  ExprPtr parseOr();
  ExprPtr parseAnd();
  ExprPtr parseNot();
  ExprPtr parseComparison();
  ExprPtr parseAdditive();
  ExprPtr parseMultiplicative();
  ExprPtr parseUnary();
  ExprPtr parsePrimary();
  ExprPtr parseRef();
  ExprPtr binary(Tok op, ExprPtr lhs, ExprPtr rhs) {
    auto e = std::make_unique<Expr>(Expr::Kind::Binary, lhs->loc);
    e->op = op;
    e->operands.push_back(std::move(lhs));
    e->operands.push_back(std::move(rhs));
    return measured(std::move(e));
  }
  /// `e` with its height set, or null (after an error) when it exceeds
  /// kMaxDepth: what reads the tree recurses along it.
  ExprPtr measured(ExprPtr e) {
    for (const ExprPtr &operand : e->operands)
      e->height = std::max(e->height, operand->height + 1);
    if (e->height <= kMaxDepth)
      return e;
    fail(e->loc, "expressions nest deeper than " + Twine(kMaxDepth) +
                     " levels");
    return nullptr;
  }
  /// Counts one level of nesting; false (after an error) beyond kMaxDepth.
  bool enter() {
    if (++depth <= kMaxDepth)
      return true;
    return fail(tok.getLoc(), "expressions nest deeper than " +
                                  Twine(kMaxDepth) + " levels");
  }

  Lexer lexer;
  ErrorFn error;
  Token tok;
  int depth = 0;
  bool failed = false;
};

/// Restores the nesting depth when an expression level returns.
struct DepthScope {
  int &depth;
  int saved;
  explicit DepthScope(int &depth) : depth(depth), saved(depth) {}
  ~DepthScope() { depth = saved; }
};
} // namespace

bool Parser::parseInteger(int64_t &value, SMLoc &loc) {
  loc = tok.getLoc();
  if (!tok.is(Tok::Integer))
    return expected("an integer");
  if (tok.text.getAsInteger(10, value) || value > (int64_t(1) << 40))
    return fail(loc, "integer " + tok.text + " is too large");
  consume();
  return true;
}

std::optional<File> Parser::parseFile() {
  File file;
  while (!tok.is(Tok::Eof)) {
    if (!tok.is(Tok::KwMixer)) {
      expected("'mixer'");
      return std::nullopt;
    }
    file.mixers.emplace_back();
    if (!parseMixer(file.mixers.back()))
      return std::nullopt;
  }
  if (file.mixers.empty()) {
    fail(tok.getLoc(), "the file defines no mixer (mixer NAME(...) -> (...) "
                       "{ ... })");
    return std::nullopt;
  }
  return file;
}

// mixer NAME(params) -> (params) { recurrence* }
bool Parser::parseMixer(Mixer &mixer) {
  consume(); // mixer
  if (!parseName(mixer.name, "the mixer's name") ||
      !parseParams(mixer.args, "an argument") ||
      !expect(Tok::Arrow, " before the results") ||
      !parseParams(mixer.results, "a result") || !expect(Tok::LBrace))
    return false;
  while (!consumeIf(Tok::RBrace)) {
    Item item;
    if (tok.is(Tok::KwRecurrence)) {
      item.recurrence = std::make_unique<Recurrence>();
      if (!parseRecurrence(*item.recurrence))
        return false;
    } else if (tok.is(Tok::Identifier) || tok.is(Tok::LParen)) {
      std::vector<Statement> one;
      if (!parseStatement(one, /*inRecurrence=*/false))
        return false;
      item.statement = std::make_unique<Statement>(std::move(one.back()));
    } else {
      return expected("'recurrence', a statement or '}'");
    }
    mixer.items.push_back(std::move(item));
  }
  return true;
}

// ( NAME, ... ) = CALLEE(args)   or   NAME = CALLEE(args)
bool Parser::parseCall(Statement &s) {
  if (!parseName(s.callee, "a structured op") || !expect(Tok::LParen))
    return false;
  if (consumeIf(Tok::RParen))
    return true;
  do {
    CallArgument arg;
    // A keyword: NAME followed by '='. (A flag, `delta_rule`, is a bare
    // name among the positional ones; the op's lowering tells it apart.)
    Lexer ahead = lexer;
    Token next = ahead.next();
    if (tok.is(Tok::Identifier) && next.is(Tok::Equal)) {
      arg.keyword = {tok.text, tok.getLoc()};
      consume();
      consume(); // =
      if (consumeIf(Tok::LParen)) {
        do {
          ExprPtr v = parseExpr();
          if (!v)
            return false;
          arg.values.push_back(std::move(v));
        } while (consumeIf(Tok::Comma));
        if (!expect(Tok::RParen, " or ','"))
          return false;
      } else {
        ExprPtr v = parseExpr();
        if (!v)
          return false;
        arg.values.push_back(std::move(v));
      }
    } else {
      ExprPtr v = parseExpr();
      if (!v)
        return false;
      arg.values.push_back(std::move(v));
    }
    s.arguments.push_back(std::move(arg));
  } while (consumeIf(Tok::Comma));
  return expect(Tok::RParen, " or ','");
}

// ( NAME : TYPE , ... )
bool Parser::parseParams(std::vector<Param> &params, llvm::StringRef what) {
  if (!expect(Tok::LParen))
    return false;
  if (consumeIf(Tok::RParen))
    return true;
  do {
    Param p;
    if (!parseName(p.name, what) || !expect(Tok::Colon) || !parseType(p.type))
      return false;
    params.push_back(std::move(p));
  } while (consumeIf(Tok::Comma));
  return expect(Tok::RParen, " or ','");
}

// ELEMENT [ DIM (= SIZE)? , ... ]
bool Parser::parseType(TypeDecl &type) {
  if (!parseName(type.elementType, "an element type (f32, f16, bf16, i32)") ||
      !expect(Tok::LBracket))
    return false;
  do {
    DimDecl dim;
    if (!parseName(dim.name, "a dimension's name"))
      return false;
    if (consumeIf(Tok::Equal)) {
      int64_t size;
      if (!parseInteger(size, dim.sizeLoc))
        return false;
      dim.size = size;
    }
    type.dims.push_back(dim);
  } while (consumeIf(Tok::Comma));
  return expect(Tok::RBracket, " or ','");
}

// recurrence { statement* }
bool Parser::parseRecurrence(Recurrence &recurrence) {
  recurrence.loc = tok.getLoc();
  consume(); // recurrence
  if (!expect(Tok::LBrace))
    return false;
  while (!consumeIf(Tok::RBrace))
    if (!parseStatement(recurrence.statements, /*inRecurrence=*/true))
      return false;
  return true;
}

// state NAME [ DIM, ... ] = EXPR
// NAME = final NAME
// NAME '? ([ INDEX, ... ])? = EXPR
bool Parser::parseStatement(std::vector<Statement> &statements,
                            bool inRecurrence) {
  SMLoc loc = tok.getLoc();
  // (o, hT) = CALLEE(...): a structured op's results.
  if (!inRecurrence && consumeIf(Tok::LParen)) {
    Statement s(Statement::Kind::Call, loc);
    do {
      Name target;
      if (!parseName(target, "a result's name"))
        return false;
      s.targets.push_back(target);
    } while (consumeIf(Tok::Comma));
    if (!expect(Tok::RParen, " or ','") || !expect(Tok::Equal) ||
        !parseCall(s))
      return false;
    statements.push_back(std::move(s));
    return true;
  }
  if (inRecurrence && consumeIf(Tok::KwState)) {
    Statement s(Statement::Kind::State, loc);
    if (!parseName(s.name, "the state's name") || !expect(Tok::LBracket))
      return false;
    do {
      Name dim;
      if (!parseName(dim, "a dimension's name"))
        return false;
      s.dims.push_back(dim);
    } while (consumeIf(Tok::Comma));
    if (!expect(Tok::RBracket, " or ','") ||
        !expect(Tok::Equal, " and the state's initial value"))
      return false;
    s.value = parseExpr();
    if (!s.value)
      return false;
    statements.push_back(std::move(s));
    return true;
  }
  if (!tok.is(Tok::Identifier))
    return expected("a statement ('state', or a name to assign) or '}'");
  ExprPtr target = parseRef();
  if (!target)
    return false;
  if (target->kind != Expr::Kind::Ref)
    return fail(loc, "expected a tensor to assign, not a call");
  if (!expect(Tok::Equal))
    return false;
  // NAME = CALLEE(...) with CALLEE a structured op.
  if (!inRecurrence && !target->subscripted && !target->primed &&
      tok.is(Tok::Identifier) &&
      (tok.text == "semiseparable" || tok.text == "attention")) {
    Statement s(Statement::Kind::Call, loc);
    s.targets.push_back(target->name);
    if (!parseCall(s))
      return false;
    statements.push_back(std::move(s));
    return true;
  }
  for (const Subscript &s : target->subscripts)
    if (s.hasOffset || s.index.text.empty())
      return fail(s.index.loc, "the indices of an assigned tensor are plain "
                               "names, without offsets");
  if (tok.is(Tok::KwFinal)) {
    if (!inRecurrence)
      return fail(tok.getLoc(), "'= final' returns a state of a recurrence "
                                "block; it is written inside the block");
    consume();
    Statement s(Statement::Kind::Final, loc);
    if (target->primed || target->subscripted)
      return fail(loc, "'= final' assigns a whole result: write 'NAME = "
                       "final STATE'");
    s.name = target->name;
    if (!parseName(s.state, "the state whose final value it is"))
      return false;
    statements.push_back(std::move(s));
    return true;
  }
  Statement s(Statement::Kind::Assign, loc);
  s.target = std::move(target);
  s.value = parseExpr();
  if (!s.value)
    return false;
  statements.push_back(std::move(s));
  return true;
}

ExprPtr Parser::parseOr() {
  ExprPtr lhs = parseAnd();
  while (lhs && tok.is(Tok::KwOr)) {
    consume();
    ExprPtr rhs = parseAnd();
    if (!rhs)
      return nullptr;
    lhs = binary(Tok::KwOr, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseAnd() {
  ExprPtr lhs = parseNot();
  while (lhs && tok.is(Tok::KwAnd)) {
    consume();
    ExprPtr rhs = parseNot();
    if (!rhs)
      return nullptr;
    lhs = binary(Tok::KwAnd, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseNot() {
  DepthScope scope(depth);
  SMLoc loc = tok.getLoc();
  if (!consumeIf(Tok::KwNot))
    return parseComparison();
  if (!enter())
    return nullptr;
  ExprPtr operand = parseNot();
  if (!operand)
    return nullptr;
  auto e = std::make_unique<Expr>(Expr::Kind::Not, loc);
  e->operands.push_back(std::move(operand));
  return measured(std::move(e));
}

ExprPtr Parser::parseComparison() {
  ExprPtr lhs = parseAdditive();
  if (!lhs)
    return nullptr;
  switch (tok.kind) {
  case Tok::Less:
  case Tok::LessEqual:
  case Tok::Greater:
  case Tok::GreaterEqual:
  case Tok::EqualEqual:
  case Tok::NotEqual: {
    Tok op = tok.kind;
    consume();
    ExprPtr rhs = parseAdditive();
    if (!rhs)
      return nullptr;
    return binary(op, std::move(lhs), std::move(rhs));
  }
  default:
    return lhs;
  }
}

ExprPtr Parser::parseAdditive() {
  ExprPtr lhs = parseMultiplicative();
  while (lhs && (tok.is(Tok::Plus) || tok.is(Tok::Minus))) {
    Tok op = tok.kind;
    consume();
    ExprPtr rhs = parseMultiplicative();
    if (!rhs)
      return nullptr;
    lhs = binary(op, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseMultiplicative() {
  ExprPtr lhs = parseUnary();
  while (lhs && (tok.is(Tok::Star) || tok.is(Tok::Slash))) {
    Tok op = tok.kind;
    consume();
    ExprPtr rhs = parseUnary();
    if (!rhs)
      return nullptr;
    lhs = binary(op, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseUnary() {
  DepthScope scope(depth);
  SMLoc loc = tok.getLoc();
  if (!consumeIf(Tok::Minus))
    return parsePrimary();
  if (!enter())
    return nullptr;
  ExprPtr operand = parseUnary();
  if (!operand)
    return nullptr;
  auto e = std::make_unique<Expr>(Expr::Kind::Negate, loc);
  e->operands.push_back(std::move(operand));
  return measured(std::move(e));
}

ExprPtr Parser::parsePrimary() {
  DepthScope scope(depth);
  SMLoc loc = tok.getLoc();
  switch (tok.kind) {
  case Tok::Integer:
  case Tok::Float: {
    auto e = std::make_unique<Expr>(Expr::Kind::Number, loc);
    std::string text = tok.text.str();
    char *end = nullptr;
    e->number = std::strtod(text.c_str(), &end);
    e->integer = tok.is(Tok::Integer);
    if (!std::isfinite(e->number) || std::fabs(e->number) > 3.4028234663852886e38) {
      fail(loc, "the number " + tok.text + " does not fit in f32");
      return nullptr;
    }
    consume();
    return e;
  }
  case Tok::KwInf: {
    auto e = std::make_unique<Expr>(Expr::Kind::Number, loc);
    e->number = INFINITY;
    consume();
    return e;
  }
  case Tok::LParen: {
    consume();
    if (!enter())
      return nullptr;
    ExprPtr inner = parseExpr();
    if (!inner || !expect(Tok::RParen))
      return nullptr;
    return inner;
  }
  case Tok::KwSum: {
    consume();
    if (!enter())
      return nullptr;
    auto e = std::make_unique<Expr>(Expr::Kind::Sum, loc);
    if (!expect(Tok::LParen, " and the indices to sum over"))
      return nullptr;
    do {
      Name index;
      if (!parseName(index, "an index to sum over"))
        return nullptr;
      e->indices.push_back(index);
    } while (consumeIf(Tok::Comma));
    if (!expect(Tok::RParen, " or ','") ||
        !expect(Tok::LParen, ": the summand is written in parentheses, "
                             "sum(i)(...)"))
      return nullptr;
    ExprPtr body = parseExpr();
    if (!body || !expect(Tok::RParen))
      return nullptr;
    e->operands.push_back(std::move(body));
    return measured(std::move(e));
  }
  case Tok::Identifier:
    return parseRef();
  default:
    expected("an expression");
    return nullptr;
  }
}

// NAME ( args )  |  NAME '? ( [ subscripts ] )?
ExprPtr Parser::parseRef() {
  DepthScope scope(depth);
  SMLoc loc = tok.getLoc();
  Name name{tok.text, loc};
  consume();
  if (consumeIf(Tok::LParen)) {
    if (!enter())
      return nullptr;
    auto e = std::make_unique<Expr>(Expr::Kind::Call, loc);
    e->name = name;
    if (!consumeIf(Tok::RParen)) {
      do {
        ExprPtr arg = parseExpr();
        if (!arg)
          return nullptr;
        e->operands.push_back(std::move(arg));
      } while (consumeIf(Tok::Comma));
      if (!expect(Tok::RParen, " or ','"))
        return nullptr;
    }
    return measured(std::move(e));
  }
  auto e = std::make_unique<Expr>(Expr::Kind::Ref, loc);
  e->name = name;
  e->primed = consumeIf(Tok::Prime);
  if (!consumeIf(Tok::LBracket))
    return e;
  e->subscripted = true;
  do {
    Subscript s;
    if (tok.is(Tok::Integer)) { // a constant subscript: index empty
      s.index.loc = tok.getLoc();
      SMLoc at;
      if (!parseInteger(s.offset, at))
        return nullptr;
      e->subscripts.push_back(s);
      continue;
    }
    if (!parseName(s.index, "an index or an integer"))
      return nullptr;
    if (consumeIf(Tok::Colon) && !parseName(s.dim, "a dimension's name"))
      return nullptr;
    if (tok.is(Tok::Plus) || tok.is(Tok::Minus)) {
      bool negative = tok.is(Tok::Minus);
      consume();
      SMLoc at;
      if (!parseInteger(s.offset, at))
        return nullptr;
      if (negative)
        s.offset = -s.offset;
      s.hasOffset = true;
    }
    e->subscripts.push_back(s);
  } while (consumeIf(Tok::Comma));
  if (!expect(Tok::RBracket, " or ','"))
    return nullptr;
  return e;
}

std::optional<File> mixir::mix::parse(llvm::StringRef buffer, ErrorFn error) {
  return Parser(buffer, error).parseFile();
}
