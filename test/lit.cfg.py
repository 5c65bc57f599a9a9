# -*- Python -*-
# lit configuration of the gantk tests.

import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "gantk"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".gantk", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "fixtures", "lib",
                   "runtime", "unit", "CMakeLists.txt", "README.md"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.gantk_obj_root, "test")

# Two cores: kernels and BLAS use both unless a test says otherwise.
config.environment["GANTK_NUM_THREADS"] = "2"
config.environment["OMP_WAIT_POLICY"] = "PASSIVE"

llvm_config.with_system_environment(["HOME", "TMPDIR"])
llvm_config.use_default_substitutions()

config.substitutions.append(("%gantk-opt", os.path.join(config.gantk_tools_dir, "gantk-opt")))
config.substitutions.append(("%gantk-run", os.path.join(config.gantk_tools_dir, "gantk-run")))
config.substitutions.append(("%gantk", os.path.join(config.gantk_tools_dir, "gantk")))
config.substitutions.append(("%python", config.python_numpy))
config.substitutions.append(("%fixtures", os.path.join(config.test_source_root, "fixtures")))

tool_dirs = [config.gantk_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["gantk-opt", "FileCheck", "not", "split-file"], tool_dirs)

# GPU execution tests need a device: `cuda` is set only where one answers.
if shutil.which("nvidia-smi") and os.system("nvidia-smi -L > /dev/null 2>&1") == 0:
    config.available_features.add("cuda")
