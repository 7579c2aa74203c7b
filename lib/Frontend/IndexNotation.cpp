//===- IndexNotation.cpp - a .mix statement as linalg.generics ------------===//
#include "IndexNotation.h"

#include "Functions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>
#include <string>

using namespace mlir;
using namespace mixir::mix;

namespace {

/// What an expression computes: a number (f32) or a condition (i1).
enum class Kind { Number, Condition };


std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? ", " : "") +
         (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d));
  return s + "]";
}

std::string sizeString(int64_t size) {
  return ShapedType::isDynamic(size) ? "dynamic" : std::to_string(size);
}

/// How long a loop is: a static size, or a dynamic one read from a
/// dimension of a tensor the statement reads.
struct Extent {
  int64_t size = ShapedType::kDynamic;
  Value source;
  unsigned sourceDim = 0;
  llvm::StringRef dimName; // the signature's name of a dynamic one
};

ArrayRef<int64_t> shapeOf(Value tensor) {
  return cast<RankedTensorType>(tensor.getType()).getShape();
}

/// A literal, or literals combined by arithmetic: what a sum's constant
/// factor may be.
bool isLiteral(const Expr &e) {
  switch (e.kind) {
  case Expr::Kind::Number:
    return true;
  case Expr::Kind::Negate:
    return isLiteral(*e.operands[0]);
  case Expr::Kind::Binary:
    return !isComparison(e.op) && e.op != Tok::KwAnd && e.op != Tok::KwOr &&
           isLiteral(*e.operands[0]) && isLiteral(*e.operands[1]);
  default:
    return false;
  }
}

/// Moves a constant factor of a statement's sum into the sum:
/// sum(i)(x)·c = sum(i)(x·c), so that the statement is one contraction
/// (the form the raise reads a read-out in). Exact up to rounding.
void foldScaleIntoSum(ExprPtr &value) {
  while (value->kind == Expr::Kind::Binary &&
         (value->op == Tok::Star || value->op == Tok::Slash)) {
    ExprPtr &lhs = value->operands[0], &rhs = value->operands[1];
    int sumSide = -1;
    if (lhs->kind == Expr::Kind::Sum && isLiteral(*rhs))
      sumSide = 0;
    else if (value->op == Tok::Star && rhs->kind == Expr::Kind::Sum &&
             isLiteral(*lhs))
      sumSide = 1;
    if (sumSide < 0)
      return;
    ExprPtr sum = std::move(value->operands[sumSide]);
    ExprPtr factor = std::move(value->operands[1 - sumSide]);
    auto product = std::make_unique<Expr>(Expr::Kind::Binary, sum->loc);
    product->op = value->op;
    product->height = std::max(sum->operands[0]->height, factor->height) + 1;
    product->operands.push_back(std::move(sum->operands[0]));
    product->operands.push_back(std::move(factor));
    sum->operands[0] = std::move(product);
    value = std::move(sum);
  }
}

/// An index of the statement: a loop of the left side or of a sum.
struct Index {
  llvm::StringRef name;
  bool sized = false;
  Extent extent;
  /// What gave it its size, for messages: "o ([4, 64])".
  std::string boundBy;
  bool read = false;
};

/// A read with an offset, checked once its index's size is known.
struct OffsetRead {
  const Subscript *subscript;
  unsigned index;
  int64_t dimSize;
  std::string tensor;
};

/// Everything checked before building: the indices' sizes, each read's
/// operand, each sum's index sizes.
class Checker {
public:
  explicit Checker(StatementContext &context) : context(context) {}

  /// Binds the left side's indices; `shape` when the target's is known.
  LogicalResult bindTarget(const Expr &target,
                           std::optional<ArrayRef<int64_t>> shape,
                           ArrayRef<llvm::StringRef> dimNames);
  FailureOr<Kind> check(const Expr &e);
  /// The left side's loops, once check() has sized them.
  LogicalResult finish(const Expr &target);

  DenseMap<const Expr *, Operand> operands;
  /// Bare names that are indices in scope: read as their value (a number).
  llvm::DenseSet<const Expr *> indexValues;
  DenseMap<const Expr *, SmallVector<Extent>> sumExtents;
  SmallVector<Extent> targetExtents;
  SmallVector<int64_t> targetSizes;

private:
  LogicalResult bind(const Subscript &s, const Operand &operand,
                     const std::string &by, unsigned dim);
  LogicalResult checkOffsets(ArrayRef<unsigned> indices);
  InFlightDiagnostic error(llvm::SMLoc loc) { return context.error(loc); }

