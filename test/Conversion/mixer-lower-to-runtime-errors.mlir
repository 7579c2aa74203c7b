// RUN: mixir-opt %s -mixer-lower-to-runtime -verify-diagnostics

// expected-error @+1 {{'@mixir_get_num_threads' is reserved for the mixir runtime, as '() -> i32'}}
func.func private @mixir_get_num_threads() -> i64
func.func @clash() -> index {
  %a = mixer.num_workers
  return %a : index
}
