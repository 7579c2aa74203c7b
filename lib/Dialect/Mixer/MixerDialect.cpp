//===- MixerDialect.cpp - the mixer dialect ---------------------------------===//
#include "mixir/Dialect/Mixer/MixerDialect.h"
#include "mixir/Dialect/Mixer/MixerOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mixir::mixer;

#include "mixer/MixerDialect.cpp.inc"
#include "mixer/MixerEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "mixer/MixerAttrs.cpp.inc"

void MixerDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "mixer/MixerAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "mixer/MixerOps.cpp.inc"
      >();
}

LogicalResult FormAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               FormKind kind, int64_t tile) {
  if (tile < 0)
    return emitError() << "form tile size must be positive (or 0 for the "
                          "cost model's choice), got "
                       << tile;
  if (tile > kMaxTile)
    return emitError() << "form tile size must be at most " << kMaxTile
                       << ", got " << tile;
  if (kind == FormKind::scan && tile != 0)
    return emitError() << "the scan form takes no tile size";
  return success();
}
