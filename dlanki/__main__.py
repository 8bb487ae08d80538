"""The `dlanki` program (`python -m dlanki`, and the script pip installs).

Python's cycle collector is turned off before anything else is imported: the program runs without it
(console.main says why), and left on while Click, Markdown, the sanitiser and genanki load, it scans
their new objects again and again, 11 ms of every command."""

import gc

gc.disable()

from dlanki.cli import main  # after the collector is off

if __name__ == "__main__":
    main()
