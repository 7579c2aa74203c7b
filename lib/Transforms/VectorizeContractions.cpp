//===- VectorizeContractions.cpp - register tiles for matmul shapes -----===//
//
// acc[m, n] += Σ_k a[m, k] · b[k, n] on static tensors becomes
//
//   for m0 in 0..M step R, n0 in 0..N step Cn:      (accumulator tiles)
//     c_r = acc[m0 + r, n0 : n0 + Cn]            r < R, vector<Cn>
//     for k in 0..K:                              (c_r stay in registers)
//       bv  = b[k, n0 : n0 + Cn]
//       c_r = fma(broadcast(a[m0 + r, k]), bv, c_r)
//     acc[m0 + r, n0 : n0 + Cn] = c_r
//
// so that each loaded vector of b feeds R fused multiply-adds, instead of
// one multiply-add per load and store of the accumulator.
//
// y[m] += Σ_k a[m, k] · x[k] with a row-major in k (a recurrence's U·h, the
// LSTM's and GRU's per-step matvec) becomes
//
//   for m0 in 0..M step R:
//     c_r = 0                                     r < R, vector<L>
//     for k0 in 0..K step L:
//       xv  = x[k0 : k0 + L]
//       c_r = fma(a[m0 + r, k0 : k0 + L], xv, c_r)
//     y[m0 + r] += reduce_add(c_r)
//
// R independent accumulators hide the FMA latency that a scalar dot
// product (one chain of K dependent adds) is bound by.
//
// A state sweep, the scan form's pass over one token's K×V state (loops
// (i, j): i over K a reduction, j over V contiguous; operands indexed by i,
// by j or by (i, j); outputs by (i, j), the new state, or by j, a sum over
// i such as o = Sᵀ q), any element-wise body, becomes
//
//   for j0 in 0..V step L:
//     x_j = in[j0 : j0 + L], acc = out[j0 : j0 + L]    (vector<L>)
//     for i in 0..K:                               (acc stays in registers)
//       s = S[i, j0 : j0 + L], x_i = broadcast(in[i])
//       (s, acc) = body(x_i, x_j, s, acc)          (on vectors)
//       S[i, j0 : j0 + L] = s
//     out[j0 : j0 + L] = acc
//
// so that the sums over i are vector registers, where LLVM, which cannot
// prove the accumulator's buffer apart from the state's, loads and stores
// them at every i (a store-to-load chain per FMA).
//
//===----------------------------------------------------------------------===//
#include "mixir/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERVECTORIZECONTRACTIONS
#include "mixir/Transforms/Passes.h.inc"
} // namespace mixir

using namespace mlir;

