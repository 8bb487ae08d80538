"""The first steps of a process forked to help a build, so that it never outlives the build."""

from __future__ import annotations

import os
import signal

PR_SET_PDEATHSIG = 1
"""prctl(2): the signal this process gets when the thread that forked it ends."""


def become_helper(build: int, inherited_readers=()) -> None:
    """Called first in a forked helper; `build` is the pid of the build process, taken before the fork.

    - Ctrl-C is the build's to handle: the helper ignores it.
    - The read ends of the build's pipes are closed here, this helper's own among them: while a process
      holds one, a write to that pipe waits for ever once the build stops reading.
    - Linux kills the helper when the build ends, whatever it is doing, so a build killed midway (SIGKILL,
      out of memory) leaves no process behind.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for reader in inherited_readers:
        reader.close()
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux's C library: the closed pipes still end a blocked write
        pass
    if os.getppid() != build:  # the build ended before prctl: nobody is left to help
        os._exit(0)