  StatementContext &context;
  std::vector<Index> indices;      // all of the statement's
  SmallVector<unsigned> visible;   // those in scope, innermost last
  SmallVector<OffsetRead> offsetReads;
  unsigned numTarget = 0;
};
} // namespace

LogicalResult Checker::bindTarget(const Expr &target,
                                  std::optional<ArrayRef<int64_t>> shape,
                                  ArrayRef<llvm::StringRef> dimNames) {
  llvm::StringRef name = target.name.text;
  if (shape && !target.subscripted && !shape->empty())
    return error(target.loc)
           << "'" << name << "' has shape " << shapeString(*shape)
           << ": write the indices it is assigned at, " << name << "[...]";
  if (shape && target.subscripts.size() != shape->size())
    return error(target.loc)
           << "'" << name << "' has " << shape->size() << " dimensions ("
           << shapeString(*shape) << ") but is assigned with "
           << target.subscripts.size() << " indices";
  for (auto [d, s] : llvm::enumerate(target.subscripts)) {
    for (unsigned seen : visible)
      if (indices[seen].name == s.index.text)
        return error(s.index.loc) << "index '" << s.index.text
                                  << "' appears twice on the left side";
    Index index{s.index.text};
    if (!s.dim.text.empty()) {
      FailureOr<int64_t> size = context.dimensionSize(s.dim);
      if (failed(size))
        return failure();
      if (shape && (*shape)[d] != *size)
        return error(s.dim.loc)
               << "'" << s.dim.text << "' is " << *size << " but dimension "
               << d << " of '" << name << "' is " << sizeString((*shape)[d]);
      index.sized = true;
      index.extent.size = *size;
      index.boundBy = "'" + s.index.text.str() + ": " + s.dim.text.str() + "'";
    }
    if (shape) {
      // A dynamic size is known to be dynamic; a read gives its source.
      index.sized = true;
      index.extent.size = (*shape)[d];
      if (d < dimNames.size())
        index.extent.dimName = dimNames[d];
      index.boundBy =
          name.str() + (target.primed ? "' " : " ") + shapeString(*shape);
    }
    visible.push_back(indices.size());
    indices.push_back(index);
  }
  numTarget = visible.size();
  return success();
}

LogicalResult Checker::bind(const Subscript &s, const Operand &operand,
                            const std::string &by, unsigned dim) {
  const int64_t dimSize = shapeOf(operand.tensor)[dim];
  llvm::StringRef dimName =
      dim < operand.dimNames.size() ? operand.dimNames[dim] : "";
  if (ShapedType::isDynamic(dimSize) && (s.index.text.empty() || s.hasOffset))
    return error(s.index.loc)
           << "dimension " << dim << " of " << by
           << " is dynamic: it is read whole, through a plain index";
  if (s.index.text.empty()) {
    if (s.offset < dimSize)
      return success();
    return error(s.index.loc) << "subscript " << s.offset
                              << " is beyond the last element ("
                              << dimSize - 1 << ") of " << by;
  }
  auto it = llvm::find_if(llvm::reverse(visible), [&](unsigned i) {
    return indices[i].name == s.index.text;
  });
  if (it == visible.rend())
    return error(s.index.loc)
           << "index '" << s.index.text
           << "' is neither an index of the left side nor summed over "
              "(sum(" << s.index.text << ")(...))";
  Index &index = indices[*it];
  index.read = true;
  if (s.offset < 0)
    return error(s.index.loc) << "a subscript's offset is at least 0 (" 
                              << s.index.text << " " << s.offset << ")";
  if (s.hasOffset) {
    offsetReads.push_back({&s, *it, dimSize, by});
    return success();
  }
  Extent &extent = index.extent;
  if (!index.sized) {
    index.sized = true;
    extent.size = dimSize;
    extent.dimName = dimName;
    index.boundBy = by;
  }
  if (extent.size != dimSize)
    return error(s.index.loc)
           << "index '" << s.index.text << "' is " << sizeString(extent.size)
           << " in " << index.boundBy << " but reads dimension " << dim
           << " of " << by << ", of size " << sizeString(dimSize);
  if (ShapedType::isDynamic(dimSize)) {
    if (!extent.dimName.empty() && !dimName.empty() &&
        extent.dimName != dimName)
      return error(s.index.loc)
             << "index '" << s.index.text << "' is " << extent.dimName
             << " in " << index.boundBy << " but reads dimension " << dim
             << " of " << by << ", " << dimName;
    if (!extent.source) {
      extent.source = operand.tensor;
      extent.sourceDim = dim;
      if (extent.dimName.empty())
        extent.dimName = dimName;
    }
  }
  return success();
}

