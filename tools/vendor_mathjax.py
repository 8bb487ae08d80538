"""Copy MathJax's es5 components from npm into dlanki/mathjax/ (run when dlanki.mathjax.VERSION changes).

    python tools/vendor_mathjax.py

Needs npm (Node.js). It downloads mathjax-full@VERSION with `npm pack`, copies the files dlanki uses
(dlanki/mathjax.py names them) and MathJax's licence, unmodified, and writes dlanki/mathjax/README.md
with each file's size and SHA-256, which tests/test_mathjax.py checks the vendored copy against.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dlanki import mathjax

TARGET = REPO / "dlanki" / "mathjax"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="dlanki-mathjax-") as tmp:
        spec = f"mathjax-full@{mathjax.VERSION}"
        subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", tmp], check=True, stdout=subprocess.DEVNULL)
        (tarball,) = Path(tmp).glob("mathjax-full-*.tgz")
        with tarfile.open(tarball) as archive:
            archive.extractall(tmp, filter="data")
        package = Path(tmp) / "package"
        shutil.rmtree(TARGET, ignore_errors=True)
        names = [*mathjax.FILES, *sorted(p.relative_to(package / "es5").as_posix() for p in (package / "es5" / mathjax.FONTS).iterdir())]
        for name in names:
            (TARGET / "es5" / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(package / "es5" / name, TARGET / "es5" / name)
        shutil.copyfile(package / "LICENSE", TARGET / "LICENSE")
    rows = []
    for name in names:
        data = (TARGET / "es5" / name).read_bytes()
        rows.append(f"| `es5/{name}` | {len(data):,} | `{hashlib.sha256(data).hexdigest()}` |")
    total = sum((TARGET / "es5" / name).stat().st_size for name in names)
    (TARGET / "README.md").write_text(README.format(version=mathjax.VERSION, rows="\n".join(rows), total=total), encoding="utf-8")
    print(f"vendored MathJax {mathjax.VERSION}: {len(names)} files, {total:,} bytes, into {TARGET.relative_to(REPO)}")


README = """# MathJax {version}, vendored

These files are MathJax {version}'s es5 components from the npm package `mathjax-full`, copied
unmodified by `tools/vendor_mathjax.py`. MathJax is © The MathJax Consortium and licensed under the
Apache License 2.0 (`LICENSE` beside this file). dlanki runs them under Node.js to check formulas
(`dlanki check`) and copies them into previews (`dlanki preview`, `dlanki serve`).

{total:,} bytes in all:

| file | bytes | SHA-256 |
| --- | ---: | --- |
{rows}
"""


if __name__ == "__main__":
    main()
