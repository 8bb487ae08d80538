"""The `dlanki` program (`python -m dlanki`, and the script pip installs).

Python's cycle collector is off for the whole program, from before anything else is imported: a command
runs once and ends, and its objects (a dozen per card) hold no cycles to find. Left on, it scans them
again and again as they are made, and all of them once a build is over (0.08 s at 10,000 notes), and
the modules as they load (4 ms of `dlanki --version`). `dlanki serve`, which runs until stopped, turns
it back on."""

import gc

gc.disable()

from dlanki.cli import main  # after the collector is off

if __name__ == "__main__":
    main()
