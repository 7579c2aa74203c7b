//===- RuntimeFunctions.cpp - declarations of the CPU runtime's functions -===//
#include "RuntimeFunctions.h"

using namespace mlir;

LogicalResult mixir::checkRuntimeFunction(ModuleOp module, StringRef name,
                                          FunctionType type) {
  Operation *clash = module.lookupSymbol(name);
  if (!clash)
    return success();
  auto fn = dyn_cast<func::FuncOp>(clash);
  if (fn && fn.getFunctionType() == type)
    return success();
  return clash->emitError() << "'@" << name
                            << "' is reserved for the mixir runtime, as "
                            << type;
}

func::FuncOp mixir::declareRuntimeFunction(OpBuilder &b, ModuleOp module,
                                           StringRef name, FunctionType type) {
  if (auto fn = module.lookupSymbol<func::FuncOp>(name))
    return fn;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto fn = func::FuncOp::create(b, module.getLoc(), name, type);
  fn.setPrivate();
  return fn;
}
