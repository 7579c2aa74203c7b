//===- LowerMixer.cpp - a .mix file as func.funcs over the mixer dialect --===//
//
// A mixer's signature becomes a func.func with the C ABI's argument and
// result names; each `recurrence` block becomes a mixer.recurrence
// (docs/mix-language.md, "Recurrences"): its per-step inputs are the
// [B, T, ...] tensors it reads, its states those it declares, its outputs
// the [B, T, ...] results it assigns and its final states the [B, ...]
// results assigned `= final S`. The statements inside are lowered by
// lowerStatement (IndexNotation.h).
//
//===----------------------------------------------------------------------===//
#include "mixir/Frontend/MixFrontend.h"

#include "IndexNotation.h"
#include "Parser.h"
#include "RegionExpr.h"

#include "mixir/Dialect/Mixer/MixerDialect.h"
#include "mixir/Dialect/Mixer/MixerOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/SourceMgr.h"

#include <cmath>
#include <string>

using namespace mlir;
using namespace mixir;
using namespace mixir::mix;
using llvm::SMLoc;

namespace {
constexpr int64_t kMaxSize = int64_t(1) << 31;
constexpr unsigned kMaxRank = 8;

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? ", " : "") + (ShapedType::isDynamic(d) ? "?" : std::to_string(d));
  return s + "]";
}

/// Source locations as MLIR locations of the main buffer.
class Locations {
public:
  Locations(llvm::SourceMgr &sourceMgr, MLIRContext *context)
      : sourceMgr(sourceMgr), context(context) {
    const llvm::MemoryBuffer *buffer =
        sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
    file = StringAttr::get(context, buffer->getBufferIdentifier());
  }
  Location get(SMLoc loc) const {
    auto [line, column] = sourceMgr.getLineAndColumn(loc);
    return FileLineColLoc::get(file, line, column);
  }
  InFlightDiagnostic error(SMLoc loc) const { return emitError(get(loc)); }
  MLIRContext *getContext() const { return context; }

private:
  llvm::SourceMgr &sourceMgr;
  MLIRContext *context;
  StringAttr file;
};

/// An argument or a result of the mixer.
struct Declared {
  const Param *decl = nullptr;
  bool isResult = false;
  RankedTensorType type;
  /// [B, ...] and [B, T, ...]: named so in the declaration.
  bool batched = false, stepped = false;
  /// The function's argument, or the result once a block computed it.
  Value value;
  /// The signature's names of its dimensions (none for a local).
  SmallVector<llvm::StringRef> dimNames;
};

/// One mixer: its dimensions, arguments and results, and the function.
class MixerLowering {
public:
  MixerLowering(const Locations &locs, ModuleOp module)
      : locs(locs), module(module), b(locs.getContext()) {}

  LogicalResult lower(Mixer &mixer);

  const Locations &locs;
  ModuleOp module;
  OpBuilder b;
  struct Dim {
    int64_t size = ShapedType::kDynamic;
    SMLoc sizedAt;
  };
  llvm::StringMap<Dim> dims;
  /// The arguments, the results and the locals of statements on whole
  /// tensors.
  llvm::MapVector<llvm::StringRef, Declared> tensors;

  FailureOr<int64_t> dimensionSize(const Name &name) {
    auto it = dims.find(name.text);
    if (it == dims.end())
      return locs.error(name.loc) << "dimension '" << name.text
                                  << "' is not a dimension of the signature";
    if (ShapedType::isDynamic(it->second.size))
      return locs.error(name.loc) << "dimension '" << name.text
                                  << "' has no static size";
    return it->second.size;
  }

  /// A name that is no tensor: a dimension's static size, or an error.
  FailureOr<Operand> resolveDimension(const Expr &ref) {
    llvm::StringRef name = ref.name.text;
    if (auto it = dims.find(name); it != dims.end()) {
      if (ShapedType::isDynamic(it->second.size))
        return locs.error(ref.loc)
               << "dimension '" << name
               << "' has no static size to read as a number";
      return Operand{Value(), double(it->second.size)};
    }
    return locs.error(ref.loc) << "undefined name '" << name << "'";
  }
  /// `v` widened to f32, element by element (itself when it is f32).
  Value widened(Value v, Location loc) {
    auto type = cast<RankedTensorType>(v.getType());
    if (type.getElementType().isF32())
      return v;
    return arith::ExtFOp::create(
        b, loc, RankedTensorType::get(type.getShape(), b.getF32Type()), v);
  }

private:
  LogicalResult declareDims(const Mixer &mixer);
  FailureOr<RankedTensorType> typeOf(const TypeDecl &type);
  LogicalResult lowerWholeAssign(Statement &s);
  LogicalResult lowerCall(Statement &s);
  LogicalResult lowerSemiseparable(Statement &s);
  LogicalResult lowerAttention(Statement &s);
  /// The tensor a call's argument names (a bare name), or an error.
  FailureOr<Value> tensorArgument(const Expr &e, llvm::StringRef what);
  /// The types of a structured call's results: a declared result's own, or
  /// `defaults[i]` for a new local; an error for an argument or a result
  /// already assigned.
  FailureOr<SmallVector<Type, 2>> callResultTypes(const Statement &s,
                                                  ArrayRef<Type> defaults);
  /// Gives a call's targets their values: each a declared result's, or a
  /// new local.
  void bindCallResults(const Statement &s, ValueRange values);
};

/// The statements on whole tensors ([B, T, ...], outside any recurrence):
/// names resolve to the mixer's tensors, read as f32.
class WholeTensorContext : public StatementContext {
public:
  explicit WholeTensorContext(MixerLowering &m) : m(m) {}
  FailureOr<Operand> resolve(const Expr &ref) override;
  FailureOr<int64_t> dimensionSize(const Name &name) override {
    return m.dimensionSize(name);
  }
  Location getLoc(SMLoc loc) override { return m.locs.get(loc); }

private:
  MixerLowering &m;
  llvm::StringMap<Value> widenedReads;
};

