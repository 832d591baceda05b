"""Bundles liblogreg.so into the package when it is built: $LOGREG_LIBRARY, else the repository's
build/liblogreg.so.0 (bash scripts/build.sh). With a library bundled, the wheel holds native code
and is tagged for this platform (py3-none-linux_x86_64: any Python 3, since ctypes loads it; this
OS and architecture, and the runtime libraries it links: docs/python.md). Without one, the
package is pure Python (py3-none-any) and finds the library at import time ($LOGREG_LIBRARY, or
the system's liblogreg.so, e.g. after cmake --install)."""

import os
import shutil
import sys

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
NAME = "liblogreg.so.0"


def _library():
    """The library to bundle (its real path, not a symlink), or None."""
    src = os.environ.get("LOGREG_LIBRARY")
    if src:
        if not os.path.isfile(src):
            sys.exit("logreg: LOGREG_LIBRARY=%s is not a file; point it at the built "
                     "liblogreg.so.0, or unset it to take ../build/%s" % (src, NAME))
    else:
        src = os.path.join(HERE, os.pardir, "build", NAME)
        if not os.path.isfile(src):
            return None
    return os.path.realpath(src)


LIBRARY = _library()


class BuildPy(build_py):
    def run(self):
        super().run()
        dst = os.path.join(self.build_lib, "logreg", NAME)
        if LIBRARY:
            shutil.copyfile(LIBRARY, dst)
            print("logreg: bundled %s" % LIBRARY)
        else:
            # A copy left in build/ by an earlier build with a library must not ship in this one.
            if os.path.exists(dst):
                os.remove(dst)
            print("logreg: no %s to bundle (neither $LOGREG_LIBRARY nor %s); the package will "
                  "look for the library at import time"
                  % (NAME, os.path.join(HERE, os.pardir, "build", NAME)))


class PlatformDistribution(Distribution):
    """With a library bundled, the package holds native code: bdist_wheel then makes a platform
    wheel (Root-Is-Purelib: false, the files in platlib) instead of py3-none-any."""

    def has_ext_modules(self):
        return LIBRARY is not None


cmdclass = {"build_py": BuildPy}

# bdist_wheel lives in setuptools since 70.1 and in the wheel package before (Debian 12:
# setuptools 66 and python3-wheel).
try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:
    try:
        from wheel.bdist_wheel import bdist_wheel
    except ImportError:
        bdist_wheel = None

if bdist_wheel is not None:
    class BdistWheel(bdist_wheel):
        def get_tag(self):
            impl, abi, plat = super().get_tag()
            if LIBRARY is None:
                return impl, abi, plat
            # ctypes, not the C API: the Python version and ABI do not matter, the platform does.
            return "py3", "none", plat

    cmdclass["bdist_wheel"] = BdistWheel
elif {"bdist_wheel", "dist_info", "editable_wheel"} & set(sys.argv):
    sys.exit("logreg: building a wheel with setuptools %s needs the wheel package, which this "
             "Python cannot import: apt install python3-wheel (Debian; a venv sees it with "
             "--system-site-packages), or pip install without --no-build-isolation (pip then "
             "fetches setuptools and wheel from PyPI)" % __import__("setuptools").__version__)

setup(packages=["logreg"], cmdclass=cmdclass, distclass=PlatformDistribution)
