//===- RegionExpr.cpp - a .mix expression as the scalar ops of a region ---===//
#include "RegionExpr.h"

#include "Functions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"

#include <cmath>

using namespace mlir;
using namespace mixir::mix;

namespace {
/// Integers (indices, sizes, ids) stay exact below this magnitude; a
/// larger integer literal is a float.
constexpr double kMaxIntegerLiteral = double(int64_t(1) << 40);

ArrayRef<int64_t> shapeOf(Value tensor) {
  return cast<RankedTensorType>(tensor.getType()).getShape();
}
} // namespace

LogicalResult RegionExpr::check(const Expr &e, ScalarKind want,
                                llvm::StringRef what) {
  root = &e;
  this->want = want;
  FailureOr<ScalarKind> kind = checkExpr(e);
  if (failed(kind))
    return failure();
  if (want == ScalarKind::Condition && *kind != ScalarKind::Condition)
    return context.error(e.loc)
           << what << " is a condition (a comparison such as s <= t), not a "
              "number";
  if (want != ScalarKind::Condition && *kind == ScalarKind::Condition)
    return context.error(e.loc)
           << what << " is a number, not a condition: choose with "
              "select(condition, a, b)";
  return success();
}

LogicalResult RegionExpr::checkRead(const Expr &e, const RegionTensor &tensor) {
  llvm::StringRef name = e.name.text;
  ArrayRef<int64_t> shape = shapeOf(tensor.value);
  if (!e.subscripted && !shape.empty())
    return context.error(e.loc) << "'" << name << "' has " << shape.size()
                                << " dimensions: read it with subscripts, "
                                << name << "[...]";
  if (e.subscripts.size() != shape.size())
    return context.error(e.loc) << "'" << name << "' has " << shape.size()
                                << " dimensions but is read with "
                                << e.subscripts.size() << " subscripts";
  for (auto [d, s] : llvm::enumerate(e.subscripts)) {
    const int64_t size = shape[d];
    llvm::StringRef dimName = d < tensor.dimNames.size() ? tensor.dimNames[d] : "";
    if (!s.dim.text.empty())
      return context.error(s.dim.loc)
             << "a read's subscript takes no dimension";
    if (s.index.text.empty()) {
      if (ShapedType::isDynamic(size))
        return context.error(s.index.loc)
               << "dimension " << d << " of '" << name
               << "' is dynamic: subscript " << s.offset
               << " could be beyond its end";
      if (s.offset >= size)
        return context.error(s.index.loc)
               << "subscript " << s.offset << " is beyond the last element ("
               << size - 1 << ") of dimension " << d << " of '" << name << "'";
      continue;
    }
    auto it = scalars.find(s.index.text);
    if (it == scalars.end() || it->second.kind != ScalarKind::Integer ||
        it->second.over.empty())
      return context.error(s.index.loc)
             << "'" << s.index.text
             << "' is not an index here (a mask or score reads tensors at "
                "b, h, t, s and constants)";
    if (s.hasOffset)
      return context.error(s.index.loc)
             << "a mask or score reads a tensor at plain indices, not '"
             << s.index.text << (s.offset < 0 ? " - " : " + ")
             << std::abs(s.offset) << "' (which could leave the tensor)";
    const RegionScalar &index = it->second;
    bool sameDim = !dimName.empty() && dimName == index.dimName;
    bool fits = !ShapedType::isDynamic(size) &&
                !ShapedType::isDynamic(index.dimSize) && index.dimSize <= size;
    if (!sameDim && !fits) {
      InFlightDiagnostic diag = context.error(s.index.loc);
      diag << "'" << s.index.text << "' runs over " << index.over;
      if (!index.dimName.empty())
        diag << " (" << index.dimName << ")";
      diag << " but reads dimension " << d << " of '" << name << "'";
      if (!dimName.empty())
        diag << " (" << dimName << ")";
      return diag << ", which may be shorter";
    }
  }
  return success();
}