/// One `recurrence` block, lowered to one mixer.recurrence.
class RecurrenceLowering : public StatementContext {
public:
  RecurrenceLowering(MixerLowering &m, Recurrence &r) : m(m), r(r) {}

  LogicalResult lower();

  FailureOr<Operand> resolve(const Expr &ref) override;
  FailureOr<int64_t> dimensionSize(const Name &name) override {
    return m.dimensionSize(name);
  }
  Location getLoc(SMLoc loc) override { return m.locs.get(loc); }

private:
  struct State {
    const Statement *decl;
    SmallVector<int64_t> shape;
    bool declared = false; // by the statements lowered so far
    Value previous, next;
    SMLoc nextAt;
  };
  struct Local {
    Value value;
    SMLoc at;
  };

  LogicalResult collect();
  FailureOr<Value> initialValue(const State &state, Value batchSource);
  LogicalResult lowerAssign(Statement &s);

  MixerLowering &m;
  Recurrence &r;
  llvm::MapVector<llvm::StringRef, State> states;
  /// The [B, T, ...] tensors read, in declaration order.
  SmallVector<llvm::StringRef> inputs;
  /// The [B, T, ...] results assigned, in declaration order, and the
  /// [B, ...] results assigned `= final S` with their state.
  SmallVector<llvm::StringRef> outputs;
  llvm::StringMap<llvm::StringRef> finals;
  llvm::StringMap<Local> locals;
  llvm::StringMap<Value> stepArgs, wholeReads;
  mixer::RecurrenceOp op;
};
} // namespace

//===----------------------------------------------------------------------===//
// Signatures
//===----------------------------------------------------------------------===//

LogicalResult MixerLowering::declareDims(const Mixer &mixer) {
  for (const std::vector<Param> *params : {&mixer.args, &mixer.results})
    for (const Param &p : *params)
      for (const DimDecl &d : p.type.dims) {
        Dim &dim = dims[d.name.text];
        if (!d.size)
          continue;
        if (*d.size < 1 || *d.size > kMaxSize)
          return locs.error(d.sizeLoc)
                 << "dimension '" << d.name.text << "' has size " << *d.size
                 << "; a size is between 1 and 2^31";
        if (ShapedType::isDynamic(dim.size)) {
          dim = {*d.size, d.sizeLoc};
        } else if (dim.size != *d.size) {
          InFlightDiagnostic diag = locs.error(d.sizeLoc)
                                    << "dimension '" << d.name.text
                                    << "' is sized " << *d.size << " here and "
                                    << dim.size << " before";
          diag.attachNote(locs.get(dim.sizedAt)) << "sized here";
          return diag;
        }
      }
  return success();
}

FailureOr<RankedTensorType> MixerLowering::typeOf(const TypeDecl &type) {
  MLIRContext *ctx = locs.getContext();
  Type element = llvm::StringSwitch<Type>(type.elementType.text)
                     .Case("f32", Float32Type::get(ctx))
                     .Case("f16", Float16Type::get(ctx))
                     .Case("bf16", BFloat16Type::get(ctx))
                     .Case("i32", IntegerType::get(ctx, 32))
                     .Default(nullptr);
  if (!element)
    return locs.error(type.elementType.loc)
           << "unknown element type '" << type.elementType.text
           << "' (expected f32, f16, bf16 or i32)";
  if (type.dims.size() > kMaxRank)
    return locs.error(type.elementType.loc)
           << "a tensor has at most " << kMaxRank << " dimensions, not "
           << type.dims.size();
  SmallVector<int64_t> shape;
  for (const DimDecl &d : type.dims)
    shape.push_back(dims.lookup(d.name.text).size);
  return RankedTensorType::get(shape, element);
}

LogicalResult MixerLowering::lower(Mixer &mixer) {
  if (failed(declareDims(mixer)))
    return failure();
  SmallVector<Type> argTypes, resultTypes;
  for (const std::vector<Param> *params : {&mixer.args, &mixer.results})
    for (const Param &p : *params) {
      bool isResult = params == &mixer.results;
      FailureOr<RankedTensorType> type = typeOf(p.type);
      if (failed(type))
        return failure();
      auto [it, inserted] = tensors.insert({p.name.text, Declared{}});
      if (!inserted) {
        InFlightDiagnostic diag = locs.error(p.name.loc)
                                  << "'" << p.name.text
                                  << "' is declared twice";
        diag.attachNote(locs.get(it->second.decl->name.loc))
            << "first declared here";
        return diag;
      }
      Declared &d = it->second;
      d.decl = &p;
      d.isResult = isResult;
      d.type = *type;
      for (const DimDecl &dim : p.type.dims)
        d.dimNames.push_back(dim.name.text);
      const auto &pdims = p.type.dims;
      d.batched = pdims[0].name.text == "B";
      d.stepped = d.batched && pdims.size() > 1 && pdims[1].name.text == "T";
      (isResult ? resultTypes : argTypes).push_back(*type);
    }
  if (module.lookupSymbol(mixer.name.text))
    return locs.error(mixer.name.loc)
           << "a mixer named '" << mixer.name.text << "' is already defined";

  b.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(b, locs.get(mixer.name.loc),
                                   mixer.name.text,
                                   b.getFunctionType(argTypes, resultTypes));
  Block *entry = func.addEntryBlock();
  for (auto [i, p] : llvm::enumerate(mixer.args)) {
    func.setArgAttr(i, "mixer.name", b.getStringAttr(p.name.text));
    tensors[p.name.text].value = entry->getArgument(i);
  }
  for (auto [i, p] : llvm::enumerate(mixer.results))
    func.setResultAttr(i, "mixer.name", b.getStringAttr(p.name.text));

  b.setInsertionPointToEnd(entry);
  for (Item &item : mixer.items) {
    if (item.recurrence &&
        failed(RecurrenceLowering(*this, *item.recurrence).lower()))
      return failure();
    if (item.statement && item.statement->kind == Statement::Kind::Call &&
        failed(lowerCall(*item.statement)))
      return failure();
    if (item.statement && item.statement->kind == Statement::Kind::Assign &&
        failed(lowerWholeAssign(*item.statement)))
      return failure();
  }

  SmallVector<Value> results;
  for (const Param &p : mixer.results) {
    Value v = tensors[p.name.text].value;
    if (!v)
      return locs.error(p.name.loc)
             << "result '" << p.name.text << "' is never computed";
    results.push_back(v);
  }
  func::ReturnOp::create(b, locs.get(mixer.name.loc), results);
  return success();
}

