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
# mlir-runner JIT-runs lowered IR (the accuracy of the math approximations
# against libm), printing through MLIR's C runner utilities.
config.substitutions.append(("%mlir-runner", os.path.join(config.llvm_tools_dir, "mlir-runner")))
config.substitutions.append(("%mlir_c_runner_utils", os.path.join(
    config.llvm_tools_dir, "..", "lib", "libmlir_c_runner_utils" + config.llvm_shlib_ext)))

# A small file system of its own (a tmpfs in a user and mount namespace,
# `unshare -rm`) lets a test fill a disk; containers may forbid it.
import subprocess
import tempfile
with tempfile.TemporaryDirectory() as probe:
    if shutil.which("unshare") and subprocess.run(
            ["unshare", "-rm", "mount", "-t", "tmpfs", "-o", "size=64k",
             "tmpfs", probe], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL).returncode == 0:
        config.available_features.add("tmpfs-mount")
    else:
        lit_config.note("`unshare -rm mount -t tmpfs` is not permitted here: "
                        "the full-disk tests (REQUIRES: tmpfs-mount) are "
                        "UNSUPPORTED")

# Runs over MPI ranks (test/MPI/) need Open MPI's mpirun and a gantk built
# with MPI; scripts/setup installs both, so CI (CI=true) must have them.
# `%mpirun -n P` starts P local ranks on any number of cores, as root too,
# each with one kernel thread.
mpirun = shutil.which("mpirun")
if mpirun and getattr(config, "gantk_have_mpi", "OFF").upper() in ("ON", "1", "TRUE", "YES"):
    config.available_features.add("mpi")
    config.substitutions.append(
        ("%mpirun", mpirun + " --oversubscribe --allow-run-as-root "
         "--mca btl self,vader -x GANTK_NUM_THREADS=1"))
    # The dense eigensolver over ranks: its check program is built where
    # the runtime links ScaLAPACK (test/MPI/dense-over-ranks.test).
    if getattr(config, "gantk_have_scalapack", "OFF").upper() in ("ON", "1", "TRUE", "YES"):
        config.available_features.add("scalapack")
        config.substitutions.append(
            ("%dense-over-ranks-check",
             os.path.join(config.gantk_tools_dir, "dense-over-ranks-check")))
    elif os.environ.get("CI"):
        lit_config.fatal("CI=true but the runtime was built without "
                         "ScaLAPACK: run scripts/setup "
                         "(libscalapack-openmpi-dev) and rebuild")
elif os.environ.get("CI"):
    lit_config.fatal("CI=true but Open MPI's mpirun or a gantk built with "
                     "MPI is missing: run scripts/setup and rebuild")
else:
    lit_config.note("no mpirun or gantk built without MPI: the MPI tests "
                    "(REQUIRES: mpi, test/MPI/) are UNSUPPORTED here")

# GPU execution tests need a device: `cuda` is set only where one answers.
if shutil.which("nvidia-smi") and os.system("nvidia-smi -L > /dev/null 2>&1") == 0:
    config.available_features.add("cuda")

if "cuda" not in config.available_features:
    lit_config.note("no GPU answers `nvidia-smi -L`: the GPU execution tests "
                    "(REQUIRES: cuda, test/GPU/) are UNSUPPORTED here; "
                    "scripts/gpu-check runs them on a GPU machine")

# The runtime's CUDA device is compiled in (GANTK_ENABLE_CUDA, on where the
# toolkit's headers were found); without it --device=cuda says so.
if getattr(config, "gantk_enable_cuda", "OFF").upper() in ("ON", "1", "TRUE", "YES"):
    config.available_features.add("gantk-cuda-runtime")
# The toolkit's stub libcuda.so: lets a test resolve every driver, cuBLAS and
# cuSOLVER entry point the runtime uses without a GPU.
if os.path.exists("/usr/local/cuda/lib64/stubs/libcuda.so"):
    config.available_features.add("cuda-driver-stub")

# PTX generation needs the CUDA toolkit's libdevice (found as the compiler
# does), and the PTX is checked by assembling it where ptxas is; neither
# needs a GPU.
cuda_vars = ["CUDA_ROOT", "CUDA_HOME", "CUDA_PATH"]
llvm_config.with_system_environment(cuda_vars)
cuda_home = next((os.environ[v] for v in cuda_vars if os.environ.get(v)),
                 "/usr/local/cuda")
if os.path.isfile(os.path.join(cuda_home, "nvvm", "libdevice",
                               "libdevice.10.bc")):
    config.available_features.add("libdevice")
ptxas = shutil.which("ptxas") or os.path.join(cuda_home, "bin", "ptxas")
if os.access(ptxas, os.X_OK):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
