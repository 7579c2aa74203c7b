/*===- Signature.c - parse a kernel's ABI signature -------------------------===*
 *
 *   signature := ident '(' tensors? ')' '->' '(' tensors? ')'
 *   tensor    := ident ':' dtype '[' dim (',' dim)* ']' ('@' ident)?
 *   dtype     := 'f32' | 'f16' | 'bf16' | 'i32'
 *   dim       := digits | ident
 *
 *===----------------------------------------------------------------------===*/
#include "Signature.h"

#include <ctype.h>
#include <dlpack/dlpack.h>
#include <string.h>

/* The element types a signature may name, and their DLPack dtypes. */
static const struct {
  const char *name;
  uint8_t code, bits;
} dtypes[] = {{"f32", kDLFloat, 32},
              {"f16", kDLFloat, 16},
              {"bf16", kDLBfloat, 16},
              {"i32", kDLInt, 32}};

static int readDtype(const char **s, MixirTensorSpec *spec) {
  for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; ++i) {
    size_t n = strlen(dtypes[i].name);
    if (strncmp(*s, dtypes[i].name, n) == 0 && (*s)[n] == '[') {
      spec->dtypeCode = dtypes[i].code;
      spec->dtypeBits = dtypes[i].bits;
      spec->dtypeName = dtypes[i].name;
      *s += n + 1;
      return 0;
    }
  }
  return -1;
}

static int readIdent(const char **s, char *out) {
  size_t n = 0;
  if (!isalpha((unsigned char)**s) && **s != '_')
    return -1;
  while (isalnum((unsigned char)**s) || **s == '_') {
    if (n + 1 >= MIXIR_MAX_NAME)
      return -1;
    out[n++] = *(*s)++;
  }
  out[n] = '\0';
  return 0;
}

static int expect(const char **s, const char *token) {
  size_t n = strlen(token);
  if (strncmp(*s, token, n) != 0)
    return -1;
  *s += n;
  return 0;
}

int mixir_sig_begin(MixirSignatureParser *p, const char *signature) {
  memset(p, 0, sizeof *p);
  p->cursor = signature;
  if (!signature || readIdent(&p->cursor, p->function) ||
      expect(&p->cursor, "("))
    return -1;
  return 0;
}

static int symbolIndex(MixirSignatureParser *p, const char *name) {
  for (int32_t i = 0; i < p->numSymbols; ++i)
    if (strcmp(p->symbols[i], name) == 0)
      return i;
  if (p->numSymbols >= 16)
    return -1;
  strcpy(p->symbols[p->numSymbols], name);
  return p->numSymbols++;
}

int mixir_sig_next(MixirSignatureParser *p, MixirTensorSpec *spec) {
  const char **s = &p->cursor;
  if (**s == ')') {
    if (p->inResults)
      return (*s)[1] == '\0' ? 1 : -1;
    if (expect(s, ")->("))
      return -1;
    p->inResults = 1;
    if (**s == ')')
      return (*s)[1] == '\0' ? 1 : -1;
  } else if (**s == ',') {
    ++*s;
  }
  memset(spec, 0, sizeof *spec);
  spec->isResult = p->inResults;
  if (readIdent(s, spec->name) || expect(s, ":") || readDtype(s, spec))
    return -1;
  for (;;) {
    if (spec->rank >= MIXIR_MAX_RANK)
      return -1;
    if (isdigit((unsigned char)**s)) {
      int64_t v = 0;
      while (isdigit((unsigned char)**s))
        v = v * 10 + (*(*s)++ - '0');
      spec->dims[spec->rank++] = v;
    } else {
      char sym[MIXIR_MAX_NAME];
      int idx;
      if (readIdent(s, sym) || (idx = symbolIndex(p, sym)) < 0)
        return -1;
      spec->dims[spec->rank++] = -(int64_t)idx - 1;
    }
    if (**s == ']')
      break;
    if (expect(s, ","))
      return -1;
  }
  ++*s;
  if (**s == '@') {
    ++*s;
    if (!spec->isResult || readIdent(s, spec->alias))
      return -1;
  }
  if (**s != ',' && **s != ')')
    return -1;
  return 0;
}