FailureOr<ScalarKind> RegionExpr::checkExpr(const Expr &e) {
  auto record = [&](ScalarKind k) -> FailureOr<ScalarKind> {
    kinds[&e] = k;
    return k;
  };
  // The operands' kinds; numbers required unless `conditions`.
  auto operandKinds = [&](bool conditions,
                          llvm::StringRef op) -> FailureOr<SmallVector<ScalarKind>> {
    SmallVector<ScalarKind> ks;
    for (const ExprPtr &operand : e.operands) {
      FailureOr<ScalarKind> k = checkExpr(*operand);
      if (failed(k))
        return failure();
      if (conditions != (*k == ScalarKind::Condition))
        return context.error(operand->loc)
               << "'" << op << "' takes "
               << (conditions ? "conditions (comparisons), not numbers"
                              : "numbers, not a condition (a comparison)");
      ks.push_back(*k);
    }
    return ks;
  };
  auto numeric = [](ArrayRef<ScalarKind> ks) {
    return llvm::all_of(ks, [](ScalarKind k) { return k == ScalarKind::Integer; })
               ? ScalarKind::Integer
               : ScalarKind::Float;
  };
  switch (e.kind) {
  case Expr::Kind::Number:
    return record(e.integer && std::fabs(e.number) <= kMaxIntegerLiteral
                      ? ScalarKind::Integer
                      : ScalarKind::Float);
  case Expr::Kind::Ref: {
    llvm::StringRef name = e.name.text;
    if (e.primed)
      return context.error(e.loc) << "'" << name << "'' is a state's new "
                                     "value; a mask or score has no state";
    if (!e.subscripted)
      if (auto it = scalars.find(name); it != scalars.end())
        return record(it->second.kind);
    if (const RegionTensor *tensor = context.lookupTensor(name)) {
      if (failed(checkRead(e, *tensor)))
        return failure();
      reads[&e] = tensor;
      Type element =
          cast<RankedTensorType>(tensor->value.getType()).getElementType();
      return record(element.isInteger(32) ? ScalarKind::Integer
                                          : ScalarKind::Float);
    }
    if (e.subscripted)
      return context.error(e.loc) << "undefined tensor '" << name << "'";
    FailureOr<OpFoldResult> size = context.dimensionSize(e);
    if (failed(size))
      return failure();
    dimensions[&e] = *size;
    return record(ScalarKind::Integer);
  }
  case Expr::Kind::Call: {
    FailureOr<const Function *> f =
        lookupFunction(e, [&](llvm::SMLoc at) { return context.error(at); });
    if (failed(f))
      return failure();
    llvm::StringRef name = (*f)->name;
    if (name == "select") {
      FailureOr<ScalarKind> c = checkExpr(*e.operands[0]);
      if (failed(c))
        return failure();
      if (*c != ScalarKind::Condition)
        return context.error(e.operands[0]->loc)
               << "select's first argument is a condition (a comparison), "
                  "not a number";
      SmallVector<ScalarKind> ks;
      for (unsigned i : {1, 2}) {
        FailureOr<ScalarKind> k = checkExpr(*e.operands[i]);
        if (failed(k))
          return failure();
        if (*k == ScalarKind::Condition)
          return context.error(e.operands[i]->loc)
                 << "select chooses between numbers, not conditions";
        ks.push_back(*k);
      }
      return record(numeric(ks));
    }
    FailureOr<SmallVector<ScalarKind>> ks = operandKinds(false, name);
    if (failed(ks))
      return failure();
    if (name == "max" || name == "min")
      return record(numeric(*ks));
    return record(ScalarKind::Float);
  }
  case Expr::Kind::Binary: {
    if (e.op == Tok::KwAnd || e.op == Tok::KwOr) {
      if (failed(operandKinds(true, e.op == Tok::KwAnd ? "and" : "or")))
        return failure();
      return record(ScalarKind::Condition);
    }
    FailureOr<SmallVector<ScalarKind>> ks =
        operandKinds(false, describe(e.op).trim('\''));
    if (failed(ks))
      return failure();
    if (isComparison(e.op))
      return record(ScalarKind::Condition);
    // A quotient is a float, even of two integers.
    if (e.op == Tok::Slash)
      return record(ScalarKind::Float);
    return record(numeric(*ks));
  }
  case Expr::Kind::Negate: {
    FailureOr<SmallVector<ScalarKind>> ks = operandKinds(false, "-");
    if (failed(ks))
      return failure();
    return record((*ks)[0]);
  }
  case Expr::Kind::Not:
    if (failed(operandKinds(true, "not")))
      return failure();
    return record(ScalarKind::Condition);
  case Expr::Kind::Sum:
    return context.error(e.loc) << "a mask or score has no sums";
  }
  llvm_unreachable("unknown expression");
}

Value RegionExpr::converted(OpBuilder &b, Location loc, Value v,
                            ScalarKind from, ScalarKind to) {
  if (from != ScalarKind::Integer || to != ScalarKind::Float)
    return v;
  Value wide = arith::IndexCastOp::create(b, loc, b.getI64Type(), v);
  return arith::SIToFPOp::create(b, loc, b.getF32Type(), wide);
}

Value RegionExpr::emit(OpBuilder &b, const llvm::StringMap<Value> &args) {
  this->args = &args;
  Value v = emitExpr(b, *root);
  return converted(b, context.getLoc(root->loc), v, kinds.at(root), want);
}

