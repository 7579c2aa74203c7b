/*===- Signature.c - parse a kernel's ABI signature -------------------------===*
 *
 *   signature := ident '(' tensors? ')' '->' '(' tensors? ')'
 *   tensor    := ident ':' 'f32' '[' dim (',' dim)* ']' ('@' ident)?
 *   dim       := digits | ident
 *
 *===----------------------------------------------------------------------===*/
#include "Signature.h"

#include <ctype.h>
#include <string.h>

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
  if (readIdent(s, spec->name) || expect(s, ":f32["))
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