LogicalResult Checker::checkOffsets(ArrayRef<unsigned> which) {
  for (const OffsetRead &r : offsetReads) {
    if (!llvm::is_contained(which, r.index))
      continue;
    const Index &index = indices[r.index];
    if (!index.sized)
      continue; // reported as an unsized index
    const int64_t size = index.extent.size;
    if (ShapedType::isDynamic(size))
      return error(r.subscript->index.loc)
             << "index '" << index.name << "' is dynamic: it has no window "
                "('" << index.name << " + " << r.subscript->offset << "')";
    if (size + r.subscript->offset <= r.dimSize)
      continue;
    return error(r.subscript->index.loc)
           << "'" << index.name << " + " << r.subscript->offset
           << "' reaches " << size + r.subscript->offset - 1
           << ", beyond the last element (" << r.dimSize - 1 << ") of "
           << r.tensor;
  }
  return success();
}

FailureOr<Kind> Checker::check(const Expr &e) {
  auto numbers = [&](llvm::StringRef what) -> LogicalResult {
    for (const ExprPtr &operand : e.operands) {
      FailureOr<Kind> k = check(*operand);
      if (failed(k))
        return failure();
      if (*k != Kind::Number)
        return error(operand->loc)
               << what << " takes numbers, not a condition (a comparison)";
    }
    return success();
  };
  switch (e.kind) {
  case Expr::Kind::Number:
    return Kind::Number;
  case Expr::Kind::Ref: {
    // A bare index in scope is its value, before any tensor of that name.
    if (!e.subscripted && !e.primed) {
      auto it = llvm::find_if(llvm::reverse(visible), [&](unsigned i) {
        return indices[i].name == e.name.text;
      });
      if (it != visible.rend()) {
        indices[*it].read = true;
        indexValues.insert(&e);
        return Kind::Number;
      }
    }
    FailureOr<Operand> operand = context.resolve(e);
    if (failed(operand))
      return failure();
    operands[&e] = *operand;
    llvm::StringRef name = e.name.text;
    if (!operand->tensor) {
      if (e.subscripted)
        return error(e.loc) << "'" << name
                            << "' is a dimension's size, not a tensor: "
                               "it takes no subscripts";
      return Kind::Number;
    }
    ArrayRef<int64_t> shape = shapeOf(operand->tensor);
    std::string by = name.str() + (e.primed ? "' " : " ") + shapeString(shape);
    if (!e.subscripted && !shape.empty())
      return error(e.loc) << "'" << name << "' has shape "
                          << shapeString(shape)
                          << ": read it with subscripts, " << name << "[...]";
    if (e.subscripts.size() != shape.size())
      return error(e.loc) << "'" << name << "' has " << shape.size()
                          << " dimensions (" << shapeString(shape)
                          << ") but is read with " << e.subscripts.size()
                          << " subscripts";
    for (auto [d, s] : llvm::enumerate(e.subscripts)) {
      if (!s.dim.text.empty())
        return error(s.dim.loc) << "a read's subscript takes no dimension; "
                                   "'i: DIM' sizes an index on a left side";
      if (failed(bind(s, *operand, by, d)))
        return failure();
    }
    return Kind::Number;
  }
  case Expr::Kind::Call: {
    FailureOr<const Function *> f =
        lookupFunction(e, [&](llvm::SMLoc at) { return error(at); });
    if (failed(f))
      return failure();
    if ((*f)->name == "select") {
      FailureOr<Kind> c = check(*e.operands[0]);
      if (failed(c))
        return failure();
      if (*c != Kind::Condition)
        return error(e.operands[0]->loc)
               << "select's first argument is a condition (a comparison), "
                  "not a number";
      for (unsigned i : {1, 2}) {
        FailureOr<Kind> k = check(*e.operands[i]);
        if (failed(k))
          return failure();
        if (*k != Kind::Number)
          return error(e.operands[i]->loc)
                 << "select chooses between numbers, not conditions";
      }
      return Kind::Number;
    }
    if (failed(numbers("'" + (*f)->name.str() + "'")))
      return failure();
    return Kind::Number;
  }
  case Expr::Kind::Binary: {
    if (e.op == Tok::KwAnd || e.op == Tok::KwOr) {
      for (const ExprPtr &operand : e.operands) {
        FailureOr<Kind> k = check(*operand);
        if (failed(k))
          return failure();
        if (*k != Kind::Condition)
          return error(operand->loc)
                 << "'" << (e.op == Tok::KwAnd ? "and" : "or")
                 << "' combines conditions (comparisons), not numbers";
      }
      return Kind::Condition;
    }
    if (failed(numbers("'" + describe(e.op).trim('\'').str() + "'")))
      return failure();
    return isComparison(e.op) ? Kind::Condition : Kind::Number;
  }
  case Expr::Kind::Negate:
    if (failed(numbers("'-'")))
      return failure();
    return Kind::Number;
  case Expr::Kind::Not: {
    FailureOr<Kind> k = check(*e.operands[0]);
    if (failed(k))
      return failure();
    if (*k != Kind::Condition)
      return error(e.operands[0]->loc)
             << "'not' takes a condition (a comparison), not a number";
    return Kind::Condition;
  }
  case Expr::Kind::Sum: {
    SmallVector<unsigned> own;
    for (const Name &n : e.indices) {
      for (unsigned i : own)
        if (indices[i].name == n.text)
          return error(n.loc) << "index '" << n.text
                              << "' appears twice in the sum";
      for (unsigned i : visible)
        if (indices[i].name == n.text)
          return error(n.loc) << "index '" << n.text
                              << "' is already an index here; a sum "
                                 "introduces a new one";
      own.push_back(indices.size());
      visible.push_back(indices.size());
      indices.push_back(Index{n.text});
    }
    FailureOr<Kind> k = check(*e.operands[0]);
    if (failed(k))
      return failure();
    if (*k != Kind::Number)
      return error(e.operands[0]->loc)
             << "a sum adds numbers, not conditions";
    SmallVector<Extent> extents;
    for (auto [n, i] : llvm::zip(e.indices, own)) {
      if (!indices[i].read)
        return error(n.loc) << "summed index '" << n.text
                            << "' is never read";
      if (!indices[i].sized)
        return error(n.loc) << "the size of summed index '" << n.text
                            << "' is not known: it is read only with "
                               "offsets";
      extents.push_back(indices[i].extent);
    }
    if (failed(checkOffsets(own)))
      return failure();
    visible.resize(visible.size() - own.size());
    sumExtents[&e] = extents;
    return Kind::Number;
  }
  }
  llvm_unreachable("unknown expression");
}

