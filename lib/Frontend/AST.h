//===- AST.h - the .mix language's syntax tree ------------------*- C++ -*-===//
//
// What the parser builds and the lowering reads (docs/mix-language.md). Every
// node keeps the location of its first token, where its errors point.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_FRONTEND_AST_H
#define MIXIR_LIB_FRONTEND_AST_H

#include "Lexer.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <memory>
#include <optional>
#include <vector>

namespace mixir::mix {

/// A name and where it was written.
struct Name {
  llvm::StringRef text;
  llvm::SMLoc loc;
};

/// One subscript of a read: an index plus a constant, `d + 256`, or a
/// constant alone (`index.text` empty).
struct Subscript {
  Name index;
  int64_t offset = 0;
  /// Whether an offset was written (`d + 0` reads a window, `d` the whole
  /// dimension).
  bool hasOffset = false;
  /// On a left side only: the dimension that sizes the index, `d: H`.
  Name dim;
};

struct Expr {
  enum class Kind {
    Number, // 1.5, 2, inf
    Ref,    // x, x[i, j], S'[h, i, j]
    Call,   // exp(x), max(a, b)
    Binary, // a + b, a < b, a and b
    Negate, // -a
    Not,    // not a
    Sum,    // sum(i, j)(body)
  };
  Kind kind;
  llvm::SMLoc loc;
  /// The longest path to a leaf (1 for a leaf), bounded by the parser.
  int height = 1;

  double number = 0;    // Number
  bool integer = false; // Number: written as an integer (2, not 2.0)
  Name name;            // Ref (the tensor), Call (the function)
  bool primed = false;  // Ref: S', a state's new value
  bool subscripted = false;
  llvm::SmallVector<Subscript> subscripts; // Ref
  Tok op = Tok::Eof;                       // Binary
  llvm::SmallVector<Name> indices;         // Sum
  std::vector<std::unique_ptr<Expr>> operands; // Call, Binary, Negate, Not, Sum

  Expr(Kind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
};
using ExprPtr = std::unique_ptr<Expr>;

/// A dimension of a declared type: `H=4`, or `T` (sized elsewhere or
/// dynamic).
struct DimDecl {
  Name name;
  std::optional<int64_t> size;
  llvm::SMLoc sizeLoc;
};

/// `f32[B, T, H=4, K=64]`.
struct TypeDecl {
  Name elementType;
  llvm::SmallVector<DimDecl> dims;
};

/// An argument or result: `q: f32[B, T, H, K]`.
struct Param {
  Name name;
  TypeDecl type;
};

/// An argument of a structured op's call: positional (`q`, or a flag such
/// as `delta_rule`) or a keyword with a value (`gate = g`, `scale = 0.125`,
/// `low_rank = (a, b)`).
struct CallArgument {
  Name keyword;                // empty when positional
  std::vector<ExprPtr> values; // several for a tuple
};

struct Statement {
  enum class Kind {
    State,  // state S[H, K, V] = init
    Assign, // target[i, j] = value, S'[i, j] = value
    Final,  // RES = final S
    Call,   // (o, hT) = semiseparable(q, k, v, gate = g, ...)
  };
  Kind kind;
  llvm::SMLoc loc;
  Name name;                        // State: the state; Final: the result
  llvm::SmallVector<Name> dims;     // State: its dimensions
  ExprPtr target;                   // Assign: a Ref with plain indices
  ExprPtr value;                    // State: the initial value; Assign
  Name state;                       // Final
  llvm::SmallVector<Name> targets;  // Call: the results it defines
  Name callee;                      // Call: the structured op
  std::vector<CallArgument> arguments; // Call

  Statement(Kind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
};

struct Recurrence {
  llvm::SMLoc loc;
  std::vector<Statement> statements;
};

/// What a mixer's body holds, in order: recurrence blocks and statements
/// on whole tensors (over b, t, ...), each a structured op's call or an
/// index-notation assignment.
struct Item {
  std::unique_ptr<Recurrence> recurrence;
  std::unique_ptr<Statement> statement;
};

struct Mixer {
  Name name;
  std::vector<Param> args, results;
  std::vector<Item> items;
};

struct File {
  std::vector<Mixer> mixers;
};

} // namespace mixir::mix

#endif // MIXIR_LIB_FRONTEND_AST_H
