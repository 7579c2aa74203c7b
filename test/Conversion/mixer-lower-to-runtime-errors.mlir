// RUN: mixir-opt %s -mixer-lower-to-runtime -verify-diagnostics

// expected-error @+1 {{'@mixir_rt_num_workers' is reserved for the mixir runtime, as '() -> i32'}}
func.func private @mixir_rt_num_workers() -> i64
func.func @clash() -> index {
  %a = mixer.num_workers
  return %a : index
}
