"""The `dlanki` program (`python -m dlanki`, and the script pip installs).

Python's cycle collector is turned off before anything else is imported: the program runs without it
(console.main says why), and left on while Click and dlanki's modules load, it scans their new objects
again and again (4 ms of `dlanki --version`)."""

import gc

gc.disable()

from dlanki.cli import main  # after the collector is off

if __name__ == "__main__":
    main()
