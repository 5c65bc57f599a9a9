//===- Module.cpp - gantk._gantk, the Python bindings of the driver -------===//
//
// The extension module behind the `gantk` package (python/gantk/): each
// function reads the spec and calls the driver library (gantk/Driver/) as
// the `gantk` tool does, and raises the tool's message as a Python
// exception. Arrays cross without copies where the layout allows: float64
// C-contiguous inputs are read in place, and every result is a NumPy array
// over the C++ buffer that produced it. The GIL is released while a spec
// compiles or a session runs, and taken again for a run's callback.
//
//===----------------------------------------------------------------------===//

#include "gantk/Driver/Driver.h"
#include "gantk/Driver/Errors.h"
#include "gantk/Driver/Rows.h"
#include "gantk/Driver/Spec.h"
#include "gantk/runtime/Artifact.h"
#include "gantk/runtime/BlasCore.h"
#include "gantk/runtime/Options.h"
#include "gantk/runtime/Session.h"
#include "gantk/runtime/Sha256.h"
#include "gantk/runtime/Train.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#ifndef GANTK_VERSION
#error "GANTK_VERSION is defined by python/CMakeLists.txt"
#endif

namespace py = pybind11;
using namespace gantk;
using driver::LoadedSpec;
using driver::RunOptions;

namespace {

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

/// gantk.Error and its subclasses, made when the module is imported.
struct Exceptions {
  PyObject *error = nullptr, *input = nullptr, *usage = nullptr, *run = nullptr;
};
Exceptions exceptions;

/// Raises `error` as the exception of its exit status (usage errors as
/// UsageError whatever their code), with the tool's message (without
/// "gantk: error: ", diagnostics without their last newline) and the
/// tool's exit status as `exit_code`.
[[noreturn]] void raise(const Error &error, bool usage = false) {
  ExitCode code = usage ? ExitCode::UsageError : exitCodeFor(error);
  PyObject *type = code == ExitCode::UsageError   ? exceptions.usage
                   : code == ExitCode::RunFailure ? exceptions.run
                                                  : exceptions.input;
  std::string message = error.message;
  while (!message.empty() && message.back() == '\n')
    message.pop_back();
  py::object instance = py::reinterpret_borrow<py::object>(type)(message);
  instance.attr("exit_code") = exitStatus(code);
  PyErr_SetObject(type, instance.ptr());
  throw py::error_already_set();
}

/// The value of `result`, or its error raised.
template <typename T> T take(Result<T> result, bool usage = false) {
  if (!result.ok())
    raise(result.error(), usage);
  return result.take();
}

void check(const Status &status, bool usage = false) {
  if (!status.ok())
    raise(status.error(), usage);
}

/// Raises the usage error of an option check (Options.h), if any.
void checkOption(const std::string &message) {
  if (!message.empty())
    raise(makeError(ErrorCode::InvalidArgument, message), /*usage=*/true);
}

/// Runs `work` without the GIL (it must not touch Python objects).
template <typename Work> auto withoutGil(Work work) {
  py::gil_scoped_release release;
  return work();
}

//===----------------------------------------------------------------------===//
// Arguments and results
//===----------------------------------------------------------------------===//

/// A spec as the package passes it: a path, or text named `name` (in
/// diagnostics; relative data paths resolve against its directory).
struct SpecSource {
  bool isText = false;
  std::string value, name;
};

LoadedSpec loadSpec(const SpecSource &source, bool probe) {
  return take(source.isText
                  ? driver::loadSpecText(source.value, source.name, probe)
                  : driver::loadSpecFile(source.value, probe));
}

/// The text of a number as the tool would read it back exactly.
std::string numberText(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.17g", value);
  return text;
}

/// Session options from keyword arguments, checked as the tool checks
/// --threads, --device and --memory-budget.
RunOptions runOptions(std::optional<int64_t> threads, const std::string &device,
                      const std::optional<std::string> &budget) {
  RunOptions options;
  if (threads)
    checkOption(parseThreads(std::to_string(*threads), options.threads));
  checkOption(parseDevice(device, options.device));
  if (budget)
    checkOption(parseBytes(*budget, options.budget));
  return options;
}

/// Input points: float64 and C-contiguous; pybind11 converts (copies) only
/// an array that is not.
using InputArray =
    py::array_t<double, py::array::c_style | py::array::forcecast>;

/// The rows of `array`, read in place.
driver::Rows rowsOf(const InputArray &array, const std::string &name) {
  std::vector<int64_t> shape(array.shape(), array.shape() + array.ndim());
  return take(driver::rowsOf(array.data(), std::move(shape), name));
}

/// A NumPy array of `shape` over `values`, which it owns: no copy.
py::array_t<double> toArray(std::vector<double> values,
                            const std::vector<int64_t> &shape) {
  auto *owner = new std::vector<double>(std::move(values));
  py::capsule base(
      owner, [](void *p) { delete static_cast<std::vector<double> *>(p); });
  std::vector<py::ssize_t> extents(shape.begin(), shape.end());
  return py::array_t<double>(extents, owner->data(), base);
}

//===----------------------------------------------------------------------===//
// Artifacts
//===----------------------------------------------------------------------===//

/// The memory plan of a compiled step (its buffer left empty).
struct Plan {
  driver::Compiled step;
};

/// A compiled step (gantk.compile) or an artifact file (gantk.load).
class PyArtifact {
public:
  PyArtifact(std::vector<uint8_t> buffer, std::string name,
             std::optional<Plan> plan, std::string specText = "")
      : buffer(std::move(buffer)), name(std::move(name)), plan(std::move(plan)),
        specText(std::move(specText)) {}