//===----------------------------------------------------------------------===//
// Recurrences
//===----------------------------------------------------------------------===//

/// The names `e` reads, but for the indices in scope (`scope`: the left
/// side's and the enclosing sums'), which a bare name may read as numbers.
static void namesRead(const Expr &e,
                      llvm::MapVector<llvm::StringRef, SMLoc> &names,
                      SmallVector<llvm::StringRef> scope = {}) {
  if (e.kind == Expr::Kind::Ref &&
      (e.subscripted || e.primed || !llvm::is_contained(scope, e.name.text)))
    names.insert({e.name.text, e.loc});
  if (e.kind == Expr::Kind::Sum)
    for (const Name &n : e.indices)
      scope.push_back(n.text);
  for (const ExprPtr &operand : e.operands)
    namesRead(*operand, names, scope);
}

LogicalResult RecurrenceLowering::collect() {
  const Locations &locs = m.locs;
  llvm::MapVector<llvm::StringRef, SMLoc> read;
  llvm::StringMap<SMLoc> assigned;
  llvm::StringSet<> targets;
  for (const Statement &s : r.statements) {
    switch (s.kind) {
    case Statement::Kind::State: {
      llvm::StringRef name = s.name.text;
      if (m.tensors.count(name))
        return locs.error(s.name.loc)
               << "'" << name << "' is already an argument or a result; a "
                  "state needs its own name";
      if (states.count(name)) {
        InFlightDiagnostic diag = locs.error(s.name.loc)
                                  << "state '" << name << "' is declared twice";
        diag.attachNote(locs.get(states[name].decl->name.loc))
            << "first declared here";
        return diag;
      }
      State state{&s};
      if (s.dims.size() > kMaxRank)
        return locs.error(s.name.loc) << "a state has at most " << kMaxRank
                                      << " dimensions";
      for (const Name &d : s.dims) {
        auto it = m.dims.find(d.text);
        if (it == m.dims.end())
          return locs.error(d.loc) << "dimension '" << d.text
                                   << "' is not a dimension of the signature";
        if (ShapedType::isDynamic(it->second.size))
          return locs.error(d.loc)
                 << "dimension '" << d.text
                 << "' has no size; a state's dimensions are sized in the "
                    "signature ("
                 << d.text << "=N)";
        state.shape.push_back(it->second.size);
      }
      states.insert({name, state});
      namesRead(*s.value, read);
      break;
    }
    case Statement::Kind::Final: {
      auto it = m.tensors.find(s.name.text);
      if (it == m.tensors.end() || !it->second.isResult)
        return locs.error(s.name.loc)
               << "'" << s.name.text
               << "' is not a result; '= final' assigns a result";
      if (finals.count(s.name.text) || it->second.value)
        return locs.error(s.name.loc)
               << "result '" << s.name.text << "' is assigned twice";
      finals[s.name.text] = s.state.text;
      break;
    }
    case Statement::Kind::Assign: {
      SmallVector<llvm::StringRef> scope;
      for (const Subscript &i : s.target->subscripts)
        scope.push_back(i.index.text);
      namesRead(*s.value, read, scope);
      llvm::StringRef name = s.target->name.text;
      targets.insert(name);
      if (s.target->primed)
        break;
      auto it = m.tensors.find(name);
      if (it == m.tensors.end())
        break;
      const Declared &d = it->second;
      if (!d.isResult)
        return locs.error(s.target->loc)
               << "'" << name << "' is an argument; assign a new name";
      if (!d.stepped)
        return locs.error(s.target->loc)
               << "result '" << name << "' is " << shapeString(d.type.getShape())
               << " without T, a final state: assign it with '" << name
               << " = final STATE'";
      if (d.value || assigned.count(name)) {
        InFlightDiagnostic diag = locs.error(s.target->loc)
                                  << "result '" << name
                                  << "' is assigned twice";
        if (assigned.count(name))
          diag.attachNote(locs.get(assigned[name])) << "first assigned here";
        return diag;
      }
      assigned[name] = s.target->loc;
      break;
    }
    case Statement::Kind::Call: // the parser allows none inside a block
      break;
    }
  }
  for (const Statement &s : r.statements)
    if (s.kind == Statement::Kind::Final && !states.count(s.state.text))
      return locs.error(s.state.loc)
             << "'" << s.state.text << "' is not a state of this recurrence";
  for (auto &[name, d] : m.tensors) {
    if (d.stepped && d.value && read.count(name))
      inputs.push_back(name);
    if (d.isResult && assigned.count(name))
      outputs.push_back(name);
  }
  // A name that is nothing is a better message than what its absence
  // leads to.
  for (auto [name, at] : read)
    if (!m.tensors.count(name) && !states.count(name) &&
        !targets.contains(name) && !m.dims.count(name))
      return locs.error(at) << "undefined name '" << name << "'";
  if (inputs.empty())
    return locs.error(r.loc) << "a recurrence reads at least one input per "
                                "step (an argument [B, T, ...])";
  if (states.empty())
    return locs.error(r.loc) << "a recurrence declares at least one state "
                                "(state S[...] = 0)";
  return success();
}

