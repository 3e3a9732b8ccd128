"""Runtime jars for one engine, copied by Maven into the cache once per version of pom.xml."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from .config import EngineConfig


class ClasspathError(RuntimeError):
    pass


def _stamp(cfg: EngineConfig) -> str:
    return hashlib.sha256(cfg.pom.read_bytes()).hexdigest()[:16]


def lib_dir(cfg: EngineConfig, profile: str) -> Path:
    return cfg.cache_dir / profile / "lib"


def ensure_classpath(cfg: EngineConfig, profile: str) -> str:
    """Return the `-cp` value (`<lib>/*`) for a Maven profile, resolving the jars when pom.xml changed."""
    lib = lib_dir(cfg, profile)
    stamp = lib.parent / f".resolved-{_stamp(cfg)}"
    if not stamp.exists():
        if lib.exists():
            shutil.rmtree(lib)  # jars of an older pom.xml would shadow the new ones
        lib.mkdir(parents=True)
        for old in lib.parent.glob(".resolved-*"):
            old.unlink()
        command = [
            "mvn", "-q", "-B", f"-P{profile}", "-f", str(cfg.pom),
            "dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={lib}",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not any(lib.glob("*.jar")):
            raise ClasspathError(f"maven could not copy the {profile} jars:\n{result.stdout}{result.stderr}")
        stamp.touch()
    return f"{lib}/*"
