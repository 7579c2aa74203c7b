//===- PrepareCAbi.cpp - record the C ABI, results to out-parameters ----===//
//
// The signature string recorded here is what the runtime checks each call's
// DLTensors against (docs/abi.md):
//   name(q:bf16[B,T,2,48],...,h0:f32[B,2,48,80])->(o:bf16[B,T,2,80],hT:f32[B,2,48,80]@h0)
// Element types are spelled f32, f16, bf16 or i32.
// Dynamic sizes that must agree share a symbol (B, T, or D<n>); `@h0` marks
// a final state that may be updated in place in its initial state's buffer.
//
//===----------------------------------------------------------------------===//
#include "ShapeClasses.h"

#include "mixir/Conversion/Passes.h"
#include "mixir/Dialect/Mixer/MixerOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/StringExtras.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERPREPARECABI
#include "mixir/Conversion/Passes.h.inc"
} // namespace mixir

using namespace mlir;
using namespace mixir;
using namespace mixir::detail;

namespace {
/// Name of the ABI tensor for argument or result `i`: the `mixer.name`
/// attribute when the user gave one.
std::string tensorName(DictionaryAttr attrs, StringRef fallback, unsigned i) {
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>("mixer.name"))
      return name.str();
  return (fallback + Twine(i)).str();
}

/// The signature's spelling of an element type, or "" for one the ABI does
/// not carry.
StringRef dtypeName(Type type) {
  if (type.isF32())
    return "f32";
  if (type.isF16())
    return "f16";
  if (type.isBF16())
    return "bf16";
  if (type.isSignlessInteger(32))
    return "i32";
  return "";
}