FailureOr<Value> RecurrenceLowering::initialValue(const State &state,
                                                  Value batchSource) {
  const Locations &locs = m.locs;
  const Expr &init = *state.decl->value;
  SmallVector<int64_t> expected{m.dims.lookup("B").size};
  expected.append(state.shape);
  if (init.kind == Expr::Kind::Ref && !init.primed && !init.subscripted) {
    auto it = m.tensors.find(init.name.text);
    if (it == m.tensors.end() || !it->second.value)
      return locs.error(init.loc)
             << "a state's initial value is a number or an argument [B, ...]; '"
             << init.name.text << "' is neither";
    const Declared &d = it->second;
    if (!d.batched || d.stepped || d.type.getShape() != ArrayRef(expected) ||
        d.type.getElementType().isInteger())
      return locs.error(init.loc)
             << "'" << init.name.text << "' is "
             << shapeString(d.type.getShape()) << " but state '"
             << state.decl->name.text << "' starts from a float tensor "
             << shapeString(expected) << " ([B] and the state's shape)";
    return d.value;
  }
  // A number: -x and inf are numbers too.
  const Expr *e = &init;
  bool negative = false;
  while (e->kind == Expr::Kind::Negate) {
    negative = !negative;
    e = e->operands[0].get();
  }
  if (e->kind != Expr::Kind::Number)
    return locs.error(init.loc) << "a state's initial value is a number or "
                                   "an argument [B, ...]";
  double value = negative ? -e->number : e->number;
  Location loc = locs.get(init.loc);
  OpBuilder &b = m.b;
  SmallVector<Value> dynamic;
  if (ShapedType::isDynamic(expected[0])) {
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    dynamic.push_back(tensor::DimOp::create(b, loc, batchSource, zero));
  }
  Value empty = tensor::EmptyOp::create(
      b, loc, RankedTensorType::get(expected, b.getF32Type()), dynamic);
  Value fill = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(float(value)));
  return linalg::FillOp::create(b, loc, fill, empty).getResult(0);
}

static bool isZeroLiteral(const Expr &e) {
  if (e.kind == Expr::Kind::Negate)
    return isZeroLiteral(*e.operands[0]);
  return e.kind == Expr::Kind::Number && e.number == 0;
}

LogicalResult RecurrenceLowering::lower() {
  if (failed(collect()))
    return failure();
  const Locations &locs = m.locs;
  OpBuilder &b = m.b;
  Location loc = locs.get(r.loc);
  Type f32 = b.getF32Type();

  // Operands: the inputs, and the initial states unless all are zero.
  SmallVector<Value> inputValues, inits;
  for (llvm::StringRef name : inputs)
    inputValues.push_back(m.tensors[name].value);
  bool allZero = llvm::all_of(states, [](const auto &s) {
    return isZeroLiteral(*s.second.decl->value);
  });
  if (!allZero)
    for (auto &[name, state] : states) {
      FailureOr<Value> init = initialValue(state, inputValues.front());
      if (failed(init))
        return failure();
      inits.push_back(*init);
    }

  // Results: the outputs, then every state's final value.
  SmallVector<Type> resultTypes;
  for (llvm::StringRef name : outputs)
    resultTypes.push_back(m.tensors[name].type);
  int64_t batch = m.dims.lookup("B").size;
  llvm::StringMap<llvm::StringRef> finalOf; // state → result
  for (const auto &entry : finals)
    finalOf[entry.getValue()] = entry.getKey();
  for (auto &[name, state] : states) {
    SmallVector<int64_t> shape{batch};
    shape.append(state.shape);
    auto it = finalOf.find(name);
    if (it == finalOf.end()) {
      resultTypes.push_back(RankedTensorType::get(shape, f32));
      continue;
    }
    const Declared &d = m.tensors[it->second];
    if (d.type.getShape() != ArrayRef(shape) ||
        d.type.getElementType().isInteger())
      return locs.error(d.decl->name.loc)
             << "result '" << it->second << "' is "
             << shapeString(d.type.getShape()) << " but the final value of '"
             << name << "' is a float tensor " << shapeString(shape);
    resultTypes.push_back(d.type);
  }

  op = mixer::RecurrenceOp::create(b, loc, resultTypes, inputValues, inits,
                                   /*form=*/nullptr);
  Block *body = new Block();
  op.getBody().push_back(body);
  for (auto &[name, state] : states)
    state.previous = body->addArgument(
        RankedTensorType::get(state.shape, f32), locs.get(state.decl->name.loc));
  for (llvm::StringRef name : inputs) {
    auto type = m.tensors[name].type;
    stepArgs[name] = body->addArgument(
        RankedTensorType::get(type.getShape().drop_front(2), f32),
        locs.get(m.tensors[name].decl->name.loc));
  }

  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(body);
  for (Statement &s : r.statements) {
    if (s.kind == Statement::Kind::State) {
      states[s.name.text].declared = true;
      continue;
    }
    if (s.kind == Statement::Kind::Assign && failed(lowerAssign(s)))
      return failure();
  }

  SmallVector<Value> yielded;
  for (auto &[name, state] : states) {
    if (!state.next)
      return locs.error(state.decl->name.loc)
             << "state '" << name << "' is never given its new value (assign "
             << name << "'[...])";
    yielded.push_back(state.next);
  }
  for (llvm::StringRef name : outputs)
    yielded.push_back(locals[name].value);
  mixer::YieldOp::create(b, loc, yielded);

  for (auto [i, name] : llvm::enumerate(outputs))
    m.tensors[name].value = op.getResult(i);
  for (auto [i, s] : llvm::enumerate(states)) {
    auto it = finalOf.find(s.first);
    if (it != finalOf.end())
      m.tensors[it->second].value = op.getResult(outputs.size() + i);
  }
  return success();
}