namespace {
/// The roles of the loops and operands of a matmul-shaped generic.
struct Contraction {
  unsigned m, n, k; // loop positions
  OpOperand *a, *b; // a indexed by (m, k), b by (k, n)
  int64_t M, N, K;
};

/// The dimension positions a projected permutation map reads.
SmallVector<unsigned> dimsOf(AffineMap map) {
  SmallVector<unsigned> dims;
  for (AffineExpr e : map.getResults())
    dims.push_back(cast<AffineDimExpr>(e).getPosition());
  return dims;
}

/// Whether every operand is f32 or a tensor of f32: the register tiles are
/// f32 vectors (the forms compute in f32).
bool hasOnlyF32Operands(Operation *op) {
  return llvm::all_of(op->getOperandTypes(), [](Type t) {
    return getElementTypeOrSelf(t).isF32();
  });
}

/// Whether the body is exactly `out + in0 * in1` (operands in any order).
bool isMulAdd(Block &body) {
  if (body.getOperations().size() != 3)
    return false;
  auto mul = dyn_cast<arith::MulFOp>(body.front());
  auto add = dyn_cast<arith::AddFOp>(*std::next(body.begin()));
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (!mul || !add || !yield || yield.getValues().size() != 1 ||
      yield.getValues()[0] != add.getResult())
    return false;
  Value in0 = body.getArgument(0), in1 = body.getArgument(1),
        out = body.getArgument(2);
  bool mulOk = (mul.getLhs() == in0 && mul.getRhs() == in1) ||
               (mul.getLhs() == in1 && mul.getRhs() == in0);
  bool addOk = (add.getLhs() == out && add.getRhs() == mul.getResult()) ||
               (add.getRhs() == out && add.getLhs() == mul.getResult());
  return mulOk && addOk;
}

FailureOr<Contraction> matchContraction(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != 3 || !isMulAdd(op.getRegion().front()))
    return failure();
  if (!hasOnlyF32Operands(op))
    return failure();
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  if (llvm::count(iters, utils::IteratorType::reduction) != 1)
    return failure();
  for (AffineMap map : op.getIndexingMapsArray())
    if (!map.isProjectedPermutation() || map.getNumResults() != 2)
      return failure();
  Contraction c;
  c.k = std::distance(iters.begin(),
                      llvm::find(iters, utils::IteratorType::reduction));
  SmallVector<unsigned> out = dimsOf(op.getIndexingMapsArray()[2]);
  c.m = out[0];
  c.n = out[1];
  if (c.m == c.k || c.n == c.k)
    return failure();
  OpOperand *in0 = op.getDpsInputOperand(0), *in1 = op.getDpsInputOperand(1);
  auto isB = [&](OpOperand *o) {
    SmallVector<unsigned> d = dimsOf(op.getMatchingIndexingMap(o));
    return d[0] == c.k && d[1] == c.n; // contiguous in n
  };
  auto isA = [&](OpOperand *o) {
    SmallVector<unsigned> d = dimsOf(op.getMatchingIndexingMap(o));
    return llvm::is_contained(d, c.m) && llvm::is_contained(d, c.k);
  };
  if (isB(in1) && isA(in0))
    c.a = in0, c.b = in1;
  else if (isB(in0) && isA(in1))
    c.a = in1, c.b = in0;
  else
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return failure();
  c.M = ranges[c.m], c.N = ranges[c.n], c.K = ranges[c.k];
  return c;
}

struct VectorizeContraction : public OpRewritePattern<linalg::GenericOp> {
  VectorizeContraction(MLIRContext *ctx, int64_t rows, int64_t cols)
      : OpRewritePattern(ctx), rows(rows), cols(cols) {}

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<Contraction> c = matchContraction(op);
    if (failed(c))
      return rewriter.notifyMatchFailure(op, "not a static contraction");
    // The widest column tile that divides N (at least 8 lanes); rows that
    // divide M.
    int64_t cn = cols;
    while (cn >= 8 && c->N % cn != 0)
      cn /= 2;
    if (cn < 8)
      return rewriter.notifyMatchFailure(op, "N is not a multiple of 8");
    int64_t r = rows;
    while (r > 1 && c->M % r != 0)
      --r;

    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    auto vecType = VectorType::get({cn}, f32);
    Value a = c->a->get(), b = c->b->get();
    SmallVector<unsigned> aDims = dimsOf(op.getMatchingIndexingMap(c->a));
    auto cst = [&](OpBuilder &bld, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(bld, loc, v);
    };
    Value pad = arith::ConstantOp::create(rewriter, loc,
                                          rewriter.getF32FloatAttr(0));
    SmallVector<bool> inBounds{true};

