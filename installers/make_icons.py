"""Render the app icon (resources/icons/crasme.svg, named by crasme_desktop.APP_ICON) as
PNGs at the sizes a platform wants, with Qt's SVG renderer (no display needed).

    python installers/make_icons.py OUT_DIR 16 32 48 ... [--ico FILE] [--iconset DIR]

writes OUT_DIR/<size>.png; `--ico` also writes a Windows .ico (Pillow) and
`--iconset` a macOS .iconset folder (for `iconutil -c icns`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crasme_desktop import APP_ICON, resource_path
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

#: macOS .iconset names: (file stem, pixels).
ICONSET = [(f"icon_{s}x{s}", s) for s in (16, 32, 128, 256, 512)] + [
    (f"icon_{s}x{s}@2x", s * 2) for s in (16, 32, 128, 256, 512)
]


def render(size: int, svg: Path | None = None) -> QImage:
    """The icon as a size×size ARGB image with a transparent background."""
    renderer = QSvgRenderer(str(svg or resource_path("icons", APP_ICON)))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {svg or APP_ICON}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("sizes", type=int, nargs="*", default=[16, 24, 32, 48, 64, 128, 256, 512])
    parser.add_argument("--ico", type=Path, help="also write a Windows .ico file")
    parser.add_argument("--iconset", type=Path, help="also write a macOS .iconset folder")
    args = parser.parse_args(argv)
    _app = QGuiApplication.instance() or QGuiApplication(["make_icons"])
    args.out.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        if not render(size).save(str(args.out / f"{size}.png")):
            raise SystemExit(f"make_icons: cannot write {args.out / f'{size}.png'}")
    if args.ico:
        from PIL import Image

        big = args.out / "ico-256.png"
        render(256).save(str(big))
        Image.open(big).save(args.ico, sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    if args.iconset:
        args.iconset.mkdir(parents=True, exist_ok=True)
        for stem, size in ICONSET:
            render(size).save(str(args.iconset / f"{stem}.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