LogicalResult RecurrenceLowering::lowerAssign(Statement &s) {
  const Locations &locs = m.locs;
  const Expr &target = *s.target;
  llvm::StringRef name = target.name.text;
  std::optional<ArrayRef<int64_t>> shape;
  SmallVector<int64_t> resultShape;
  State *state = nullptr;
  if (target.primed) {
    auto it = states.find(name);
    if (it == states.end() || !it->second.declared)
      return locs.error(target.loc)
             << "'" << name << "' is not a state declared before; only a "
                "state has a new value " << name << "'";
    state = &it->second;
    if (state->next) {
      InFlightDiagnostic diag = locs.error(target.loc)
                                << "state '" << name
                                << "' is given its new value twice";
      diag.attachNote(locs.get(state->nextAt)) << "first assigned here";
      return diag;
    }
    shape = ArrayRef(state->shape);
  } else if (states.count(name)) {
    return locs.error(target.loc)
           << "'" << name << "' is a state: its name is its previous value; "
              "assign its new value " << name << "'[...]";
  } else if (m.tensors.count(name)) {
    resultShape.assign(m.tensors[name].type.getShape().drop_front(2).begin(),
                       m.tensors[name].type.getShape().drop_front(2).end());
    shape = ArrayRef(resultShape);
  } else if (auto it = locals.find(name); it != locals.end()) {
    InFlightDiagnostic diag = locs.error(target.loc)
                              << "'" << name << "' is assigned twice";
    diag.attachNote(locs.get(it->second.at)) << "first assigned here";
    return diag;
  }
  FailureOr<Value> value = lowerStatement(m.b, *this, target, shape, s.value);
  if (failed(value))
    return failure();
  if (state) {
    state->next = *value;
    state->nextAt = target.loc;
  } else {
    locals[name] = {*value, target.loc};
  }
  return success();
}

FailureOr<Operand> RecurrenceLowering::resolve(const Expr &ref) {
  const Locations &locs = m.locs;
  llvm::StringRef name = ref.name.text;
  auto stateIt = states.find(name);
  if (ref.primed) {
    if (stateIt == states.end() || !stateIt->second.declared)
      return locs.error(ref.loc) << "'" << name << "' is not a state; only a "
                                    "state has a new value " << name << "'";
    if (!stateIt->second.next)
      return locs.error(ref.loc) << "'" << name << "'' is read before it is "
                                    "assigned";
    return Operand{stateIt->second.next};
  }
  if (stateIt != states.end()) {
    if (!stateIt->second.declared)
      return locs.error(ref.loc)
             << "state '" << name << "' is read before its declaration";
    return Operand{stateIt->second.previous};
  }
  if (auto it = locals.find(name); it != locals.end())
    return Operand{it->second.value};
  if (auto it = stepArgs.find(name); it != stepArgs.end())
    return Operand{it->second};
  if (auto it = m.tensors.find(name); it != m.tensors.end()) {
    const Declared &d = it->second;
    if (!d.value)
      return locs.error(ref.loc)
             << "result '" << name << "' is read before it is assigned";
    if (d.batched)
      return locs.error(ref.loc)
             << "'" << name << "' is " << shapeString(d.type.getShape())
             << ", batched without T: a recurrence reads it only as a state's "
                "initial value";
    if (d.type.getElementType().isInteger())
      return locs.error(ref.loc) << "'" << name
                                 << "' is i32; a recurrence computes on "
                                    "floating-point tensors";
    if (!d.type.hasStaticShape())
      return locs.error(ref.loc)
             << "'" << name << "' is " << shapeString(d.type.getShape())
             << ": a tensor read whole by a recurrence has a static shape";
    Value &whole = wholeReads[name];
    if (!whole) {
      OpBuilder::InsertionGuard guard(m.b);
      m.b.setInsertionPoint(op); // read whole, before the recurrence
      whole = m.widened(d.value, locs.get(ref.loc));
    }
    return Operand{whole};
  }
  return m.resolveDimension(ref);
}

//===----------------------------------------------------------------------===//
// Statements on whole tensors
//===----------------------------------------------------------------------===//

FailureOr<Operand> WholeTensorContext::resolve(const Expr &ref) {
  const Locations &locs = m.locs;
  llvm::StringRef name = ref.name.text;
  if (ref.primed)
    return locs.error(ref.loc) << "'" << name << "'' is a state's new value; "
                                  "outside a recurrence there is no state";
  if (auto it = m.tensors.find(name); it != m.tensors.end()) {
    const Declared &d = it->second;
    if (!d.value)
      return locs.error(ref.loc)
             << "result '" << name << "' is read before it is assigned";
    if (d.type.getElementType().isInteger())
      return locs.error(ref.loc) << "'" << name
                                 << "' is i32; a statement computes on "
                                    "floating-point tensors";
    Value &v = widenedReads[name];
    if (!v)
      v = m.widened(d.value, locs.get(ref.loc));
    return Operand{v, 0, d.dimNames};
  }
  return m.resolveDimension(ref);
}