Value RegionExpr::emitExpr(OpBuilder &b, const Expr &e) {
  Location loc = context.getLoc(e.loc);
  const ScalarKind kind = kinds.at(&e);
  // Operand i, converted to `to`.
  auto operand = [&](unsigned i, ScalarKind to) {
    const Expr &x = *e.operands[i];
    return converted(b, loc, emitExpr(b, x), kinds.at(&x), to);
  };
  switch (e.kind) {
  case Expr::Kind::Number:
    if (kind == ScalarKind::Integer)
      return arith::ConstantIndexOp::create(b, loc, int64_t(e.number));
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(float(e.number)));
  case Expr::Kind::Ref: {
    if (auto it = dimensions.find(&e); it != dimensions.end()) {
      if (auto size = dyn_cast<Attribute>(it->second)) // static: in the region
        return arith::ConstantIndexOp::create(
            b, loc, cast<IntegerAttr>(size).getInt());
      return cast<Value>(it->second); // tensor.dim, before the op
    }
    auto read = reads.find(&e);
    if (read == reads.end())
      return args->lookup(e.name.text);
    SmallVector<Value> indices;
    for (const Subscript &s : e.subscripts)
      indices.push_back(s.index.text.empty()
                            ? arith::ConstantIndexOp::create(b, loc, s.offset)
                            : args->lookup(s.index.text));
    Value x = tensor::ExtractOp::create(b, loc, read->second->value, indices);
    if (x.getType().isInteger(32)) // an id: index arithmetic from here
      return arith::IndexCastOp::create(b, loc, b.getIndexType(), x);
    if (!x.getType().isF32())
      return arith::ExtFOp::create(b, loc, b.getF32Type(), x);
    return x;
  }
  case Expr::Kind::Negate: {
    Value x = operand(0, kind);
    if (kind == ScalarKind::Integer)
      return arith::SubIOp::create(
          b, loc, arith::ConstantIndexOp::create(b, loc, 0), x);
    return arith::NegFOp::create(b, loc, x);
  }
  case Expr::Kind::Not: {
    Value one = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
    return arith::XOrIOp::create(b, loc, operand(0, ScalarKind::Condition), one);
  }
  case Expr::Kind::Binary: {
    if (e.op == Tok::KwAnd || e.op == Tok::KwOr) {
      Value x = operand(0, ScalarKind::Condition),
            y = operand(1, ScalarKind::Condition);
      if (e.op == Tok::KwAnd)
        return arith::AndIOp::create(b, loc, x, y);
      return arith::OrIOp::create(b, loc, x, y);
    }
    // The operands' common kind: integers only if both are.
    ScalarKind common = kinds.at(e.operands[0].get()) == ScalarKind::Integer &&
                                kinds.at(e.operands[1].get()) ==
                                    ScalarKind::Integer &&
                                e.op != Tok::Slash
                            ? ScalarKind::Integer
                            : ScalarKind::Float;
    Value x = operand(0, common), y = operand(1, common);
    if (isComparison(e.op))
      return emitComparison(b, loc, e.op, x, y);
    if (common == ScalarKind::Integer) {
      if (e.op == Tok::Plus)
        return arith::AddIOp::create(b, loc, x, y);
      if (e.op == Tok::Minus)
        return arith::SubIOp::create(b, loc, x, y);
      return arith::MulIOp::create(b, loc, x, y);
    }
    switch (e.op) {
    case Tok::Plus: return arith::AddFOp::create(b, loc, x, y);
    case Tok::Minus: return arith::SubFOp::create(b, loc, x, y);
    case Tok::Star: return arith::MulFOp::create(b, loc, x, y);
    default: return arith::DivFOp::create(b, loc, x, y);
    }
  }
  case Expr::Kind::Call: {
    llvm::StringRef f = e.name.text;
    if (f == "select") {
      Value c = operand(0, ScalarKind::Condition);
      Value x = operand(1, kind), y = operand(2, kind);
      return arith::SelectOp::create(b, loc, c, x, y);
    }
    if (kind == ScalarKind::Integer) { // max or min of integers
      Value x = operand(0, kind), y = operand(1, kind);
      if (f == "max")
        return arith::MaxSIOp::create(b, loc, x, y);
      return arith::MinSIOp::create(b, loc, x, y);
    }
    SmallVector<Value, 3> xs;
    for (unsigned i = 0; i < e.operands.size(); ++i)
      xs.push_back(operand(i, ScalarKind::Float));
    return emitFunction(b, loc, f, xs);
  }
  case Expr::Kind::Sum:
    break;
  }
  llvm_unreachable("a checked expression");
}
