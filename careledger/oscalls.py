"""The Linux calls careledger needs and Python does not offer, through ctypes; elsewhere they say so.

- `exchange(a, b)`: renameat2(RENAME_EXCHANGE) swaps two directory entries in one atomic step, so the output swap
  never has a moment when the output folder does not exist (output.py).
- `die_with_parent()`: prctl(PR_SET_PDEATHSIG, SIGKILL), so a worker process is killed when the process that
  started it dies, even by SIGKILL (workers.py).
- `give_back_memory()`: glibc's malloc_trim(0), so the memory a stage freed (the history walk's states, the parse's
  result bytes) leaves the building process's resident set before it forks workers, which would count it too.
- `map_large_blocks()`: glibc's mallopt(M_MMAP_THRESHOLD), so that blocks of 4 MiB or more are always mapped on
  their own and unmapped when freed.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import sys
from functools import lru_cache

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_PR_SET_PDEATHSIG = 1
_M_MMAP_THRESHOLD = -3  # mallopt's parameter (malloc.h)
LARGE_BLOCK = 4 << 20
# What renameat2 answers on a kernel or file system without RENAME_EXCHANGE (old kernels, some network mounts).
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}


@lru_cache(maxsize=None)
def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def exchange(a: os.PathLike | str, b: os.PathLike | str) -> bool:
    """Swap the entries `a` and `b` (both must exist) atomically. False when this system cannot (nothing was
    changed: the caller falls back to renames); OSError for any other failure."""
    libc = _libc()
    call = getattr(libc, "renameat2", None) if libc is not None else None
    if call is None:
        return False
    call.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    call.restype = ctypes.c_int
    if call(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send `sig` to this process when its parent dies. False where there is no such call.

    The kernel ties this to the parent *thread* that forked the process: a pool must be started from a thread that
    lives as long as the pool (workers.py starts them from the caller's thread, which waits for them)."""
    libc = _libc()
    call = getattr(libc, "prctl", None) if libc is not None else None
    if call is None:
        return False
    call.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong)
    call.restype = ctypes.c_int
    return call(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0


def give_back_memory() -> bool:
    """Return the memory malloc holds free to the kernel (malloc_trim: the heap's free pages, not only its top).
    False where there is no such call (not glibc). It costs milliseconds."""
    libc = _libc()
    call = getattr(libc, "malloc_trim", None) if libc is not None else None
    if call is None:
        return False
    call.argtypes = (ctypes.c_size_t,)
    call.restype = ctypes.c_int
    call(0)
    return True


def map_large_blocks() -> bool:
    """Have malloc map every block of `LARGE_BLOCK` bytes or more on its own, given back to the kernel when freed.
    glibc's default raises that threshold to the largest mapped block freed so far (up to 32 MiB): after a build
    frees a parsed batch or a pickle of 20 MB, blocks up to that size come from the heap, and the holes they leave
    keep the resident set high (a cold build at 25,000 households: a peak of 1,538 MiB, against 1,499 MiB with the
    threshold fixed here; fixed at 1 MiB or lower it cost 13 % more CPU, in page faults). False where there is no
    such call (not glibc)."""
    libc = _libc()
    call = getattr(libc, "mallopt", None) if libc is not None else None
    if call is None:
        return False
    call.argtypes = (ctypes.c_int, ctypes.c_int)
    call.restype = ctypes.c_int
    return call(_M_MMAP_THRESHOLD, LARGE_BLOCK) == 1