  const std::string &getName() const { return name; }
  const std::optional<Plan> &getPlan() const { return plan; }
  std::string digest() const {
    return toHex(sha256(buffer.data(), buffer.size()));
  }

  /// Writes the artifact file at `path`; returns its size in bytes.
  size_t save(const std::filesystem::path &path) const {
    return take(driver::saveArtifact(buffer, path.string())).bytes;
  }

  /// Trains (gantk run): the final samples.
  py::array_t<double>
  run(std::optional<int64_t> steps, std::optional<std::filesystem::path> outDir,
      std::optional<py::function> callback, bool unitSamples, bool samplePngs,
      std::optional<int64_t> threads, const std::string &device) const;

private:
  std::vector<uint8_t> buffer;
  std::string name;
  std::optional<Plan> plan;
  /// The spec's text, for the run report (empty for an artifact file).
  std::string specText;
};

py::array_t<double> PyArtifact::run(std::optional<int64_t> steps,
                                    std::optional<std::filesystem::path> outDir,
                                    std::optional<py::function> callback,
                                    bool unitSamples, bool samplePngs,
                                    std::optional<int64_t> threads,
                                    const std::string &device) const {
  RunOptions options = runOptions(threads, device, std::nullopt);
  TrainOptions train;
  if (steps) {
    int64_t count = 0;
    checkOption(parseSteps(std::to_string(*steps), count));
    train.steps = count;
  }
  if (outDir)
    train.outDir = outDir->string();
  train.unitSamples = unitSamples;
  train.samplePngs = samplePngs;
  std::unique_ptr<Session> session = take(
      withoutGil([&] { return driver::openBuffer(buffer, name, options); }));
  train.reportBase =
      driver::runReport(name, specText, plan ? &plan->step : nullptr, *session);

  // The samples as images (m, H, W, C) when the data are images, else as
  // rows (m, d).
  const schema::DataSpec &data = *session->root().data();
  int64_t dim = session->root().dim();
  auto shapeOf = [&](size_t values) -> std::vector<int64_t> {
    int64_t rows = dim ? int64_t(values) / dim : 0;
    if (data.image_h())
      return {rows, data.image_h(), data.image_w(), data.image_c()};
    return {rows, dim};
  };

  // Every step takes the GIL: for the callback, and so that Ctrl-C stops
  // the run. An exception there stops the run and is raised after it.
  std::optional<py::error_already_set> pending;
  train.onStep = [&](int64_t step, double loss,
                     const std::vector<double> &samples) -> bool {
    py::gil_scoped_acquire gil;
    try {
      if (PyErr_CheckSignals() != 0)
        throw py::error_already_set();
      if (!callback)
        return true;
      py::object more =
          (*callback)(step, loss, toArray(samples, shapeOf(samples.size())));
      if (more.is_none())
        return true;
      int truth = PyObject_IsTrue(more.ptr());
      if (truth < 0)
        throw py::error_already_set();
      return truth != 0;
    } catch (py::error_already_set &e) {
      pending.emplace(std::move(e));
    } catch (const std::exception &e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
      pending.emplace();
    }
    return false;
  };
  Result<TrainResult> result =
      withoutGil([&] { return gantk::train(*session, train); });
  if (pending) {
    pending->restore();
    throw py::error_already_set();
  }
  TrainResult done = take(std::move(result));
  std::vector<int64_t> shape = shapeOf(done.samples.size());
  return toArray(std::move(done.samples), shape);
}

//===----------------------------------------------------------------------===//
// Functions
//===----------------------------------------------------------------------===//

/// gantk.compile: the artifact and the lambda search's trace.
py::tuple compile(const SpecSource &source, std::optional<int64_t> n,
                  const std::optional<std::string> &budget,
                  const std::string &target) {
  CompileOptions options;
  if (target == "cpu")
    options.targets = {Target::CPU};
  else if (target == "cuda" || target == "cpu,cuda")
    options.targets = {Target::CPU, Target::CUDA};
  else
    checkOption("unknown --target '" + target +
                "' (expected cpu, cuda or cpu,cuda)");
  std::optional<int64_t> rows;
  if (n) {
    int64_t value = 0;
    checkOption(
        parseIntegerOption("--n", std::to_string(*n), 1, INT64_MAX, value));
    rows = value;
  }
  if (budget)
    checkOption(parseBytes(*budget, options.memoryBudget));
  LoadedSpec loaded = loadSpec(source, true);
  std::ostringstream trace;
  driver::Compiled compiled = take(withoutGil([&] {
    return driver::compileSpec(loaded, rows, options, RunOptions(), trace);
  }));
  Plan plan{driver::Compiled{{}, compiled.plan, compiled.points, compiled.dim}};
  PyArtifact artifact(std::move(compiled.buffer), loaded.spec.file,
                      std::move(plan), loaded.text);
  return py::make_tuple(std::move(artifact), trace.str());
}

/// gantk.load: an artifact file, verified.
PyArtifact load(const std::filesystem::path &path) {
  Artifact artifact =
      take(withoutGil([&] { return Artifact::loadFile(path.string()); }));
  return PyArtifact(artifact.data(), path.string(), std::nullopt);
}

/// gantk.kernel: (NTK, NNGP).
py::tuple kernel(const SpecSource &source, const InputArray &s,
                 const std::optional<std::string> &discriminator,
                 std::optional<int64_t> threads, const std::string &device) {
  RunOptions options = runOptions(threads, device, std::nullopt);
  LoadedSpec loaded = loadSpec(source, false);
  driver::Rows rows = rowsOf(s, "S");
  check(driver::selectDiscriminator(loaded, discriminator), /*usage=*/true);
  driver::Kernels k =
      take(withoutGil([&] { return driver::kernel(loaded, rows, options); }));
  return py::make_tuple(toArray(std::move(k.ntk), {k.points, k.points}),
                        toArray(std::move(k.nngp), {k.points, k.points}));
}

/// gantk.grad: (loss, dL/dZ in Z's shape, the lambda search's trace).
py::tuple grad(const SpecSource &source, const InputArray &x,
               const InputArray &z, const std::optional<std::string> &budget,
               std::optional<int64_t> threads, const std::string &device) {
  RunOptions options = runOptions(threads, device, budget);
  LoadedSpec loaded = loadSpec(source, false);
  check(driver::checkGradSpec(loaded));
  driver::Rows real = rowsOf(x, "X"), fake = rowsOf(z, "Z");
  std::ostringstream trace;
  driver::Gradient g = take(withoutGil(
      [&] { return driver::grad(loaded, real, fake, options, trace); }));
  return py::make_tuple(g.loss, toArray(std::move(g.grad), fake.arrayShape),
                        trace.str());
}

/// gantk.tune_lambda: (lambda, the search's trace).
py::tuple tuneLambda(const SpecSource &source, std::optional<double> eps,
                     std::optional<double> start,
                     std::optional<int64_t> threads,
                     const std::string &device) {
  RunOptions options = runOptions(threads, device, std::nullopt);
  double epsValue = 0, startValue = 0;
  if (eps)
    checkOption(parsePositiveNumber("--eps", numberText(*eps), epsValue));
  if (start)
    checkOption(parsePositiveNumber("--start", numberText(*start), startValue));
  LoadedSpec loaded = loadSpec(source, true);
  GraphShape shape = take(driver::stepShape(loaded, std::nullopt));
  ast::Objective &objective = loaded.spec.objective;
  if (eps)
    objective.searchEps = epsValue;
  if (start)
    objective.searchStart = startValue;
  std::ostringstream trace;
  check(withoutGil(
      [&] { return driver::resolveLambda(loaded, shape, options, trace); }));
  return py::make_tuple(objective.lambda, trace.str());
}

/// A new exception class gantk.NAME with these bases.
PyObject *newException(py::module_ &m, const char *name, const char *doc,
                       PyObject *bases) {
  std::string qualified = std::string("gantk.") + name;
  PyObject *type =
      PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases, nullptr);
  if (!type)
    throw py::error_already_set();
  m.add_object(name, py::handle(type));
  return type;
}

} // namespace

