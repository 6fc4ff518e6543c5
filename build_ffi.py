"""cffi builder for ``nodehttp._llhttp``: llhttp 9.4.3 plus nodehttp's C glue.

``setup.py`` hands ``ffibuilder`` to cffi's setuptools hook; ``python build_ffi.py``
builds the extension in place for development.

llhttp's release files are not in the repository. :func:`materialize_llhttp` puts them
under ``vendor/llhttp/`` from the pin in ``vendor/llhttp/pin.json`` and checks each
file's sha256 before anything is compiled.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from cffi import FFI

ROOT = Path(__file__).resolve().parent
VENDOR = ROOT / "vendor" / "llhttp"
PIN = json.loads((VENDOR / "pin.json").read_text())
SOURCE_ENV = "NODEHTTP_LLHTTP_SOURCE"


class PinMismatch(RuntimeError):
    """A file of llhttp does not have the bytes the pin names."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mismatches(root: Path) -> list[str]:
    problems = []
    for rel, expected in PIN["files"].items():
        path = root / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
            continue
        actual = _sha256(path)
        if actual != expected:
            problems.append(f"{rel}: sha256 {actual}, the pin says {expected}")
    return problems


def _copy_from_dir(src: Path) -> None:
    for rel in PIN["files"]:
        dest = VENDOR / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, dest)


def _copy_from_tarball(tarball: Path) -> None:
    prefix = PIN["artifact"]["prefix"]
    with tarfile.open(tarball) as tar:
        for rel in PIN["files"]:
            member = tar.getmember(prefix + rel)
            handle = tar.extractfile(member)
            if handle is None:
                raise PinMismatch(f"{tarball}: {prefix + rel} is not a file")
            dest = VENDOR / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(handle.read())


def _download_artifact(dest: Path) -> Path:
    art = PIN["artifact"]
    spec = f"{art['package']}=={art['version']}"
    # pip's isolated build environment points PYTHONPATH at its own overlay; the
    # download must run with the interpreter's ordinary site-packages, where pip is.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONNOUSERSITE")}
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
        "--disable-pip-version-check", "-d", str(dest), spec,
    ]
    print(f"nodehttp: fetching llhttp {PIN['llhttp_version']} from the {spec} sdist", file=sys.stderr)
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    tarball = dest / art["filename"]
    if not tarball.is_file():
        raise PinMismatch(
            f"could not download {spec} ({' '.join(cmd)}):\n{result.stdout}{result.stderr}\n"
            f"For an offline build set {SOURCE_ENV} to a copy of llhttp's files "
            f"(a directory with include/ and src/, or {art['filename']})."
        )
    return tarball


def materialize_llhttp() -> Path:
    """Make ``vendor/llhttp/{include,src}`` hold the pinned llhttp files; return the folder."""
    if not _mismatches(VENDOR):
        return VENDOR
    local = os.environ.get(SOURCE_ENV)
    if local:
        src = Path(local)
        if src.is_dir():
            _copy_from_dir(src)
        else:
            _copy_from_tarball(src)
        origin = f"{SOURCE_ENV}={local}"
    else:
        with tempfile.TemporaryDirectory() as tmp:
            _copy_from_tarball(_download_artifact(Path(tmp)))
        origin = f"the {PIN['artifact']['package']} {PIN['artifact']['version']} sdist"
    problems = _mismatches(VENDOR)
    if problems:
        raise PinMismatch(
            f"llhttp files from {origin} do not match vendor/llhttp/pin.json; refusing to build:\n  "
            + "\n  ".join(problems)
        )
    return VENDOR


