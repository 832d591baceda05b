"""ctypes bindings to liblogreg.so (include/logreg.h): the structs and functions the estimator
uses. The structs mirror the header field for field; ctypes lays them out with the C ABI's
alignment, and _check_sizes() guards against a header that grew (python/tests check it too)."""

import ctypes
import os

c_size_t = ctypes.c_size_t
c_double = ctypes.c_double
c_int = ctypes.c_int
c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p

LOGREG_FLOAT32 = 0
LOGREG_FLOAT64 = 1
LOGREG_BUFFER_BORROW = 1
LOGREG_BUFFER_CANONICAL_ORDER = 2

class Error(ctypes.Structure):
    _fields_ = [("status", c_int), ("message", ctypes.c_char * 512)]


class TestHooks(ctypes.Structure):
    """logreg_hooks.h's settings for tests and kernel development."""
    _fields_ = [
        ("max_alloc", ctypes.c_uint64),
        ("no_fp64", c_int),
        ("build_options", c_char_p),
        ("kernel_dir", c_char_p),
        ("fail_call", ctypes.c_long),
        ("auto_keeps_device", ctypes.c_int),
    ]


class DeviceOptions(ctypes.Structure):
    _fields_ = [
        ("opencl_platform", c_char_p),
        ("opencl_device", c_char_p),
        ("device_memory", ctypes.c_uint64),
        ("hooks", ctypes.POINTER(TestHooks)),
    ]


class EpochInfo(ctypes.Structure):
    _fields_ = [
        ("epoch", c_int),
        ("epochs", c_int),
        ("objective", c_double),
        ("train_loss", c_double),
        ("train_accuracy", c_double),
        ("val_loss", c_double),
        ("val_accuracy", c_double),
        ("lr", c_double),
        ("seconds", c_double),
        ("evaluations", ctypes.c_long),
        ("hv_products", ctypes.c_long),
        ("replayed", c_int),
    ]


PROGRESS_FN = ctypes.CFUNCTYPE(None, c_void_p, ctypes.POINTER(EpochInfo))


class Params(ctypes.Structure):
    _fields_ = [
        ("optimizer", c_int),
        ("lr", c_double),
        ("epochs", c_int),
        ("batch_size", c_size_t),
        ("l2", c_double),
        ("C", c_double),
        ("raw_penalty", c_int),
        ("no_intercept", c_int),
        ("tol", c_double),
        ("patience", c_int),
        ("binary", c_int),
        ("class_weight_balanced", c_int),
        ("pos_weight", c_double),
        ("seed", ctypes.c_uint64),
        ("momentum", c_double),
        ("nesterov", c_int),
        ("beta1", c_double),
        ("beta2", c_double),
        ("eps", c_double),
        ("device", c_char_p),
        ("gemm", c_char_p),
        ("path_cache", c_char_p),
        ("device_options", DeviceOptions),
        ("threads", ctypes.c_uint),
        ("progress", PROGRESS_FN),
        ("progress_user", c_void_p),
        ("scale", c_int),
        ("checkpoint", c_char_p),
        ("checkpoint_every", c_int),
        ("checkpoint_seconds", c_double),
        ("resume", c_char_p),
        ("stop_request", c_void_p),
        ("shard", c_void_p),
        ("cpu_fallback", c_int),
        ("consume_x", c_int),
        ("init_coef", c_void_p),
        ("init_intercept", c_void_p),
        ("l1_ratio", c_double),
    ]


LOGREG_PATH_MAX = 4


class PathChoice(ctypes.Structure):
    _fields_ = [
        ("path", ctypes.c_char * 16),
        ("how", ctypes.c_char * 16),
        ("count", c_int),
        ("names", (ctypes.c_char * 16) * LOGREG_PATH_MAX),
        ("ms", c_double * LOGREG_PATH_MAX),
    ]


class TrainResult(ctypes.Structure):
    _fields_ = [
        ("epochs_run", c_int),
        ("best_epoch", c_int),
        ("seconds", c_double),
        ("objective", c_double),
        ("train_loss", c_double),
        ("train_accuracy", c_double),
        ("val_loss", c_double),
        ("val_accuracy", c_double),
        ("imputed", c_size_t),
        ("stop_reason", c_char_p),
        ("backend", c_char_p),
        ("device", ctypes.c_char * 200),
        ("path", PathChoice),
        ("evaluations", ctypes.c_long),
        ("hv_products", ctypes.c_long),
        ("l2", c_double),
        ("grad_max", c_double),
        ("tol", c_double),
        ("fallback", ctypes.c_char * 768),
        ("device_note", ctypes.c_char * 256),
        ("setup_seconds", c_double),
        ("device_choice", ctypes.c_char * 512),
        ("refined_epoch", ctypes.c_int),
        ("refined_seconds", ctypes.c_double),
    ]


