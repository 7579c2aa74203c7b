/*===- Signature.h - parse a kernel's ABI signature -------------*- C -*-===*/
#ifndef MIXIR_LIB_RUNTIME_SIGNATURE_H
#define MIXIR_LIB_RUNTIME_SIGNATURE_H

#include <stdint.h>

#define MIXIR_MAX_RANK 8
#define MIXIR_MAX_NAME 64

/* One tensor of a signature: name:dtype[D,...][@alias], dtype one of f32,
 * f16, bf16, i32. A dimension is a static size (>= 0) or a symbol, stored
 * as -(symbol + 1). */
typedef struct {
  char name[MIXIR_MAX_NAME];
  uint8_t dtypeCode;  /* DLDataTypeCode: kDLFloat, kDLBfloat or kDLInt */
  uint8_t dtypeBits;  /* 16 or 32 */
  const char *dtypeName;
  int32_t rank;
  int64_t dims[MIXIR_MAX_RANK];
  char alias[MIXIR_MAX_NAME]; /* "" unless a result may alias that input */
  int isResult;
} MixirTensorSpec;

typedef struct {
  char function[MIXIR_MAX_NAME];
  const char *cursor;
  char symbols[16][MIXIR_MAX_NAME];
  int32_t numSymbols;
  int inResults;
} MixirSignatureParser;

/* Starts parsing; 0 on success. */
__attribute__((visibility("hidden"))) int mixir_sig_begin(MixirSignatureParser *p, const char *signature);
/* Parses the next tensor into `spec`; 0 on success, 1 at the end, -1 on a
 * malformed signature. */
__attribute__((visibility("hidden"))) int mixir_sig_next(MixirSignatureParser *p, MixirTensorSpec *spec);

#endif /* MIXIR_LIB_RUNTIME_SIGNATURE_H */