LogicalResult MixerLowering::lowerWholeAssign(Statement &s) {
  const Expr &target = *s.target;
  llvm::StringRef name = target.name.text;
  if (target.primed)
    return locs.error(target.loc) << "'" << name << "'' is a state's new "
                                     "value; outside a recurrence there is "
                                     "no state";
  std::optional<ArrayRef<int64_t>> shape;
  Declared *result = nullptr;
  if (auto it = tensors.find(name); it != tensors.end()) {
    Declared &d = it->second;
    if (!d.isResult)
      return locs.error(target.loc)
             << "'" << name << "' is "
             << (d.decl ? "an argument" : "already assigned")
             << "; assign a new name";
    if (d.value)
      return locs.error(target.loc)
             << "result '" << name << "' is assigned twice";
    result = &d;
    shape = d.type.getShape();
  }
  WholeTensorContext context(*this);
  FailureOr<Value> value =
      lowerStatement(b, context, target, shape, s.value,
                     result ? ArrayRef(result->dimNames) : ArrayRef<llvm::StringRef>());
  if (failed(value))
    return failure();
  if (result) {
    Value v = *value;
    if (!result->type.getElementType().isF32())
      v = arith::TruncFOp::create(b, locs.get(target.loc), result->type, v);
    result->value = v;
    return success();
  }
  Declared local;
  local.type = cast<RankedTensorType>(value->getType());
  local.value = *value;
  tensors.insert({name, local});
  return success();
}

FailureOr<Value> MixerLowering::tensorArgument(const Expr &e,
                                               llvm::StringRef what) {
  if (e.kind != Expr::Kind::Ref || e.subscripted || e.primed)
    return locs.error(e.loc) << what << " is a tensor's name";
  auto it = tensors.find(e.name.text);
  if (it == tensors.end())
    return locs.error(e.loc) << "undefined name '" << e.name.text << "'";
  if (!it->second.value)
    return locs.error(e.loc)
           << "result '" << e.name.text << "' is read before it is assigned";
  return it->second.value;
}

FailureOr<SmallVector<Type, 2>>
MixerLowering::callResultTypes(const Statement &s, ArrayRef<Type> defaults) {
  SmallVector<Type, 2> types;
  for (auto [i, target, fallback] :
       llvm::enumerate(s.targets, defaults)) {
    for (const Name &before : ArrayRef(s.targets).take_front(i))
      if (before.text == target.text)
        return locs.error(target.loc)
               << "'" << target.text << "' is named twice among the results";
    auto it = tensors.find(target.text);
    if (it == tensors.end()) {
      types.push_back(fallback);
      continue;
    }
    const Declared &d = it->second;
    if (!d.isResult)
      return locs.error(target.loc)
             << "'" << target.text << "' is "
             << (d.decl ? "an argument" : "already assigned")
             << "; assign a new name";
    if (d.value)
      return locs.error(target.loc)
             << "result '" << target.text << "' is assigned twice";
    types.push_back(d.type);
  }
  return types;
}

void MixerLowering::bindCallResults(const Statement &s, ValueRange values) {
  // Looked up one at a time: inserting a local may move every entry of
  // `tensors`.
  for (auto [target, value] : llvm::zip(s.targets, values)) {
    if (auto it = tensors.find(target.text); it != tensors.end()) {
      it->second.value = value; // a result (callResultTypes checked)
      continue;
    }
    Declared local;
    local.type = cast<RankedTensorType>(value.getType());
    local.value = value;
    tensors.insert({target.text, local});
  }
}

LogicalResult MixerLowering::lowerCall(Statement &s) {
  if (s.callee.text == "semiseparable")
    return lowerSemiseparable(s);
  if (s.callee.text == "attention")
    return lowerAttention(s);
  return locs.error(s.callee.loc)
         << "unknown structured op '" << s.callee.text
         << "' (the structured ops are semiseparable and attention)";
}

/// The value of a constant expression (numbers and arithmetic), if it is
/// one.
static std::optional<double> constantValue(const Expr &e) {
  switch (e.kind) {
  case Expr::Kind::Number:
    return e.number;
  case Expr::Kind::Negate:
    if (auto x = constantValue(*e.operands[0]))
      return -*x;
    return std::nullopt;
  case Expr::Kind::Binary: {
    auto x = constantValue(*e.operands[0]), y = constantValue(*e.operands[1]);
    if (!x || !y)
      return std::nullopt;
    switch (e.op) {
    case Tok::Plus: return *x + *y;
    case Tok::Minus: return *x - *y;
    case Tok::Star: return *x * *y;
    case Tok::Slash: return *x / *y;
    default: return std::nullopt;
    }
  }
  default:
    return std::nullopt;
  }
}