LogicalResult Checker::finish(const Expr &target) {
  SmallVector<unsigned> own;
  for (auto [s, i] : llvm::zip(target.subscripts, visible)) {
    own.push_back(i);
    const Index &index = indices[i];
    if (!index.sized ||
        (ShapedType::isDynamic(index.extent.size) && !index.extent.source))
      return error(s.index.loc)
             << "the size of index '" << s.index.text
             << "' is not known: no read on the right side has it as a "
                "plain subscript";
    targetExtents.push_back(index.extent);
    targetSizes.push_back(index.extent.size);
  }
  return checkOffsets(own);
}

namespace {
/// A loop of a generic being built.
struct Loop {
  llvm::StringRef name;
  Extent extent;
};

/// Builds the generics of a checked statement.
class Emitter {
public:
  Emitter(OpBuilder &b, StatementContext &context, const Checker &checked)
      : b(b), context(context), checked(checked) {}

  /// A generic over `loops`, the first `numParallel` of them its result's
  /// dimensions, computing `body` (summed over the rest when `reduce`).
  Value emitGeneric(ArrayRef<Loop> loops, unsigned numParallel,
                    const Expr &body, bool reduce, llvm::SMLoc at,
                    Value init = nullptr);

private:
  /// The leaves of `e` that become inputs; sums nested in it are built
  /// first and read as leaves.
  void collectLeaves(const Expr &e, ArrayRef<Loop> loops);
  AffineMap mapOf(ArrayRef<Loop> loops, ArrayRef<llvm::StringRef> names,
                  ArrayRef<int64_t> offsets);
  Value emitScalar(OpBuilder &ib, Location loc, const Expr &e,
                   ValueRange args);

