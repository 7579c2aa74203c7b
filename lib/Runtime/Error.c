/*===- Error.c - the per-thread error message -------------------------------===*/
#include "mixir/Runtime/MixirRuntime.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char message[1024];

const char *mixir_last_error(void) { return message; }

void mixir_rt_set_error(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
}

void mixir_rt_clear_error(void) { message[0] = '\0'; }