// (o, hT) = semiseparable(q, k, v [, delta_rule], gate = g, beta = b,
//                         initial_state = h0, low_rank = (a, b), scale = c)
LogicalResult MixerLowering::lowerSemiseparable(Statement &s) {
  Location loc = locs.get(s.loc);
  SmallVector<Value, 3> qkv;
  Value gate, beta, h0, lowA, lowB;
  std::optional<double> scale;
  bool deltaRule = false;
  llvm::StringSet<> seen;
  for (CallArgument &arg : s.arguments) {
    if (arg.keyword.text.empty()) {
      const Expr &e = *arg.values[0];
      if (qkv.size() < 3) {
        FailureOr<Value> t = tensorArgument(e, "each of q, k and v");
        if (failed(t))
          return failure();
        qkv.push_back(*t);
        continue;
      }
      if (e.kind == Expr::Kind::Ref && !e.subscripted &&
          e.name.text == "delta_rule" && !deltaRule) {
        deltaRule = true;
        continue;
      }
      return locs.error(e.loc)
             << "semiseparable takes q, k, v, then delta_rule or keywords "
                "(gate, beta, initial_state, low_rank, scale)";
    }
    llvm::StringRef key = arg.keyword.text;
    if (!seen.insert(key).second)
      return locs.error(arg.keyword.loc)
             << "'" << key << "' is given twice";
    auto single = [&](Value &into) -> LogicalResult {
      if (arg.values.size() != 1)
        return locs.error(arg.keyword.loc)
               << "'" << key << "' takes one tensor";
      FailureOr<Value> t = tensorArgument(*arg.values[0], "'" + key.str() + "'");
      if (failed(t))
        return failure();
      into = *t;
      return success();
    };
    if (key == "gate" || key == "beta" || key == "initial_state") {
      if (failed(single(key == "gate" ? gate : key == "beta" ? beta : h0)))
        return failure();
    } else if (key == "low_rank") {
      if (arg.values.size() != 2)
        return locs.error(arg.keyword.loc)
               << "'low_rank' takes two tensors, low_rank = (a, b)";
      FailureOr<Value> a = tensorArgument(*arg.values[0], "'low_rank'");
      if (failed(a))
        return failure();
      FailureOr<Value> bb = tensorArgument(*arg.values[1], "'low_rank'");
      if (failed(bb))
        return failure();
      lowA = *a;
      lowB = *bb;
    } else if (key == "scale") {
      if (arg.values.size() == 1)
        scale = constantValue(*arg.values[0]);
      if (!scale)
        return locs.error(arg.keyword.loc) << "'scale' is a number";
    } else {
      return locs.error(arg.keyword.loc)
             << "semiseparable has no argument '" << key
             << "' (it takes gate, beta, initial_state, low_rank, scale and "
                "delta_rule)";
    }
  }
  if (qkv.size() < 3)
    return locs.error(s.callee.loc) << "semiseparable takes q, k and v";
  if (s.targets.size() > 2)
    return locs.error(s.targets[2].loc)
           << "semiseparable has two results, the output and the final state";

  // The results' types: a declared result's, or f32 of the op's shapes.
  auto qType = cast<RankedTensorType>(qkv[0].getType());
  auto kType = cast<RankedTensorType>(qkv[1].getType());
  auto vType = cast<RankedTensorType>(qkv[2].getType());
  if (kType.getRank() != 4 || vType.getRank() != 4)
    return locs.error(s.callee.loc)
           << "semiseparable's k and v are [B, T, H, D] tensors";
  FailureOr<SmallVector<Type, 2>> types = callResultTypes(
      s, {RankedTensorType::get(vType.getShape(), b.getF32Type()),
          RankedTensorType::get({qType.getDimSize(0), vType.getDimSize(2),
                                 kType.getDimSize(3), vType.getDimSize(3)},
                                b.getF32Type())});
  if (failed(types))
    return failure();
  auto op = mixer::SemiseparableOp::create(
      b, loc, *types, qkv[0], qkv[1], qkv[2], gate, beta, lowA, lowB, h0,
      scale ? b.getF64FloatAttr(*scale) : FloatAttr(), b.getBoolAttr(true),
      deltaRule ? b.getUnitAttr() : UnitAttr(), mixer::FormAttr());
  bindCallResults(s, op->getResults());
  return success();
}

namespace {
/// An attention call's mask and score: they read the mixer's tensors and
/// its dimensions' sizes.
class AttentionContext : public RegionContext {
public:
  explicit AttentionContext(MixerLowering &m) : m(m) {}
  const RegionTensor *lookupTensor(llvm::StringRef name) override {
    auto it = m.tensors.find(name);
    if (it == m.tensors.end() || !it->second.value)
      return nullptr;
    RegionTensor &t = cache[name];
    t.value = it->second.value;
    t.dimNames = it->second.dimNames;
    return &t;
  }
  FailureOr<OpFoldResult> dimensionSize(const Expr &ref) override {
    llvm::StringRef name = ref.name.text;
    auto it = m.dims.find(name);
    if (it == m.dims.end())
      return m.locs.error(ref.loc) << "undefined name '" << name << "'";
    if (!ShapedType::isDynamic(it->second.size))
      return OpFoldResult(m.b.getIndexAttr(it->second.size));
    for (auto &[tensorName, d] : m.tensors)
      for (auto [i, dim] : llvm::enumerate(d.dimNames))
        if (dim == name && d.value)
          return OpFoldResult(tensor::DimOp::create(
              m.b, m.locs.get(ref.loc), d.value, int64_t(i)).getResult());
    return m.locs.error(ref.loc) << "dimension '" << name
                                 << "' is the size of no tensor computed here";
  }
  Location getLoc(SMLoc loc) override { return m.locs.get(loc); }

private:
  MixerLowering &m;
  llvm::StringMap<RegionTensor> cache;
};
} // namespace