    auto outer = scf::ForOp::create(
        rewriter, loc, cst(rewriter, 0), cst(rewriter, c->M),
        cst(rewriter, r), ValueRange{op.getDpsInits()[0]},
        [&](OpBuilder &b1, Location, Value m0, ValueRange acc1) {
          auto inner = scf::ForOp::create(
              b1, loc, cst(b1, 0), cst(b1, c->N), cst(b1, cn),
              ValueRange{acc1[0]},
              [&](OpBuilder &b2, Location, Value n0, ValueRange acc2) {
                SmallVector<Value> rowsIdx, tiles;
                for (int64_t i = 0; i < r; ++i) {
                  rowsIdx.push_back(
                      arith::AddIOp::create(b2, loc, m0, cst(b2, i)));
                  tiles.push_back(vector::TransferReadOp::create(
                      b2, loc, vecType, acc2[0],
                      ValueRange{rowsIdx.back(), n0}, pad, inBounds));
                }
                auto reduce = scf::ForOp::create(
                    b2, loc, cst(b2, 0), cst(b2, c->K), cst(b2, 1), tiles,
                    [&](OpBuilder &b3, Location, Value k, ValueRange acc) {
                      Value bv = vector::TransferReadOp::create(
                          b3, loc, vecType, b, ValueRange{k, n0}, pad,
                          inBounds);
                      SmallVector<Value> next;
                      for (int64_t i = 0; i < r; ++i) {
                        SmallVector<Value> idx(2);
                        idx[aDims[0] == c->m ? 0 : 1] = rowsIdx[i];
                        idx[aDims[0] == c->m ? 1 : 0] = k;
                        Value av = tensor::ExtractOp::create(b3, loc, a, idx);
                        Value splat =
                            vector::BroadcastOp::create(b3, loc, vecType, av);
                        next.push_back(
                            vector::FMAOp::create(b3, loc, splat, bv, acc[i]));
                      }
                      scf::YieldOp::create(b3, loc, next);
                    });
                Value result = acc2[0];
                for (int64_t i = 0; i < r; ++i)
                  result = vector::TransferWriteOp::create(
                               b2, loc, reduce.getResult(i), result,
                               ValueRange{rowsIdx[i], n0}, inBounds)
                               .getResult();
                scf::YieldOp::create(b2, loc, result);
              });
          scf::YieldOp::create(b1, loc, inner.getResults());
        });
    rewriter.replaceOp(op, outer.getResults());
    return success();
  }

  int64_t rows, cols;
};

/// The widest vector length ≤ `cols` (at least 8) that divides `n`, or 0.
int64_t vectorLength(int64_t n, int64_t cols) {
  int64_t l = cols;
  while (l >= 8 && n % l != 0)
    l /= 2;
  return l >= 8 ? l : 0;
}

struct VectorizeMatvec : public OpInterfaceRewritePattern<linalg::LinalgOp> {
  VectorizeMatvec(MLIRContext *ctx, int64_t rows, int64_t cols)
      : OpInterfaceRewritePattern(ctx), rows(rows), cols(cols) {}

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 || op.getNumLoops() != 2 ||
        !isMulAdd(*op.getBlock()))
      return rewriter.notifyMatchFailure(op, "not a matvec");
    if (!hasOnlyF32Operands(op))
      return rewriter.notifyMatchFailure(op, "not f32");
    // Loops (m, k): y reads (m), a reads (m, k), x reads (k).
    SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
    if (llvm::count(iters, utils::IteratorType::reduction) != 1)
      return rewriter.notifyMatchFailure(op, "not one reduction");
    unsigned k = iters[0] == utils::IteratorType::reduction ? 0 : 1,
             m = 1 - k;
    auto reads = [&](OpOperand *o, ArrayRef<unsigned> dims) {
      AffineMap map = op.getMatchingIndexingMap(o);
      if (!map.isProjectedPermutation() || map.getNumResults() != dims.size())
        return false;
      return llvm::equal(dimsOf(map), dims);
    };
    OpOperand *a = op.getDpsInputOperand(0), *x = op.getDpsInputOperand(1);
    if (!reads(a, {m, k}))
      std::swap(a, x);
    if (!reads(a, {m, k}) || !reads(x, {k}) ||
        !reads(op.getDpsInitOperand(0), {m}))
      return rewriter.notifyMatchFailure(op, "not y[m] += a[m, k] x[k]");
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return rewriter.notifyMatchFailure(op, "dynamic sizes");
    const int64_t M = ranges[m], K = ranges[k];
    const int64_t L = vectorLength(K, cols);
    if (!L)
      return rewriter.notifyMatchFailure(op, "K is not a multiple of 8");
    int64_t r = rows;
    while (r > 1 && M % r != 0)
      --r;

    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    auto vecType = VectorType::get({L}, f32);
    auto cst = [&](OpBuilder &bld, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(bld, loc, v);
    };
    Value pad = arith::ConstantOp::create(rewriter, loc,
                                          rewriter.getF32FloatAttr(0));
    Value zeros = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(vecType, 0.0f));
    SmallVector<bool> inBounds{true};
    auto outer = scf::ForOp::create(
        rewriter, loc, cst(rewriter, 0), cst(rewriter, M), cst(rewriter, r),
        ValueRange{op.getDpsInits()[0]},
        [&](OpBuilder &b1, Location, Value m0, ValueRange y) {
          SmallVector<Value> rowsIdx;
          for (int64_t i = 0; i < r; ++i)
            rowsIdx.push_back(arith::AddIOp::create(b1, loc, m0, cst(b1, i)));
          auto reduce = scf::ForOp::create(
              b1, loc, cst(b1, 0), cst(b1, K), cst(b1, L),
              SmallVector<Value>(r, zeros),
              [&](OpBuilder &b2, Location, Value k0, ValueRange acc) {
                Value xv = vector::TransferReadOp::create(
                    b2, loc, vecType, x->get(), ValueRange{k0}, pad,
                    inBounds);
                SmallVector<Value> next;
                for (int64_t i = 0; i < r; ++i) {
                  Value av = vector::TransferReadOp::create(
                      b2, loc, vecType, a->get(), ValueRange{rowsIdx[i], k0},
                      pad, inBounds);
                  next.push_back(vector::FMAOp::create(b2, loc, av, xv, acc[i]));
                }
                scf::YieldOp::create(b2, loc, next);
              });
          Value result = y[0];
          for (int64_t i = 0; i < r; ++i) {
            Value sum = vector::ReductionOp::create(
                b1, loc, vector::CombiningKind::ADD, reduce.getResult(i));
            Value old = tensor::ExtractOp::create(b1, loc, result, rowsIdx[i]);
            result = tensor::InsertOp::create(
                b1, loc, arith::AddFOp::create(b1, loc, old, sum), result,
                rowsIdx[i]);
          }
          scf::YieldOp::create(b1, loc, result);
        });
    rewriter.replaceOp(op, outer.getResults());
    return success();
  }

  int64_t rows, cols;
};