  OpBuilder &b;
  StatementContext &context;
  const Checker &checked;
  SmallVector<std::pair<Value, AffineMap>> inputs;
  DenseMap<const Expr *, unsigned> leafArg;
  /// The loops of the generic being built.
  SmallVector<Loop> loops;
};
} // namespace

/// The position of the loop named `name` (it is there: checked).
static unsigned positionOf(ArrayRef<Loop> loops, llvm::StringRef name) {
  for (auto [i, l] : llvm::enumerate(loops))
    if (l.name == name)
      return i;
  llvm_unreachable("an index the checker bound");
}

/// The names of the indices `e` reads (its own sums' excluded).
static void indicesRead(const Expr &e, llvm::StringSet<> &names) {
  if (e.kind == Expr::Kind::Ref && !e.subscripted && !e.primed)
    names.insert(e.name.text); // an index read as a value (or a tensor)
  if (e.kind == Expr::Kind::Ref)
    for (const Subscript &s : e.subscripts)
      names.insert(s.index.text);
  for (const ExprPtr &operand : e.operands)
    indicesRead(*operand, names);
  if (e.kind == Expr::Kind::Sum)
    for (const Name &n : e.indices)
      names.erase(n.text);
}

AffineMap Emitter::mapOf(ArrayRef<Loop> loops, ArrayRef<llvm::StringRef> names,
                         ArrayRef<int64_t> offsets) {
  SmallVector<AffineExpr> results;
  for (auto [name, offset] : llvm::zip(names, offsets)) {
    if (name.empty()) {
      results.push_back(b.getAffineConstantExpr(offset));
      continue;
    }
    results.push_back(b.getAffineDimExpr(positionOf(loops, name)) + offset);
  }
  return AffineMap::get(loops.size(), 0, results, b.getContext());
}

void Emitter::collectLeaves(const Expr &e, ArrayRef<Loop> loops) {
  auto addInput = [&](Value v, AffineMap map) {
    auto it = llvm::find(inputs, std::pair{v, map});
    leafArg[&e] = it - inputs.begin();
    if (it == inputs.end())
      inputs.push_back({v, map});
  };
  if (e.kind == Expr::Kind::Ref) {
    if (checked.indexValues.contains(&e))
      return;
    const Operand &operand = checked.operands.at(&e);
    if (!operand.tensor)
      return;
    // A window (`d + 128`) is a slice read whole: linalg reads a dimension
    // through a plain index only when the loop spans it.
    Value tensor = operand.tensor;
    ArrayRef<int64_t> shape = shapeOf(tensor);
    SmallVector<llvm::StringRef> names;
    SmallVector<int64_t> offsets;
    SmallVector<OpFoldResult> sliceOffsets, sliceSizes;
    bool window = false;
    for (auto [d, s] : llvm::enumerate(e.subscripts)) {
      names.push_back(s.index.text);
      if (s.hasOffset) {
        window = true;
        sliceOffsets.push_back(b.getIndexAttr(s.offset));
        sliceSizes.push_back(
            b.getIndexAttr(loops[positionOf(loops, s.index.text)].extent.size));
        offsets.push_back(0);
      } else {
        sliceOffsets.push_back(b.getIndexAttr(0));
        sliceSizes.push_back(b.getIndexAttr(shape[d]));
        offsets.push_back(s.offset); // a constant subscript
      }
    }
    if (window) {
      Location loc = context.getLoc(e.loc);
      tensor = tensor::ExtractSliceOp::create(
          b, loc, tensor, sliceOffsets, sliceSizes,
          SmallVector<OpFoldResult>(shape.size(), b.getIndexAttr(1)));
    }
    addInput(tensor, mapOf(loops, names, offsets));
    return;
  }
  if (e.kind == Expr::Kind::Sum) {
    // Its own generic over the enclosing loops it reads, then its indices.
    llvm::StringSet<> read;
    indicesRead(e, read);
    SmallVector<Loop> inner;
    SmallVector<llvm::StringRef> free;
    for (const Loop &l : loops)
      if (read.contains(l.name)) {
        inner.push_back(l);
        free.push_back(l.name);
      }
    for (auto [n, extent] : llvm::zip(e.indices, checked.sumExtents.at(&e)))
      inner.push_back({n.text, extent});
    Emitter nested(b, context, checked);
    Value sum = nested.emitGeneric(inner, free.size(), *e.operands[0],
                                   /*reduce=*/true, e.loc);
    addInput(sum, mapOf(loops, free, SmallVector<int64_t>(free.size(), 0)));
    return;
  }
  for (const ExprPtr &operand : e.operands)
    collectLeaves(*operand, loops);
}

