//===- Functions.h - the functions a .mix expression may call ---*- C++ -*-===//
//
// One table of the functions (docs/mix-language.md, "Functions and
// operators"), one check of a call against it, one lowering of a call on
// f32 operands and one of a comparison, shared by statements
// (linalg.generic bodies) and by an attention call's mask and score (region
// bodies).
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_FRONTEND_FUNCTIONS_H
#define MIXIR_LIB_FRONTEND_FUNCTIONS_H

#include "AST.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LLVM.h"

namespace mixir::mix {

struct Function {
  llvm::StringLiteral name;
  unsigned arity;
};

/// The function `call` names, with its arity checked; otherwise an error
/// (emitted through `error`) that lists the functions.
mlir::FailureOr<const Function *>
lookupFunction(const Expr &call,
               llvm::function_ref<mlir::InFlightDiagnostic(llvm::SMLoc)> error);

/// `name` applied to `args`: f32 values, but for select's i1 condition.
mlir::Value emitFunction(mlir::OpBuilder &b, mlir::Location loc,
                         llvm::StringRef name, mlir::ValueRange args);

/// Whether `op` is one of < <= > >= == !=.
bool isComparison(Tok op);

/// The comparison `op` of x and y: signed on integers (index), ordered on
/// floats (`!=` unordered, so true for NaN).
mlir::Value emitComparison(mlir::OpBuilder &b, mlir::Location loc, Tok op,
                           mlir::Value x, mlir::Value y);

} // namespace mixir::mix

#endif // MIXIR_LIB_FRONTEND_FUNCTIONS_H
