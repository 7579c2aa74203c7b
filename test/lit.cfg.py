# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "MIXIR"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".mix", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.mixir_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "harness", "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%examples", os.path.join(config.mixir_src_root, "examples")))
config.substitutions.append(("%mixir_src", config.mixir_src_root))
config.substitutions.append(("%mixir_lib", config.mixir_lib_dir))
config.substitutions.append(("%omp_library", config.mixir_omp_library))
config.substitutions.append(("%{omp_dir}", os.path.dirname(config.mixir_omp_library)))
config.substitutions.append(("%runtime_library", os.path.join(config.mixir_lib_dir, "libmixir_runtime.a")))

# FileCheck variables do not leak between CHECK-LABEL blocks.
config.environment["FILECHECK_OPTS"] = "--enable-var-scope"

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.mixir_tools_dir, append_path=True)
tool_dirs = [config.mixir_tools_dir, config.llvm_tools_dir]
tools = ["mixir-opt", "mixir-translate", "mixirc", "mixir-check", "mixir-runtime-test"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Slow execution tests (long sequences) can be skipped with
# --param mixir_quick=1.
if lit_config.params.get("mixir_quick", "0") == "0":
    config.available_features.add("long-tests")

# The GPU path: PTX is assembled by ptxas from the CUDA toolkit (the tests
# that need it are skipped, with this note, where it is absent), and a
# machine whose CUDA driver loads runs the GPU's own checks instead of the
# no-driver ones.
cuda_path = os.environ.get("MIXIR_CUDA_PATH", "/usr/local/cuda")
config.substitutions.append(("%cuda_path", cuda_path))
if os.access(os.path.join(cuda_path, "bin", "ptxas"), os.X_OK):
    config.available_features.add("ptxas")
else:
    lit_config.warning(
        "ptxas not found under %s (set MIXIR_CUDA_PATH): the PTX and cubin "
        "tests are skipped" % cuda_path)
try:
    import ctypes
    ctypes.CDLL("libcuda.so.1")
    config.available_features.add("cuda-driver")
except OSError:
    pass
