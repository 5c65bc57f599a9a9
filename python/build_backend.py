"""The in-tree PEP 517 backend of the gantk package (pyproject.toml).

``pip install ./python`` calls build_wheel here: it builds the extension
module with the repository's CMake build (``../build``, or the directory
GANTK_BUILD_DIR names; configured with Ninja first when it has no
CMakeCache.txt), then packs the package's Python files and the module into
a wheel (PEP 427: METADATA, WHEEL and RECORD with a SHA-256 per file).
The version is the CMake project's. Stdlib only, and nothing from PyPI.
"""

import base64
import hashlib
import io
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
# The repository: this file's parent, or GANTK_SOURCE_DIR (an unpacked
# sdist builds against a checkout).
ROOT = os.environ.get("GANTK_SOURCE_DIR", os.path.dirname(HERE))
BUILD = os.environ.get("GANTK_BUILD_DIR", os.path.join(ROOT, "build"))
PACKAGE = "gantk"


def _project():
    with open(os.path.join(HERE, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)["project"]


def _version():
    with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
        found = re.search(r"project\(\s*gantk\s+VERSION\s+([0-9.]+)", f.read())
    if not found:
        raise RuntimeError("no project(gantk VERSION ...) in %s/CMakeLists.txt"
                           % ROOT)
    return found.group(1)


def _tag():
    """cpXY-cpXY-platform: the wheel holds an extension for this Python."""
    python = "cp%d%d" % sys.version_info[:2]
    platform = re.sub(r"[-.]", "_", sysconfig.get_platform())
    return "%s-%s-%s" % (python, python, platform)


def _dist_info():
    return "%s-%s.dist-info" % (PACKAGE, _version())


def _metadata():
    project = _project()
    lines = ["Metadata-Version: 2.1", "Name: %s" % project["name"],
             "Version: %s" % _version(),
             "Summary: %s" % project["description"],
             "Requires-Python: %s" % project["requires-python"]]
    lines += ["Requires-Dist: %s" % d for d in project.get("dependencies", [])]
    return "\n".join(lines) + "\n"


def _wheel_file():
    return ("Wheel-Version: 1.0\nGenerator: gantk build_backend\n"
            "Root-Is-Purelib: false\nTag: %s\n" % _tag())


def _build_extension():
    """Builds gantk._gantk for this Python; returns the module's path."""
    if not os.path.exists(os.path.join(BUILD, "CMakeCache.txt")):
        subprocess.run(
            ["cmake", "-S", ROOT, "-B", BUILD, "-G", "Ninja",
             "-DCMAKE_BUILD_TYPE=Release", "-DGANTK_PYTHON=ON",
             "-DGANTK_PYTHON_EXECUTABLE=" + os.path.realpath(sys.executable)],
            check=True, stdout=sys.stderr)
    subprocess.run(["cmake", "--build", BUILD, "--target", "_gantk"],
                   check=True, stdout=sys.stderr)
    module = os.path.join(BUILD, "python", PACKAGE,
                          "_gantk" + sysconfig.get_config_var("EXT_SUFFIX"))
    if not os.path.exists(module):
        raise RuntimeError(
            "%s has no gantk._gantk for this Python (%s): reconfigure it with "
            "-DGANTK_PYTHON_EXECUTABLE=%s" % (BUILD, module, sys.executable))
    return module


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest())
    return "%s,sha256=%s,%d" % (name, digest.rstrip(b"=").decode(), len(data))


# ---------------------------------------------------------------------------
# PEP 517 hooks
# ---------------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    path = os.path.join(metadata_directory, _dist_info())
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata())
    with open(os.path.join(path, "WHEEL"), "w", encoding="utf-8") as f:
        f.write(_wheel_file())
    return _dist_info()


def build_wheel(wheel_directory, config_settings=None,
                metadata_directory=None):
    module = _build_extension()
    files = []
    source = os.path.join(HERE, PACKAGE)
    for name in sorted(os.listdir(source)):
        if name.endswith(".py"):
            with open(os.path.join(source, name), "rb") as f:
                files.append(("%s/%s" % (PACKAGE, name), f.read()))
    with open(module, "rb") as f:
        files.append(("%s/%s" % (PACKAGE, os.path.basename(module)),
                      f.read()))
    info = _dist_info()
    files.append((info + "/METADATA", _metadata().encode()))
    files.append((info + "/WHEEL", _wheel_file().encode()))
    record = [_record_line(name, data) for name, data in files]
    record.append(info + "/RECORD,,")
    files.append((info + "/RECORD", ("\n".join(record) + "\n").encode()))

    wheel = "%s-%s-%s.whl" % (PACKAGE, _version(), _tag())
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w",
                         zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = (0o755 if name.endswith(".so") else
                                   0o644) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(entry, data)
    return wheel


def build_sdist(sdist_directory, config_settings=None):
    """The package's own files (python/); building a wheel from it needs a
    gantk checkout, named by GANTK_SOURCE_DIR."""
    base = "%s-%s" % (PACKAGE, _version())
    sdist = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, sdist), "w:gz") as tar:
        for top in ("pyproject.toml", "build_backend.py", "CMakeLists.txt",
                    PACKAGE, "src"):
            tar.add(os.path.join(HERE, top), arcname="%s/%s" % (base, top),
                    filter=lambda t: None if "__pycache__" in t.name else t)
        info = tarfile.TarInfo("%s/PKG-INFO" % base)
        data = _metadata().encode()
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return sdist
