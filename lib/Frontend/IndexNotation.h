//===- IndexNotation.h - a .mix statement as linalg.generics ----*- C++ -*-===//
//
// Lowers one statement `y[i, j] = expr` to the linalg.generic that computes
// it (docs/mix-language.md, "Statements"): the left side's indices are the
// parallel loops, in order; every indexed read is an input read through the
// map its subscripts spell; every `sum(k)(...)` is its own zero-started
// reduction generic, read by the enclosing one. The checks (indices bound
// and agreeing in size, subscripts within bounds, numbers where numbers are
// needed, functions and their arities) all run before any IR is built, so a
// bad statement builds nothing.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_FRONTEND_INDEXNOTATION_H
#define MIXIR_LIB_FRONTEND_INDEXNOTATION_H

#include "AST.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Location.h"
#include "mlir/Support/LLVM.h"

#include <optional>

namespace mixir::mix {

/// What a name read in an expression is: an f32 tensor of static shape, or
/// a constant (a dimension's size).
struct Operand {
  mlir::Value tensor;
  double constant = 0;
  /// The signature's names of the tensor's dimensions, when it has them:
  /// two dynamic dimensions agree when their names do.
  llvm::SmallVector<llvm::StringRef> dimNames;
};

/// The context a statement is lowered in: how names resolve (reporting an
/// error and returning failure for one that does not), where errors go.
class StatementContext {
public:
  virtual ~StatementContext() = default;
  virtual mlir::FailureOr<Operand> resolve(const Expr &ref) = 0;
  /// The static size of the dimension `name`.
  virtual mlir::FailureOr<int64_t> dimensionSize(const Name &name) = 0;
  virtual mlir::Location getLoc(llvm::SMLoc loc) = 0;
  mlir::InFlightDiagnostic error(llvm::SMLoc loc) {
    return mlir::emitError(getLoc(loc));
  }
};

/// Builds `target = value` at `b`'s insertion point and returns the f32
/// tensor it defines. `shape` is the target's when it is known (a state, a
/// result; `dimNames` its dimensions' names); otherwise the indices' sizes
/// give it. A dynamic size is read from a tensor that has it. `value` may
/// be rewritten (a constant factor of a sum is moved into it).
mlir::FailureOr<mlir::Value>
lowerStatement(mlir::OpBuilder &b, StatementContext &context,
               const Expr &target, std::optional<llvm::ArrayRef<int64_t>> shape,
               ExprPtr &value, llvm::ArrayRef<llvm::StringRef> dimNames = {});

} // namespace mixir::mix

#endif // MIXIR_LIB_FRONTEND_INDEXNOTATION_H
