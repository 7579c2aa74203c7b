//===- Functions.cpp - the functions a .mix expression may call -----------===//
#include "Functions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mixir::mix;

namespace {
constexpr Function kFunctions[] = {
    {"exp", 1},     {"exp2", 1},  {"log", 1},   {"sqrt", 1},  {"tanh", 1},
    {"sigmoid", 1}, {"softplus", 1}, {"expm1", 1}, {"log1p", 1}, {"cos", 1},
    {"sin", 1},     {"abs", 1},   {"relu", 1},  {"max", 2},   {"min", 2},
    {"select", 3}};
} // namespace

FailureOr<const Function *> mixir::mix::lookupFunction(
    const Expr &call, function_ref<InFlightDiagnostic(llvm::SMLoc)> error) {
  const Function *f = llvm::find_if(
      kFunctions, [&](const Function &f) { return f.name == call.name.text; });
  if (f == std::end(kFunctions)) {
    InFlightDiagnostic d = error(call.loc);
    d << "unknown function '" << call.name.text << "' (the functions are";
    for (const Function &known : kFunctions)
      d << " " << known.name;
    return d << ")";
  }
  if (call.operands.size() != f->arity)
    return error(call.loc) << "'" << f->name << "' takes " << f->arity
                           << (f->arity == 1 ? " argument" : " arguments")
                           << ", not " << call.operands.size();
  return f;
}

Value mixir::mix::emitFunction(OpBuilder &b, Location loc, llvm::StringRef f,
                               ValueRange xs) {
  auto constant = [&](float x) -> Value {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(x));
  };
  if (f == "select")
    return arith::SelectOp::create(b, loc, xs[0], xs[1], xs[2]);
  if (f == "max")
    return arith::MaximumFOp::create(b, loc, xs[0], xs[1]);
  if (f == "min")
    return arith::MinimumFOp::create(b, loc, xs[0], xs[1]);
  Value x = xs[0];
  if (f == "exp") return math::ExpOp::create(b, loc, x);
  if (f == "exp2") return math::Exp2Op::create(b, loc, x);
  if (f == "log") return math::LogOp::create(b, loc, x);
  if (f == "sqrt") return math::SqrtOp::create(b, loc, x);
  if (f == "tanh") return math::TanhOp::create(b, loc, x);
  if (f == "expm1") return math::ExpM1Op::create(b, loc, x);
  if (f == "log1p") return math::Log1pOp::create(b, loc, x);
  if (f == "cos") return math::CosOp::create(b, loc, x);
  if (f == "sin") return math::SinOp::create(b, loc, x);
  if (f == "abs") return math::AbsFOp::create(b, loc, x);
  if (f == "relu")
    return arith::MaximumFOp::create(b, loc, x, constant(0.0f));
  if (f == "sigmoid") {
    // σ(x) = 1 / (1 + exp(−x))
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    Value one = constant(1.0f);
    return arith::DivFOp::create(b, loc, one,
                                 arith::AddFOp::create(b, loc, one, e));
  }
  assert(f == "softplus" && "a function of the table");
  // softplus(x) = log(1 + exp(x)) = max(x, 0) + log1p(exp(−|x|)), the
  // second form finite for every x.
  Value a = math::AbsFOp::create(b, loc, x);
  Value tail = math::Log1pOp::create(
      b, loc, math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, a)));
  Value pos = arith::MaximumFOp::create(b, loc, x, constant(0.0f));
  return arith::AddFOp::create(b, loc, pos, tail);
}

bool mixir::mix::isComparison(Tok op) {
  return op == Tok::Less || op == Tok::LessEqual || op == Tok::Greater ||
         op == Tok::GreaterEqual || op == Tok::EqualEqual ||
         op == Tok::NotEqual;
}

Value mixir::mix::emitComparison(OpBuilder &b, Location loc, Tok op, Value x,
                                 Value y) {
  if (x.getType().isIntOrIndex()) {
    using P = arith::CmpIPredicate;
    P p = op == Tok::Less           ? P::slt
          : op == Tok::LessEqual    ? P::sle
          : op == Tok::Greater      ? P::sgt
          : op == Tok::GreaterEqual ? P::sge
          : op == Tok::EqualEqual   ? P::eq
                                    : P::ne;
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  using P = arith::CmpFPredicate;
  P p = op == Tok::Less           ? P::OLT
        : op == Tok::LessEqual    ? P::OLE
        : op == Tok::Greater      ? P::OGT
        : op == Tok::GreaterEqual ? P::OGE
        : op == Tok::EqualEqual   ? P::OEQ
                                  : P::UNE;
  return arith::CmpFOp::create(b, loc, p, x, y);
}