Value Emitter::emitGeneric(ArrayRef<Loop> loops, unsigned numParallel,
                           const Expr &body, bool reduce, llvm::SMLoc at,
                           Value init) {
  Location loc = context.getLoc(at);
  this->loops.assign(loops.begin(), loops.end());
  collectLeaves(body, loops);
  SmallVector<int64_t> shape;
  SmallVector<Value> dynamicSizes;
  for (const Loop &l : loops.take_front(numParallel)) {
    shape.push_back(l.extent.size);
    if (ShapedType::isDynamic(l.extent.size))
      dynamicSizes.push_back(tensor::DimOp::create(
          b, loc, l.extent.source, int64_t(l.extent.sourceDim)));
  }
  Type f32 = b.getF32Type();
  if (!init) {
    init = tensor::EmptyOp::create(b, loc, shape, f32, dynamicSizes);
    if (reduce) {
      Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
      init = linalg::FillOp::create(b, loc, zero, init).getResult(0);
    }
  }
  SmallVector<Value> operands;
  SmallVector<AffineMap> maps;
  for (auto [v, map] : inputs) {
    operands.push_back(v);
    maps.push_back(map);
  }
  // The result is indexed by the parallel loops, in order (none for a
  // 0-d result: getMajorSubMap(0) would be a null map).
  SmallVector<AffineExpr> resultDims;
  for (unsigned d = 0; d < numParallel; ++d)
    resultDims.push_back(b.getAffineDimExpr(d));
  maps.push_back(AffineMap::get(loops.size(), 0, resultDims, b.getContext()));
  SmallVector<utils::IteratorType> iterators(numParallel,
                                             utils::IteratorType::parallel);
  iterators.append(loops.size() - numParallel, utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, operands, ValueRange{init}, maps,
      iterators, [&](OpBuilder &ib, Location l, ValueRange args) {
        Value v = emitScalar(ib, l, body, args);
        if (reduce)
          v = arith::AddFOp::create(ib, l, args.back(), v);
        linalg::YieldOp::create(ib, l, v);
      });
  return generic.getResult(0);
}

Value Emitter::emitScalar(OpBuilder &ib, Location loc, const Expr &e,
                          ValueRange args) {
  auto constant = [&](double x) -> Value {
    return arith::ConstantOp::create(ib, loc, ib.getF32FloatAttr(float(x)));
  };
  auto operand = [&](unsigned i) {
    return emitScalar(ib, loc, *e.operands[i], args);
  };
  switch (e.kind) {
  case Expr::Kind::Number:
    return constant(e.number);
  case Expr::Kind::Ref: {
    if (checked.indexValues.contains(&e)) {
      // The loop's position as an f32: exact below 2^24.
      Value i = linalg::IndexOp::create(ib, loc, positionOf(loops, e.name.text));
      Value wide = arith::IndexCastOp::create(ib, loc, ib.getI64Type(), i);
      return arith::SIToFPOp::create(ib, loc, ib.getF32Type(), wide);
    }
    const Operand &o = checked.operands.at(&e);
    if (!o.tensor)
      return constant(o.constant);
    return args[leafArg.at(&e)];
  }
  case Expr::Kind::Sum:
    return args[leafArg.at(&e)];
  case Expr::Kind::Negate:
    return arith::NegFOp::create(ib, loc, operand(0));
  case Expr::Kind::Not: {
    Value one = arith::ConstantOp::create(ib, loc, ib.getBoolAttr(true));
    return arith::XOrIOp::create(ib, loc, operand(0), one);
  }
  case Expr::Kind::Binary: {
    Value x = operand(0), y = operand(1);
    switch (e.op) {
    case Tok::Plus: return arith::AddFOp::create(ib, loc, x, y);
    case Tok::Minus: return arith::SubFOp::create(ib, loc, x, y);
    case Tok::Star: return arith::MulFOp::create(ib, loc, x, y);
    case Tok::Slash: return arith::DivFOp::create(ib, loc, x, y);
    case Tok::KwAnd: return arith::AndIOp::create(ib, loc, x, y);
    case Tok::KwOr: return arith::OrIOp::create(ib, loc, x, y);
    default: break;
    }
    return emitComparison(ib, loc, e.op, x, y);
  }
  case Expr::Kind::Call: {
    // Operands in order (not as C++ orders a call's arguments).
    SmallVector<Value, 3> xs;
    for (unsigned i = 0; i < e.operands.size(); ++i)
      xs.push_back(operand(i));
    return emitFunction(ib, loc, e.name.text, xs);
  }
  }
  llvm_unreachable("unknown expression");
}