class DeviceInfo(ctypes.Structure):
    _fields_ = [
        ("backend", c_int),
        ("spec", ctypes.c_char * 32),
        ("platform", ctypes.c_uint),
        ("index", ctypes.c_uint),
        ("platform_name", ctypes.c_char * 128),
        ("platform_version", ctypes.c_char * 128),
        ("name", ctypes.c_char * 128),
        ("vendor", ctypes.c_char * 128),
        ("driver", ctypes.c_char * 64),
        ("c_version", ctypes.c_char * 64),
        ("type", c_int),
        ("compute_units", ctypes.c_uint),
        ("global_mem", ctypes.c_uint64),
        ("max_alloc", ctypes.c_uint64),
        ("local_mem", ctypes.c_uint64),
        ("max_work_group", c_size_t),
        ("fp64", c_int),
    ]


# The C name of each ctypes struct: _check_sizes compares their sizes with the loaded library's
# (logreg_struct_size), so that a package and a library from different versions fail at import
# instead of reading each other's fields at the wrong offsets.
STRUCTS = {Params: "logreg_params", DeviceOptions: "logreg_device_options",
           TestHooks: "logreg_test_hooks",
           TrainResult: "logreg_train_result", PathChoice: "logreg_path_choice",
           DeviceInfo: "logreg_device_info", Error: "logreg_error", EpochInfo: "logreg_epoch_info"}


NAME = "liblogreg.so.0"
# The Debian 12 packages of the libraries liblogreg.so links (ldd; libclblast1 brings libstdc++6
# and libgcc-s1): what a machine that installs the wheel needs besides Python (docs/python.md).
RUNTIME_PACKAGES = "libcjson1 libclblast1 ocl-icd-libopencl1 zlib1g"


def _open(path):
    try:
        return ctypes.CDLL(path), path
    except OSError as e:
        raise ImportError("logreg: cannot load %s (%s); if a library it links is missing, install "
                          "it (Debian 12: apt install %s), or set LOGREG_LIBRARY to a liblogreg.so "
                          "built on this machine" % (path, e, RUNTIME_PACKAGES)) from None


def _load():
    """The library: $LOGREG_LIBRARY alone when set; else the package's own copy (bundled by pip
    install); else, for the package run from its source tree (PYTHONPATH=python), the
    repository's build/; else the system's (cmake --install, ldconfig). Failing, one line that
    says what to do."""
    env = os.environ.get("LOGREG_LIBRARY")
    if env:
        if not os.path.isfile(env):
            raise ImportError("logreg: LOGREG_LIBRARY=%s is not a file; set it to the built %s "
                              "(build/%s after bash scripts/build.sh) or unset it"
                              % (env, NAME, NAME))
        return _open(env)
    here = os.path.dirname(os.path.abspath(__file__))
    tried = [os.path.join(here, NAME)]
    if os.path.isfile(os.path.join(here, os.pardir, "setup.py")):
        tried.append(os.path.normpath(os.path.join(here, os.pardir, os.pardir, "build", NAME)))
    for candidate in tried:
        if os.path.isfile(candidate):
            return _open(candidate)
    try:
        return ctypes.CDLL(NAME), NAME
    except OSError as e:
        if not str(e).startswith(NAME + ":"):  # found, but a library it links is missing
            return _open(NAME)
    raise ImportError("logreg: %s not found (not in %s, nor in the system's library path); build "
                      "it (bash scripts/build.sh) and reinstall the package (pip install "
                      "./python, docs/python.md), or set LOGREG_LIBRARY to its path"
                      % (NAME, " or ".join(tried)))


lib, path = _load()


def _check_sizes():
    try:
        size_of = lib.logreg_struct_size
    except AttributeError:
        raise ImportError("logreg: %s is older than this package (no logreg_struct_size); "
                          "rebuild it" % path) from None
    size_of.restype = c_size_t
    size_of.argtypes = [c_char_p]
    for cls, name in STRUCTS.items():
        c_size = size_of(name.encode())
        if ctypes.sizeof(cls) != c_size:
            raise ImportError("logreg: ctypes struct %s is %d bytes, %s in %s is %d: the package "
                              "and the library are from different versions"
                              % (cls.__name__, ctypes.sizeof(cls), name, path, c_size))


_check_sizes()