bool isIdentifier(StringRef s) {
  return !s.empty() && !llvm::isDigit(s.front()) &&
         llvm::all_of(s, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// The input index a result may alias: a mixer op's result that it may
/// write over one of its operands (MixerOpInterface::getInPlaceOperand),
/// when that operand is a function argument of the same element type.
std::optional<unsigned> inPlaceSource(Value result) {
  auto op = result.getDefiningOp<mixer::MixerOpInterface>();
  if (!op)
    return std::nullopt;
  std::optional<unsigned> operand =
      op.getInPlaceOperand(cast<OpResult>(result).getResultNumber());
  if (!operand)
    return std::nullopt;
  auto arg = dyn_cast<BlockArgument>(op->getOperand(*operand));
  if (!arg || getElementTypeOrSelf(arg.getType()) !=
                  getElementTypeOrSelf(result.getType()))
    return std::nullopt;
  return arg.getArgNumber();
}

struct MixerPrepareCAbiPass
    : public mixir::impl::MixerPrepareCAbiBase<MixerPrepareCAbiPass> {
  LogicalResult prepare(func::FuncOp func, SmallVectorImpl<Attribute> &abi);
  void runOnOperation() override {
    SmallVector<Attribute> abi;
    for (auto func :
         llvm::make_early_inc_range(getOperation().getOps<func::FuncOp>())) {
      if (func.isDeclaration() || !func.isPublic())
        continue;
      if (failed(prepare(func, abi)))
        return signalPassFailure();
    }
    getOperation()->setAttr(kCAbiAttrName,
                            ArrayAttr::get(&getContext(), abi));
  }
};
} // namespace

LogicalResult MixerPrepareCAbiPass::prepare(func::FuncOp func,
                                            SmallVectorImpl<Attribute> &abi) {
  MLIRContext *ctx = &getContext();
  FunctionType type = func.getFunctionType();
  if (!isIdentifier(func.getSymName()))
    return func.emitError() << "function name '" << func.getSymName()
                            << "' is not a C identifier";
  auto returnOp = cast<func::ReturnOp>(func.getBody().front().getTerminator());

  // Every argument and result is a ranked tensor of an element type the
  // signature can spell.
  SmallVector<Value> tensors(func.getArguments());
  llvm::append_range(tensors, returnOp.getOperands());
  for (auto [i, t] : llvm::enumerate(llvm::concat<const Type>(
           type.getInputs(), type.getResults()))) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    if (!tensor || dtypeName(tensor.getElementType()).empty())
      return func.emitError()
             << "C ABI: every argument and result must be a ranked tensor "
                "of f32, f16, bf16 or i32, but "
             << (i < type.getNumInputs() ? "argument " : "result ")
             << (i < type.getNumInputs() ? i : i - type.getNumInputs())
             << " is " << t;
  }

  FailureOr<ShapeClasses> classes = ShapeClasses::analyze(func);
  if (failed(classes))
    return failure();

  // Names, and one symbol per class of dynamic sizes.
  SmallVector<std::string> names;
  for (unsigned i = 0; i < type.getNumInputs(); ++i)
    names.push_back(tensorName(func.getArgAttrDict(i), "arg", i));
  for (unsigned i = 0; i < type.getNumResults(); ++i)
    names.push_back(tensorName(func.getResultAttrDict(i), "result", i));
  for (auto [i, name] : llvm::enumerate(names)) {
    if (!isIdentifier(name))
      return func.emitError() << "C ABI: tensor name '" << name
                              << "' is not an identifier";
    for (unsigned j = 0; j < i; ++j)
      if (names[j] == name)
        return func.emitError() << "C ABI: two tensors are named '" << name
                                << "'";
  }

  llvm::DenseMap<unsigned, int64_t> symbolOf;
  SmallVector<std::string> symbolNames;
  std::string sig;
  llvm::raw_string_ostream os(sig);
  SmallVector<Attribute> dims;
  os << func.getSymName() << "(";
  for (auto [i, value] : llvm::enumerate(tensors)) {
    if (i == type.getNumInputs())
      os << ")->(";
    else if (i)
      os << ",";
    auto tensor = cast<RankedTensorType>(value.getType());
    os << names[i] << ":" << dtypeName(tensor.getElementType()) << "[";
    SmallVector<int64_t> encoded;
    for (unsigned d = 0; d < tensor.getRank(); ++d) {
      if (d)
        os << ",";
      int64_t size = tensor.getDimSize(d);
      unsigned cls = classes->classOf(value, d);
      if (ShapedType::isDynamic(size))
        if (std::optional<int64_t> known = classes->staticSize(cls))
          size = *known;
      if (!ShapedType::isDynamic(size)) {
        os << size;
        encoded.push_back(size);
        continue;
      }
      auto [it, inserted] = symbolOf.try_emplace(cls, symbolNames.size());
      if (inserted) {
        std::string name = classes->roleName(cls).str();
        if (name.empty() || llvm::is_contained(symbolNames, name))
          name = "D" + std::to_string(symbolNames.size());
        symbolNames.push_back(name);
      }
      os << symbolNames[it->second];
      encoded.push_back(-(it->second + 1));
    }
    os << "]";
    if (i >= type.getNumInputs())
      if (std::optional<unsigned> src = inPlaceSource(value))
        os << "@" << names[*src];
    dims.push_back(DenseI64ArrayAttr::get(ctx, encoded));
  }
  os << ")";

  // Destination-passing style: each result becomes a memref out-parameter.
  OpBuilder b(returnOp);
  Block &entry = func.getBody().front();
  SmallVector<Type> newInputs(type.getInputs());
  for (Type t : type.getResults()) {
    auto tensor = cast<RankedTensorType>(t);
    auto memref = MemRefType::get(tensor.getShape(), tensor.getElementType());
    newInputs.push_back(memref);
    BlockArgument out = entry.addArgument(memref, func.getLoc());
    Value result = returnOp.getOperand(out.getArgNumber() -
                                       type.getNumInputs());
    auto store = bufferization::MaterializeInDestinationOp::create(
        b, returnOp.getLoc(), TypeRange{}, result, out);
    store.setRestrict(true);
    store.setWritable(true);
  }
  func::ReturnOp::create(b, returnOp.getLoc());
  returnOp.erase();
  // The names now live in the signature; the kernel keeps no argument
  // attributes.
  func.removeArgAttrsAttr();
  func.removeResAttrsAttr();
  func.setFunctionType(FunctionType::get(ctx, newInputs, {}));

  std::string name = func.getSymName().str();
  std::string impl = (kImplPrefix + name).str();
  if (SymbolTable::lookupSymbolIn(getOperation(), impl))
    return func.emitError() << "C ABI: the kernel name '" << impl
                            << "' is taken";
  func.setSymName(impl);

  abi.push_back(DictionaryAttr::get(
      ctx, {NamedAttribute(StringAttr::get(ctx, "name"),
                           StringAttr::get(ctx, name)),
            NamedAttribute(StringAttr::get(ctx, "impl"),
                           StringAttr::get(ctx, impl)),
            NamedAttribute(StringAttr::get(ctx, "signature"),
                           StringAttr::get(ctx, sig)),
            NamedAttribute(StringAttr::get(ctx, "num_inputs"),
                           IntegerAttr::get(IntegerType::get(ctx, 64),
                                            type.getNumInputs())),
            NamedAttribute(StringAttr::get(ctx, "num_symbols"),
                           IntegerAttr::get(IntegerType::get(ctx, 64),
                                            symbolNames.size())),
            NamedAttribute(StringAttr::get(ctx, "dims"),
                           ArrayAttr::get(ctx, dims))}));
  return success();
}