// o = attention(q, k, v, mask = COND, score = EXPR, forget = f, scale = c)
// (o, lse) = attention(...)
LogicalResult MixerLowering::lowerAttention(Statement &s) {
  Location loc = locs.get(s.loc);
  SmallVector<Value, 3> qkv;
  SmallVector<llvm::StringRef, 3> qkvNames;
  Value forget;
  const Expr *mask = nullptr, *score = nullptr;
  std::optional<double> scale;
  llvm::StringSet<> seen;
  for (CallArgument &arg : s.arguments) {
    if (arg.keyword.text.empty()) {
      const Expr &e = *arg.values[0];
      if (qkv.size() == 3)
        return locs.error(e.loc) << "attention takes q, k, v, then keywords "
                                    "(mask, score, forget, scale)";
      FailureOr<Value> t = tensorArgument(e, "each of q, k and v");
      if (failed(t))
        return failure();
      qkv.push_back(*t);
      qkvNames.push_back(e.name.text);
      continue;
    }
    llvm::StringRef key = arg.keyword.text;
    if (!seen.insert(key).second)
      return locs.error(arg.keyword.loc) << "'" << key << "' is given twice";
    if (key != "mask" && key != "score" && key != "forget" && key != "scale")
      return locs.error(arg.keyword.loc)
             << "attention has no argument '" << key
             << "' (it takes mask, score, forget and scale)";
    if (arg.values.size() != 1)
      return locs.error(arg.keyword.loc) << "'" << key << "' takes one value";
    const Expr &value = *arg.values[0];
    if (key == "mask") {
      mask = &value;
    } else if (key == "score") {
      score = &value;
    } else if (key == "forget") {
      FailureOr<Value> t = tensorArgument(value, "'forget'");
      if (failed(t))
        return failure();
      forget = *t;
    } else {
      scale = constantValue(value);
      if (!scale)
        return locs.error(arg.keyword.loc) << "'scale' is a number";
    }
  }
  if (qkv.size() < 3)
    return locs.error(s.callee.loc) << "attention takes q, k and v";
  if (s.targets.size() > 2)
    return locs.error(s.targets[2].loc)
           << "attention has two results, the output and the row "
              "log-sum-exp";
  for (auto [value, name] : llvm::zip(qkv, qkvNames))
    if (cast<RankedTensorType>(value.getType()).getRank() != 4)
      return locs.error(s.callee.loc)
             << "attention's q, k and v are [B, T, H, D] tensors; '" << name
             << "' is " << shapeString(cast<RankedTensorType>(value.getType())
                                           .getShape());

  // The region's indices and the dimensions they run over.
  auto qType = cast<RankedTensorType>(qkv[0].getType());
  auto vType = cast<RankedTensorType>(qkv[2].getType());
  auto index = [&](unsigned which, unsigned dim) {
    const Declared &d = tensors[qkvNames[which]];
    RegionScalar r{ScalarKind::Integer};
    r.dimName = dim < d.dimNames.size() ? d.dimNames[dim] : "";
    r.dimSize = cast<RankedTensorType>(qkv[which].getType()).getDimSize(dim);
    r.over = "dimension " + std::to_string(dim) + " of '" +
             qkvNames[which].str() + "'";
    return r;
  };
  llvm::StringMap<RegionScalar> maskScalars;
  maskScalars["b"] = index(0, 0);
  maskScalars["h"] = index(0, 2);
  maskScalars["t"] = index(0, 1);
  maskScalars["s"] = index(1, 1);
  llvm::StringMap<RegionScalar> scoreScalars = maskScalars;
  scoreScalars["score"] = RegionScalar{ScalarKind::Float};
  AttentionContext context(*this);
  RegionExpr maskExpr(context, maskScalars), scoreExpr(context, scoreScalars);
  if (mask && failed(maskExpr.check(*mask, ScalarKind::Condition, "the mask")))
    return failure();
  if (score && failed(scoreExpr.check(*score, ScalarKind::Float, "the score")))
    return failure();

  // The results' types: a declared result's, or f32 of the op's shapes.
  FailureOr<SmallVector<Type, 2>> types = callResultTypes(
      s, {RankedTensorType::get({qType.getDimSize(0), qType.getDimSize(1),
                                 qType.getDimSize(2), vType.getDimSize(3)},
                                b.getF32Type()),
          RankedTensorType::get({qType.getDimSize(0), qType.getDimSize(1),
                                 qType.getDimSize(2)},
                                b.getF32Type())});
  if (failed(types))
    return failure();
  auto op = mixer::AttentionOp::create(
      b, loc, (*types)[0], types->size() > 1 ? (*types)[1] : Type(), qkv[0],
      qkv[1],
      qkv[2], forget, scale ? b.getF64FloatAttr(*scale) : FloatAttr(),
      mixer::FormAttr());

  // The regions: (b, h, t, s) -> i1 and (score, b, h, t, s) -> f32.
  auto fill = [&](Region &region, RegionExpr &expr, const Expr &source,
                  bool withScore) {
    OpBuilder::InsertionGuard guard(b);
    Block *block = new Block();
    region.push_back(block);
    Location at = locs.get(source.loc);
    llvm::StringMap<Value> args;
    if (withScore)
      args["score"] = block->addArgument(b.getF32Type(), at);
    for (llvm::StringRef name : {"b", "h", "t", "s"})
      args[name] = block->addArgument(b.getIndexType(), at);
    b.setInsertionPointToEnd(block);
    Value v = expr.emit(b, args);
    mixer::YieldOp::create(b, at, v);
  };
  if (mask)
    fill(op.getMaskMod(), maskExpr, *mask, false);
  if (score)
    fill(op.getScoreMod(), scoreExpr, *score, true);

  bindCallResults(s, op->getResults());
  return success();
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

void mixir::registerMixFrontendDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                  math::MathDialect, tensor::TensorDialect,
                  mixer::MixerDialect>();
}

OwningOpRef<ModuleOp> mixir::parseMixSource(llvm::SourceMgr &sourceMgr,
                                            MLIRContext *context) {
  DialectRegistry registry;
  registerMixFrontendDialects(registry);
  context->appendDialectRegistry(registry);
  context->loadDialect<arith::ArithDialect, func::FuncDialect,
                       linalg::LinalgDialect, math::MathDialect,
                       tensor::TensorDialect, mixer::MixerDialect>();
  Locations locs(sourceMgr, context);
  llvm::StringRef buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())->getBuffer();
  std::optional<File> file = parse(
      buffer, [&](SMLoc loc, const llvm::Twine &message) {
        locs.error(loc) << message;
      });
  if (!file)
    return nullptr;
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(locs.get(SMLoc::getFromPointer(buffer.data())));
  for (Mixer &mixer : file->mixers)
    if (failed(MixerLowering(locs, *module).lower(mixer)))
      return nullptr;
  if (failed(verify(*module)))
    return nullptr;
  return module;
}
