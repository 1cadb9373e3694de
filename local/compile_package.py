"""Add compiled bytecode to the Lambda zip `chalice package` wrote.

Chalice zips sources only, and Lambda's file system is read-only, so without this every cold
start would compile every module (ours, pydantic, botocore...) from source. The bytecode uses
unchecked-hash invalidation: the zip's timestamps (1980) must not make Python distrust it, and
the sources beside it never change inside a deployed package.

    python -m local.compile_package dist/deployment.zip"""

from __future__ import annotations

import compileall
import os
import py_compile
import sys
import tempfile
import zipfile
from pathlib import Path


def compile_zip(path: Path) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        with zipfile.ZipFile(path) as archive:
            archive.extractall(root)
        compileall.compile_dir(
            root, quiet=1, workers=0, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
        )
        files = sorted(p for p in root.rglob("*") if p.is_file())
        rebuilt = path.with_suffix(".tmp")
        with zipfile.ZipFile(rebuilt, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for file in files:
                info = zipfile.ZipInfo(file.relative_to(root).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = (0o644 if not os.access(file, os.X_OK) else 0o755) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, file.read_bytes())
        rebuilt.replace(path)
        return sum(1 for f in files if f.suffix == ".pyc")


if __name__ == "__main__":
    count = compile_zip(Path(sys.argv[1]))
    print(f"added {count} compiled modules to {sys.argv[1]}")