P = ctypes.POINTER
_sigs = {
    "logreg_status_str": (c_char_p, [c_int]),
    "logreg_params_init": (None, [P(Params)]),
    "logreg_params_check": (c_int, [P(Params), P(Error)]),
    "logreg_optimizer_parse": (c_int, [c_char_p, P(c_int), P(Error)]),
    "logreg_dataset_from_buffer": (c_int, [c_size_t, c_size_t, c_void_p, c_int, c_size_t, c_void_p,
                                           c_size_t, c_void_p, c_void_p, c_void_p, ctypes.c_uint,
                                           P(c_void_p), P(Error)]),
    "logreg_dataset_from_csr": (c_int, [c_size_t, c_size_t, c_void_p, c_void_p, c_void_p, c_int,
                                        c_void_p, c_size_t, c_void_p, c_void_p, P(c_void_p),
                                        P(Error)]),
    "logreg_predict_proba": (c_int, [c_void_p, c_void_p, c_void_p, P(Error)]),
    "logreg_dataset_free": (None, [c_void_p]),
    "logreg_train": (c_int, [c_void_p, c_void_p, P(Params), P(c_void_p), P(TrainResult),
                             P(Error)]),
    "logreg_model_free": (None, [c_void_p]),
    "logreg_model_save": (c_int, [c_void_p, c_char_p, P(Error)]),
    "logreg_model_load": (c_int, [c_char_p, P(c_void_p), P(Error)]),
    "logreg_model_features": (c_size_t, [c_void_p]),
    "logreg_model_classes": (c_size_t, [c_void_p]),
    "logreg_model_binary": (c_int, [c_void_p]),
    "logreg_model_iterations": (c_int, [c_void_p]),
    "logreg_model_weight_columns": (c_size_t, [c_void_p]),
    "logreg_model_raw_weights": (None, [c_void_p, c_void_p, c_void_p]),
    "logreg_model_class_name": (c_char_p, [c_void_p, c_size_t]),
    "logreg_model_feature_name": (c_char_p, [c_void_p, c_size_t]),
    "logreg_model_predict_proba_buffer": (c_int, [c_void_p, c_size_t, c_size_t, c_void_p, c_int,
                                                  c_size_t, c_void_p, P(Error)]),
    "logreg_model_decision_function_buffer": (c_int, [c_void_p, c_size_t, c_size_t, c_void_p,
                                                      c_int, c_size_t, c_void_p, P(Error)]),
    "logreg_devices_list": (c_int, [c_void_p, P(P(DeviceInfo)), P(c_size_t), P(Error)]),
    "logreg_devices_free": (None, [P(DeviceInfo)]),
    "logreg_device_type_name": (c_char_p, [c_int]),
}
for _name, (_res, _args) in _sigs.items():
    _f = getattr(lib, _name)
    _f.restype = _res
    _f.argtypes = _args


def _check_flags():
    """The estimator asks the library to order dense rows (LOGREG_BUFFER_CANONICAL_ORDER); a
    library from before that flag ignores it, as it ignores every flag it does not know, and a
    fit would then depend on the row order. Libraries since reject unknown flags: one is tried."""
    err, ds = Error(), c_void_p()
    if lib.logreg_dataset_from_buffer(0, 1, None, LOGREG_FLOAT64, 0, None, 0, None, None, None,
                                      0x80000000, ctypes.byref(ds), ctypes.byref(err)) == 0:
        lib.logreg_dataset_free(ds)
        raise ImportError("logreg: %s is older than this package (no canonical row order); "
                          "rebuild it" % path)


_check_flags()


def defaults():
    """logreg_params_init's parameters: the library's defaults, set there once."""
    p = Params()
    lib.logreg_params_init(ctypes.byref(p))
    return p


def optimizer(name):
    """The library's value for an optimizer name (logreg_optimizer_parse: its own list)."""
    value, err = c_int(), Error()
    if lib.logreg_optimizer_parse(name.encode(), ctypes.byref(value), ctypes.byref(err)) != 0:
        raise ValueError("%s (%s)" % (err.message.decode(), path))
    return value.value


class LogregError(RuntimeError):
    """A failure the library reported that is not a bad argument (I/O, backend, divergence)."""


def raise_for(status, err):
    """Raises ValueError for LOGREG_EPARSE/LOGREG_EINVAL (bad input, as scikit-learn would),
    else LogregError, with the library's one-line message."""
    msg = err.message.decode("utf-8", "replace") or lib.logreg_status_str(status).decode()
    if status in (3, 4):  # EPARSE, EINVAL
        raise ValueError(msg)
    if status == 1:
        raise MemoryError(msg)
    if status == 2:
        raise OSError(msg)
    raise LogregError(msg)
