//===- MixerDialect.cpp - the mixer dialect ---------------------------------===//
#include "mixir/Dialect/Mixer/MixerDialect.h"
#include "mixir/Dialect/Mixer/MixerOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mixir::mixer;

#include "mixer/MixerDialect.cpp.inc"

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
  // Each structure class attaches the cost and lowering of its forms from
  // lib/Forms/<Class>/ (mixir::registerFormModels).
  declarePromisedInterfaces<MixerFormInterface, SemiseparableOp, AttentionOp>();
}

//===----------------------------------------------------------------------===//
// #mixer.form<NAME (, tile = N)?>
//===----------------------------------------------------------------------===//

Attribute FormAttr::parse(AsmParser &parser, Type) {
  std::string kind;
  int64_t tile = 0;
  if (parser.parseLess() || parser.parseKeywordOrString(&kind))
    return {};
  if (succeeded(parser.parseOptionalComma()))
    if (parser.parseKeyword("tile") || parser.parseEqual() ||
        parser.parseInteger(tile))
      return {};
  if (parser.parseGreater())
    return {};
  return parser.getChecked<FormAttr>(parser.getContext(), kind, tile);
}

void FormAttr::print(AsmPrinter &printer) const {
  printer << "<";
  printer.printKeywordOrString(getKind());
  if (getTile() != 0)
    printer << ", tile = " << getTile();
  printer << ">";
}

LogicalResult FormAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               StringRef kind, int64_t tile) {
  if (kind.empty())
    return emitError() << "a form needs a name";
  if (tile < 0)
    return emitError() << "form tile size must be positive (or 0 for the "
                          "cost model's choice), got "
                       << tile;
  if (tile > kMaxTile)
    return emitError() << "form tile size must be at most " << kMaxTile
                       << ", got " << tile;
  if (kind == kScanForm && tile != 0)
    return emitError() << "the scan form takes no tile size";
  return success();
}
