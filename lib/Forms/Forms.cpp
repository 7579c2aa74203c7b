//===- Forms.cpp - the forms of every structure class -----------------------===//
#include "mixir/Forms/Forms.h"

void mixir::forms::registerFormModels(mlir::DialectRegistry &registry) {
  registerSemiseparableFormModels(registry);
  registerAttentionFormModels(registry);
  registerRecurrenceFormModels(registry);
  registerDiagonalRecurrenceFormModels(registry);
  registerPrefixScanFormModels(registry);
}