/// How an operand of a state sweep is indexed: by i only, by j only (j the
/// last, contiguous index) or by (i, j) exactly.
enum class SweepRole { Row, Col, Full };

FailureOr<SweepRole> sweepRole(AffineMap map) {
  if (map.getNumDims() != 2 || map.getNumResults() == 0)
    return failure();
  int usesI = 0, usesJ = 0;
  for (auto [pos, e] : llvm::enumerate(map.getResults())) {
    if (isa<AffineConstantExpr>(e))
      continue;
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d)
      return failure();
    if (d.getPosition() == 0)
      ++usesI;
    else if (pos + 1 == map.getNumResults())
      ++usesJ;
    else
      return failure(); // j must be the contiguous (last) index
  }
  if (usesI > 1 || usesJ > 1 || usesI + usesJ == 0)
    return failure();
  if (usesI && usesJ) {
    if (map != AffineMap::getMultiDimIdentityMap(2, map.getContext()))
      return failure();
    return SweepRole::Full;
  }
  return usesI ? SweepRole::Row : SweepRole::Col;
}

/// The indices of `map`'s results with d0 = i and d1 = j.
SmallVector<Value> sweepIndices(OpBuilder &b, Location loc, AffineMap map,
                                Value i, Value j) {
  SmallVector<Value> idx;
  for (AffineExpr e : map.getResults()) {
    if (auto c = dyn_cast<AffineConstantExpr>(e))
      idx.push_back(arith::ConstantIndexOp::create(b, loc, c.getValue()));
    else
      idx.push_back(cast<AffineDimExpr>(e).getPosition() == 0 ? i : j);
  }
  return idx;
}