CDEF = """
typedef struct {
    uint64_t content_length;
    uint8_t type;
    uint8_t method;
    uint8_t http_major;
    uint8_t http_minor;
    uint16_t lenient_flags;
    uint8_t upgrade;
    uint8_t finish;
    uint16_t flags;
    uint16_t status_code;
    ...;
} llhttp_t;

const char* llhttp_errno_name(int err);
const char* llhttp_method_name(int method);
const char* llhttp_get_error_reason(const llhttp_t* parser);
const char* llhttp_get_error_pos(const llhttp_t* parser);
int llhttp_execute(llhttp_t* parser, const char* data, size_t len);
int llhttp_finish(llhttp_t* parser);
void llhttp_pause(llhttp_t* parser);
void llhttp_resume(llhttp_t* parser);
void llhttp_resume_after_upgrade(llhttp_t* parser);
int llhttp_should_keep_alive(const llhttp_t* parser);
int llhttp_message_needs_eof(const llhttp_t* parser);
void llhttp_set_lenient_headers(llhttp_t* parser, int enabled);
void llhttp_set_lenient_chunked_length(llhttp_t* parser, int enabled);
void llhttp_set_lenient_keep_alive(llhttp_t* parser, int enabled);
void llhttp_set_lenient_transfer_encoding(llhttp_t* parser, int enabled);
void llhttp_set_lenient_version(llhttp_t* parser, int enabled);
void llhttp_set_lenient_data_after_close(llhttp_t* parser, int enabled);
void llhttp_set_lenient_optional_lf_after_cr(llhttp_t* parser, int enabled);
void llhttp_set_lenient_optional_cr_before_lf(llhttp_t* parser, int enabled);
void llhttp_set_lenient_optional_crlf_after_chunk(llhttp_t* parser, int enabled);
void llhttp_set_lenient_spaces_after_chunk_size(llhttp_t* parser, int enabled);
void llhttp_set_lenient_header_value_relaxed(llhttp_t* parser, int enabled);

typedef struct {
    uint64_t max_header_size;
    int64_t max_fields;
    int head_response;
    int connect_response;
    int ask;
    int ask_after_final;
    double message_start;
    int headers_done;
    char* blk;
    uint32_t* lens;
    size_t lens_report;
    int64_t* ev;
    size_t ev_cap;
    int busy;
    size_t nread;
    int err;
    const char* reason;
    ...;
} nh_parser_t;

nh_parser_t* nh_new(void);
void nh_free(nh_parser_t* nh);
void nh_init(nh_parser_t* nh, int type, uint64_t max_header_size, uint32_t lenient_flags);
int64_t nh_execute(nh_parser_t* nh, const char* data, size_t len);
int64_t nh_decide(nh_parser_t* nh, int answer, const char* data, size_t len);
int64_t nh_finish(nh_parser_t* nh);
void nh_pause(nh_parser_t* nh);
void nh_resume(nh_parser_t* nh);
const char* nh_version(void);
int nh_export_dispatch(void);

void nh_trace_init(llhttp_t* parser, int type);
extern "Python+C" int nh_trace_cb(llhttp_t* p, int kind, const char* at, size_t length);
"""


# The glue's functions never block, never wait on a lock and never read errno, and
# they run for well under a microsecond: releasing the GIL and saving errno around
# each call (what cffi's wrappers do by default) would cost more than the call.
PREAMBLE = """
#include "nh_parser.h"
#undef Py_BEGIN_ALLOW_THREADS
#define Py_BEGIN_ALLOW_THREADS {
#undef Py_END_ALLOW_THREADS
#define Py_END_ALLOW_THREADS }
#undef _cffi_restore_errno
#define _cffi_restore_errno() ((void)0)
#undef _cffi_save_errno
#define _cffi_save_errno() ((void)0)
"""


def make_builder() -> FFI:
    """Return the FFI builder; materialises llhttp first."""
    vendor = materialize_llhttp()
    builder = FFI()
    builder.cdef(CDEF)
    csrc = ROOT / "csrc"
    sources = [vendor / "src" / name for name in ("api.c", "http.c", "llhttp.c")]
    sources += [csrc / "nh_parser.c", csrc / "nh_dispatch.c"]
    builder.set_source(
        "nodehttp._llhttp",
        PREAMBLE,
        sources=[os.path.relpath(s, ROOT) for s in sources],
        include_dirs=[os.path.relpath(p, ROOT) for p in (vendor / "include", csrc)],
        extra_compile_args=["-O2"],
        # nh_dispatch.c uses the full C API (PyObject_Vectorcall joined the limited API
        # only in 3.12), so the module is built per Python version, not as abi3.
        define_macros=[("_CFFI_NO_LIMITED_API", None)],
        py_limited_api=False,
    )
    return builder


def _ship_licence() -> None:
    shutil.copyfile(VENDOR / "LICENSE-MIT", ROOT / "nodehttp" / "LICENSE-llhttp")


ffibuilder = make_builder()
_ship_licence()

if __name__ == "__main__":
    os.chdir(ROOT)
    ffibuilder.compile(tmpdir=str(ROOT), verbose=False)