FailureOr<Value>
mixir::mix::lowerStatement(OpBuilder &b, StatementContext &context,
                           const Expr &target,
                           std::optional<ArrayRef<int64_t>> shape,
                           ExprPtr &value, ArrayRef<llvm::StringRef> dimNames) {
  foldScaleIntoSum(value);
  // sum(i)(x) + y: the sum starts from y (the form a read-out with a skip
  // term is raised in).
  int sumSide = -1;
  if (value->kind == Expr::Kind::Binary && value->op == Tok::Plus) {
    for (int side : {0, 1}) {
      foldScaleIntoSum(value->operands[side]);
      if (sumSide < 0 && value->operands[side]->kind == Expr::Kind::Sum)
        sumSide = side;
    }
  }
  Checker checker(context);
  if (failed(checker.bindTarget(target, shape, dimNames)))
    return failure();
  FailureOr<Kind> kind = checker.check(*value);
  if (failed(kind) || failed(checker.finish(target)))
    return failure();
  if (*kind != Kind::Number)
    return context.error(value->loc)
           << "the value is a condition (a comparison), not a number: "
              "choose with select(condition, a, b)";

  SmallVector<Loop> loops;
  for (auto [s, extent] : llvm::zip(target.subscripts, checker.targetExtents))
    loops.push_back({s.index.text, extent});
  // x[i, j] read at the target's own indices, x of the target's shape, is
  // x itself: a value, not a copy.
  auto itself = [&](const Expr &e) -> Value {
    if (e.kind != Expr::Kind::Ref || checker.indexValues.contains(&e))
      return nullptr;
    Value x = checker.operands.at(&e).tensor;
    if (!x || shapeOf(x) != ArrayRef(checker.targetSizes))
      return nullptr;
    for (auto [s, l] : llvm::zip(e.subscripts, loops))
      if (s.hasOffset || s.index.text != l.name)
        return nullptr;
    return x;
  };
  auto sumLoops = [&](const Expr &sum) {
    SmallVector<Loop> all = loops;
    for (auto [n, extent] : llvm::zip(sum.indices, checker.sumExtents.at(&sum)))
      all.push_back({n.text, extent});
    return all;
  };
  if (Value x = itself(*value))
    return x;
  if (sumSide >= 0) {
    const Expr &sum = *value->operands[sumSide];
    const Expr &rest = *value->operands[1 - sumSide];
    Value start = itself(rest);
    if (!start)
      start = Emitter(b, context, checker)
                  .emitGeneric(loops, loops.size(), rest, /*reduce=*/false,
                               target.loc);
    return Emitter(b, context, checker)
        .emitGeneric(sumLoops(sum), loops.size(), *sum.operands[0],
                     /*reduce=*/true, target.loc, start);
  }
  Emitter emitter(b, context, checker);
  if (value->kind == Expr::Kind::Sum)
    return emitter.emitGeneric(sumLoops(*value), loops.size(),
                               *value->operands[0], /*reduce=*/true,
                               target.loc);
  return emitter.emitGeneric(loops, loops.size(), *value, /*reduce=*/false,
                             target.loc);
}
