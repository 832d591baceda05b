"""Copies liblogreg.so into the package when it is built: $LOGREG_LIBRARY, else the repository's
build/liblogreg.so.0 (bash scripts/build.sh). Without either, the package is installed without
a copy and finds the library at import time (LOGREG_LIBRARY, or the system's liblogreg.so)."""

import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


class BuildPy(build_py):
    def run(self):
        super().run()
        src = os.environ.get("LOGREG_LIBRARY") or os.path.join(HERE, os.pardir, "build",
                                                                 "liblogreg.so.0")
        if os.path.exists(src):
            dst = os.path.join(self.build_lib, "logreg", "liblogreg.so.0")
            shutil.copyfile(os.path.realpath(src), dst)
            print("logreg: bundled %s" % os.path.realpath(src))
        else:
            print("logreg: no liblogreg.so to bundle (%s); set LOGREG_LIBRARY at run time" % src)


setup(cmdclass={"build_py": BuildPy})