struct VectorizeStateSweep : public OpRewritePattern<linalg::GenericOp> {
  VectorizeStateSweep(MLIRContext *ctx, int64_t cols)
      : OpRewritePattern(ctx), cols(cols) {}

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumLoops() != 2 ||
        op.getIteratorTypesArray() !=
            ArrayRef<utils::IteratorType>{utils::IteratorType::reduction,
                                          utils::IteratorType::parallel})
      return rewriter.notifyMatchFailure(op, "not a (reduction, parallel) nest");
    if (!hasOnlyF32Operands(op))
      return rewriter.notifyMatchFailure(op, "not f32");
    SmallVector<SweepRole> roles;
    for (OpOperand &o : op->getOpOperands()) {
      FailureOr<SweepRole> r = sweepRole(op.getMatchingIndexingMap(&o));
      if (failed(r))
        return rewriter.notifyMatchFailure(op, "an operand is not indexed by "
                                               "i, j or (i, j)");
      if (op.isDpsInit(&o) && *r == SweepRole::Row)
        return rewriter.notifyMatchFailure(op, "an output indexed by i");
      roles.push_back(*r);
    }
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return rewriter.notifyMatchFailure(op, "dynamic sizes");
    const int64_t K = ranges[0], V = ranges[1];
    const int64_t L = vectorLength(V, 2 * cols);
    if (!L)
      return rewriter.notifyMatchFailure(op, "V is not a multiple of 8");
    // The body must be element-wise on f32 scalars: it is applied to vectors.
    Block &body = op.getRegion().front();
    for (Operation &o : body.without_terminator()) {
      bool constant = isa<arith::ConstantOp>(o) &&
                      isa<FloatAttr>(cast<arith::ConstantOp>(o).getValue());
      if (o.getNumRegions() ||
          (!constant && !OpTrait::hasElementwiseMappableTraits(&o)))
        return rewriter.notifyMatchFailure(&o, "not element-wise");
      for (Value v : llvm::concat<Value>(o.getOperands(), o.getResults()))
        if (!v.getType().isF32() && !isa<IntegerType>(v.getType()))
          return rewriter.notifyMatchFailure(&o, "not on scalars");
    }

    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    auto vecType = VectorType::get({L}, f32);
    auto cst = [&](OpBuilder &bld, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(bld, loc, v);
    };
    Value pad = arith::ConstantOp::create(rewriter, loc,
                                          rewriter.getF32FloatAttr(0));
    SmallVector<bool> inBounds{true};
    const unsigned numInputs = op.getNumDpsInputs();
    auto mapOf = [&](unsigned n) {
      return op.getMatchingIndexingMap(&op->getOpOperand(n));
    };
    auto read = [&](OpBuilder &b, Value t, unsigned n, Value i, Value j) {
      return vector::TransferReadOp::create(b, loc, vecType, t,
                                            sweepIndices(b, loc, mapOf(n), i, j),
                                            pad, inBounds)
          .getResult();
    };
    auto write = [&](OpBuilder &b, Value v, Value t, unsigned n, Value i,
                     Value j) {
      return vector::TransferWriteOp::create(
                 b, loc, v, t, sweepIndices(b, loc, mapOf(n), i, j), inBounds)
          .getResult();
    };
    // One block of L columns: the sweep over i with the column outputs in
    // registers; returns the outputs' new tensors.
    auto block = [&](OpBuilder &b1, Value j0,
                     ValueRange outs) -> SmallVector<Value> {
      Value zero = cst(b1, 0);
      SmallVector<Value> colIn(numInputs), carried;
      SmallVector<unsigned> colOuts, fullOuts;
      for (unsigned n = 0; n < numInputs; ++n)
        if (roles[n] == SweepRole::Col)
          colIn[n] = read(b1, op->getOperand(n), n, zero, j0);
      for (unsigned n = 0; n < outs.size(); ++n) {
        if (roles[numInputs + n] == SweepRole::Col) {
          colOuts.push_back(n);
          carried.push_back(read(b1, outs[n], numInputs + n, zero, j0));
        }
      }
      for (unsigned n = 0; n < outs.size(); ++n)
        if (roles[numInputs + n] == SweepRole::Full) {
          fullOuts.push_back(n);
          carried.push_back(outs[n]);
        }
      auto sweep = scf::ForOp::create(
          b1, loc, cst(b1, 0), cst(b1, K), cst(b1, 1), carried,
          [&](OpBuilder &b2, Location, Value i, ValueRange iter) {
            IRMapping map;
            DenseMap<Value, Value> splats;
            auto splat = [&](Value scalar) {
              Value &v = splats[scalar];
              if (!v)
                v = vector::BroadcastOp::create(
                    b2, loc, VectorType::get({L}, scalar.getType()), scalar);
              return v;
            };
            for (unsigned n = 0; n < numInputs; ++n) {
              Value in = op->getOperand(n), v;
              if (roles[n] == SweepRole::Col)
                v = colIn[n];
              else if (roles[n] == SweepRole::Full)
                v = read(b2, in, n, i, j0);
              else
                v = splat(tensor::ExtractOp::create(
                    b2, loc, in, sweepIndices(b2, loc, mapOf(n), i, j0)));
              map.map(body.getArgument(n), v);
            }
            for (auto [c, n] : llvm::enumerate(colOuts))
              map.map(body.getArgument(numInputs + n), iter[c]);
            for (auto [f, n] : llvm::enumerate(fullOuts))
              map.map(body.getArgument(numInputs + n),
                      read(b2, iter[colOuts.size() + f], numInputs + n, i, j0));
            for (Operation &o : body.without_terminator()) {
              if (auto c = dyn_cast<arith::ConstantOp>(o)) {
                map.map(c.getResult(),
                        arith::ConstantOp::create(
                            b2, loc,
                            SplatElementsAttr::get(
                                vecType, cast<FloatAttr>(c.getValue()))));
                continue;
              }
              SmallVector<Value> operands;
              for (Value v : o.getOperands()) {
                Value mapped = map.lookupOrNull(v);
                operands.push_back(mapped ? mapped : splat(v));
              }
              SmallVector<Type> types;
              for (Type t : o.getResultTypes())
                types.push_back(VectorType::get({L}, t));
              Operation *vo = b2.create(loc, o.getName().getIdentifier(),
                                        operands, types, o.getAttrs());
              map.map(o.getResults(), vo->getResults());
            }
            auto yields = cast<linalg::YieldOp>(body.getTerminator());
            SmallVector<Value> next;
            for (unsigned n : colOuts)
              next.push_back(map.lookup(yields.getValues()[n]));
            for (auto [f, n] : llvm::enumerate(fullOuts))
              next.push_back(write(b2, map.lookup(yields.getValues()[n]),
                                   iter[colOuts.size() + f], numInputs + n, i,
                                   j0));
            scf::YieldOp::create(b2, loc, next);
          });
      SmallVector<Value> results(outs);
      for (auto [c, n] : llvm::enumerate(colOuts))
        results[n] = write(b1, sweep.getResult(c), outs[n], numInputs + n,
                           zero, j0);
      for (auto [f, n] : llvm::enumerate(fullOuts))
        results[n] = sweep.getResult(colOuts.size() + f);
      return results;
    };
    SmallVector<Value> results;
    if (L == V) {
      results = block(rewriter, cst(rewriter, 0), op.getDpsInits());
    } else {
      auto blocks = scf::ForOp::create(
          rewriter, loc, cst(rewriter, 0), cst(rewriter, V), cst(rewriter, L),
          op.getDpsInits(),
          [&](OpBuilder &b, Location, Value j0, ValueRange outs) {
            scf::YieldOp::create(b, loc, block(b, j0, outs));
          });
      results = blocks.getResults();
    }
    rewriter.replaceOp(op, results);
    return success();
  }

  int64_t cols;
};

struct MixerVectorizeContractionsPass
    : public mixir::impl::MixerVectorizeContractionsBase<
          MixerVectorizeContractionsPass> {
  using MixerVectorizeContractionsBase::MixerVectorizeContractionsBase;
  void runOnOperation() override {
    if (rows < 1 || cols < 8 || cols % 8 != 0) {
      emitError(getOperation()->getLoc())
          << "mixer-vectorize-contractions: rows must be >= 1 and cols a "
             "multiple of 8";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    mixir::populateVectorizeContractionsPatterns(patterns, rows, cols);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mixir::populateVectorizeContractionsPatterns(RewritePatternSet &patterns,
                                                  int64_t rows,
                                                  int64_t cols) {
  patterns.add<VectorizeContraction, VectorizeMatvec>(patterns.getContext(),
                                                     rows, cols);
  patterns.add<VectorizeStateSweep>(patterns.getContext(), cols);
}
