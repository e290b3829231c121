"""sphinx-gallery hooks: the PNG files an example saves become its pictures.

The examples render with matplotlib's ``Figure`` (no pyplot, no display) and save
their picture into ``--outdir``, the current folder by default, which
sphinx-gallery sets to the example's own folder while it runs. The scraper moves
every PNG written there since the example started into the gallery.
"""

import shutil
import time
from pathlib import Path

from sphinx_gallery.scrapers import figure_rst

_started = {"time": 0.0}


def note_start(gallery_conf, fname):
    """reset_modules hook: remember when the next example starts."""
    _started["time"] = time.time()


def saved_png_scraper(block, block_vars, gallery_conf, **kwargs):
    """Move the PNGs the example saved since it started into the gallery."""
    folder = Path(block_vars["src_file"]).parent
    saved = sorted(
        path
        for path in folder.glob("*.png")
        if path.stat().st_mtime >= _started["time"]
    )
    image_paths = []
    for path, image_path in zip(saved, block_vars["image_path_iterator"]):
        shutil.move(path, image_path)
        image_paths.append(image_path)
    return figure_rst(image_paths, gallery_conf["src_dir"])