namespace pybind11::detail {
/// A spec argument: the package's (is_text, value, name) triple.
template <> struct type_caster<SpecSource> {
  PYBIND11_TYPE_CASTER(SpecSource, const_name("SpecSource"));
  bool load(handle src, bool) {
    if (!isinstance<tuple>(src) || len(src) != 3)
      return false;
    tuple t = reinterpret_borrow<tuple>(src);
    value.isText = t[0].cast<bool>();
    value.value = t[1].cast<std::string>();
    value.name = t[2].cast<std::string>();
    return true;
  }
};
} // namespace pybind11::detail

PYBIND11_MODULE(_gantk, m) {
  m.doc() = "gantk's driver library (the gantk package wraps it)";
  m.attr("__version__") = GANTK_VERSION;
  // The gantk tools start again on the right OpenBLAS kernels
  // (BlasCore.h); a running interpreter cannot: the package warns.
  m.def("_blas_core", &blasCore, "the core OpenBLAS runs on");
  m.def("_blas_core_to_force", &blasCoreToForce,
        "the core OPENBLAS_CORETYPE should name, or ''");

  exceptions.error = newException(
      m, "Error", "A gantk error; exit_code is the gantk tool's status.",
      PyExc_Exception);
  exceptions.input = newException(
      m, "InputError",
      "Bad input: a spec, module, artifact or data file, a compile error, a "
      "memory budget that cannot be met, no GPU (exit status 1).",
      exceptions.error);
  py::tuple usageBases = py::make_tuple(py::handle(exceptions.error),
                                        py::handle(PyExc_ValueError));
  exceptions.usage = newException(
      m, "UsageError",
      "A bad argument value, as the tool's bad option value (exit status 2).",
      usageBases.ptr());
  exceptions.run = newException(
      m, "RunError",
      "The run started, then a step or writing its outputs failed (exit "
      "status 3).",
      exceptions.error);

  py::class_<Plan>(m, "Plan", "The memory plan of a compiled step.")
      .def_property_readonly(
          "name", [](const Plan &p) { return p.step.plan.name; },
          "The plan the compiler chose (solver and storage).")
      .def_property_readonly(
          "peak_bytes", [](const Plan &p) { return p.step.plan.peakBytes; },
          "The arena's bytes: the most one step uses at once.")
      .def_property_readonly(
          "peak_op", [](const Plan &p) { return p.step.plan.peakOp; },
          "The op at the peak.")
      .def_property_readonly(
          "layout", [](const Plan &p) { return p.step.plan.layout; },
          "One line per buffer: offset, bytes, value.")
      .def_property_readonly(
          "recursion", [](const Plan &p) { return p.step.plan.recursion; },
          "The per-pair recursion's layers, flops and scratch.")
      .def_property_readonly(
          "thread_scratch_bytes",
          [](const Plan &p) { return p.step.plan.threadScratchBytes; },
          "Stack one kernel call needs per thread (maps over positions).")
      .def_property_readonly(
          "points", [](const Plan &p) { return p.step.points; },
          "N: the step's rows of X and Z together.")
      .def_property_readonly(
          "dim", [](const Plan &p) { return p.step.dim; }, "d: the columns.")
      .def_property_readonly(
          "report", [](const Plan &p) { return driver::planReport(p.step); },
          "The lines gantk compile prints about the plan (before the "
          "layout).")
      .def("__repr__", [](const Plan &p) {
        return "<gantk.Plan " + p.step.plan.name + ": peak " +
               std::to_string(p.step.plan.peakBytes) + " bytes at " +
               p.step.plan.peakOp + ">";
      });

  py::class_<PyArtifact>(m, "Artifact",
                         "A compiled step: gantk.compile or gantk.load.")
      .def_property_readonly("name", &PyArtifact::getName,
                             "The spec or file it came from (messages).")
      .def_property_readonly(
          "plan", &PyArtifact::getPlan,
          "The memory plan (a Plan; None for an artifact loaded from a "
          "file).")
      .def_property_readonly(
          "digest", &PyArtifact::digest,
          "The artifact file's SHA-256, as gantk describe prints it.")
      .def("save", &PyArtifact::save, py::arg("path"),
           "Writes the artifact file (atomically); returns its size.")
      .def("run", &PyArtifact::run, py::arg("steps") = py::none(),
           py::arg("out_dir") = py::none(), py::arg("callback") = py::none(),
           py::arg("unit_samples") = false, py::arg("sample_pngs") = false,
           py::arg("threads") = py::none(), py::arg("device") = "cpu",
           R"doc(Trains the step, as gantk run does; returns the final samples.

The samples are (m, d) float64, or (m, H, W, C) when the data are images.
steps overrides the spec's; out_dir is where samples.npy (and the plot)
go, the spec's output.dir otherwise. callback(step, loss, Z) is called
after every step with Z as the result would be after it (a fresh array
each time); returning False stops the run after that step (its outputs
are written), and an exception raised in it stops the run and propagates.
unit_samples gives (and writes) the samples in the unit scaling the steps
train in; sample_pngs also writes each final image sample as
out_dir/samples/NNNNNN.png. threads and device are gantk run's --threads
and --device. The GIL is released while the steps run.)doc")
      .def("__repr__", [](const PyArtifact &a) {
        return "<gantk.Artifact " + a.getName() + " sha256 " + a.digest() + ">";
      });

  m.def("compile", &compile, py::arg("spec"), py::arg("n"),
        py::arg("memory_budget"), py::arg("target"));
  m.def("load", &load, py::arg("path"));
  m.def("kernel", &kernel, py::arg("spec"), py::arg("s"),
        py::arg("discriminator"), py::arg("threads"), py::arg("device"));
  m.def("grad", &grad, py::arg("spec"), py::arg("x"), py::arg("z"),
        py::arg("memory_budget"), py::arg("threads"), py::arg("device"));
  m.def("tune_lambda", &tuneLambda, py::arg("spec"), py::arg("eps"),
        py::arg("start"), py::arg("threads"), py::arg("device"));
  m.def(
      "_as_input", [](const InputArray &array) { return array; },
      py::arg("array"),
      "The array as the functions read it: the caller's own when it is "
      "float64 and C-contiguous, else a converted copy.");
}
