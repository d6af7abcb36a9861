"""Write the README's pictures: ``docs/*.svg`` from lstm_params, and PNGs of them by Chromium.

    python scripts/render_pictures.py            # the SVGs (the tests check they are current)
    python scripts/render_pictures.py --png      # also PNGs, with headless Chromium

The SVGs are what ``LayerSpec.to_svg()`` and ``lstm-params plot`` write; a PNG is
the SVG as a browser draws it, for places that show no SVG.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from lstm_params import LayerSpec
from lstm_params._cli import run

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

DOCS = Path(__file__).resolve().parent.parent / "docs"
PICTURES: dict[str, Callable[[], str]] = {
    "seed-lstm-keras.svg": lambda: LayerSpec("lstm", 200, 4096).to_svg(),
    "seed-lstm-pytorch.svg": lambda: LayerSpec("lstm", 200, 4096, framework="pytorch").to_svg(),
    "lstm-params-by-units.svg": lambda: run(
        ["plot", "lstm", "--input-dim", "4096", "--frameworks", "keras,pytorch,flax-linen"]
    ),
}


def main() -> None:
    """Write every picture; with ``--png``, render each with headless Chromium too."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", action="store_true", help="also render PNGs with Chromium")
    png = parser.parse_args().png
    DOCS.mkdir(exist_ok=True)
    for name, draw in PICTURES.items():
        path = DOCS / name
        path.write_text(draw() + "\n")
        print(f"wrote {path.relative_to(DOCS.parent)}")
        if png:
            _png(path)


def _png(svg: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        msg = "no chromium on PATH (apt-get install chromium)"
        raise SystemExit(msg)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(  # noqa: S603 - the local browser, our own file
            [
                chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={profile}", "--window-size=660,460",
                f"--screenshot={svg.with_suffix('.png')}", svg.as_uri(),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
    print(f"wrote {svg.with_suffix('.png').relative_to(DOCS.parent)}")


if __name__ == "__main__":
    main()
