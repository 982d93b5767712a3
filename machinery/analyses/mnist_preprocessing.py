# -*- coding: utf-8 -*-
"""A reader's own digit, made into a MNIST input: the preprocessing MNIST's digits went through.

LeCun's description of the data set: the digits are white on black, size-normalised to fit a 20x20
box keeping their aspect ratio, anti-aliased (so their edges are gray), and centred in 28x28 by their
centre of mass. A photo, a scan or a drawing is none of that; to_mnist() makes it so.
"""

import warnings

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

BOX = 20  # the longer side of the digit, in pixels
SIZE = 28
# Where MNIST's digits have their centre of mass (row, column), measured on its 60,000 training
# digits: 13.996 and 14.007 on average (pixel indices, 0..27). tests/test_mnist_preprocessing.py measures it again.
CENTRE = (14.0, 14.0)
MIN_CONTRAST = 0.1  # ink and paper closer than this (of the full range) is no ink at all
SPECKS_SIDE = 256   # specks are looked for on a copy this size: smaller than ~1% of the image is a speck


class ImageError(Exception):
    """An image that can't be made into a digit; its message is one line naming the file."""


def open_image(path):
    """The image at path, decoded in full and upright (as a phone's EXIF orientation says)."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns up to twice its limit: a decompression bomb is an error here, always.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.load()
                return ImageOps.exif_transpose(image)
    except FileNotFoundError:
        raise ImageError("%s: no such file" % path)
    except IsADirectoryError:
        raise ImageError("%s: a folder, not an image" % path)
    except UnidentifiedImageError:
        raise ImageError("%s: not an image Pillow can read" % path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ImageError("%s: too large to decode safely (%s)" % (path, str(e).split(" could be")[0].rstrip(",")))
    except (OSError, SyntaxError, ValueError) as e:  # truncated or damaged data
        raise ImageError("%s: damaged or truncated image (%s)" % (path, e))


def gray_and_alpha(image):
    """Luminance and opacity, both floats in [0, 1], of an image of any mode (16-bit, palette, ...)."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit gray: convert("L") would clip at 255
        gray = np.asarray(image, np.float64)
        return gray / (65535.0 if gray.max() <= 65535 else gray.max()), np.ones(gray.shape)
    if image.mode == "F":
        gray = np.asarray(image, np.float64)
        return (gray - gray.min()) / max(np.ptp(gray), 1e-12), np.ones(gray.shape)
    rgba = np.asarray(image.convert("RGBA"), np.float64) / 255
    return rgba[..., :3] @ [0.299, 0.587, 0.114], rgba[..., 3]  # ITU-R 601 luma, as Pillow's "L"


def to_mnist(image, name="image", box=BOX, by_mass=True):
    """A 28x28 float32 input in [0, 1] from a PIL image of a digit, as MNIST's digits were made.

    name is the file's, for the error message when there is no ink. Another data set's convention
    (measure_convention): the ink's longer side to box pixels, centred by its mass or by its box.
    """
    gray, alpha = gray_and_alpha(image)
    border = _ring(gray.shape)

    # Transparent is paper. The paper's colour: the opaque part of the border; with a transparent
    # border (a drawing program's PNG), the colour opposite to the opaque strokes.
    opaque = alpha > 0.5
    if (opaque & border).sum() >= 0.5 * border.sum():
        paper = np.median(gray[opaque & border])
    else:
        paper = 1.0 if opaque.any() and np.median(gray[opaque]) < 0.5 else 0.0
    gray = alpha * gray + (1 - alpha) * paper

    # Which side is ink: the extreme farther from the paper (dark ink on white paper, or chalk on a
    # blackboard). Then white on black, as MNIST: paper 0, ink 1.
    paper = np.median(gray[border])
    low, high = np.percentile(gray, [0.1, 99.9])
    if paper - low > high - paper:
        gray, paper, high = 1 - gray, 1 - paper, 1 - low
    if high - paper < MIN_CONTRAST:
        raise ImageError("%s: no ink: the image is blank or uniform" % name)
    ink = np.clip((gray - paper) / (high - paper), 0, 1)

    # Crop to the ink's bounding box, at full resolution; specks (dust, noise) don't count.
    top, bottom, left, right = _ink_box(ink)
    ink = ink[top:bottom, left:right]

    # Longer side to 20 pixels, aspect ratio kept, with an anti-aliasing filter.
    h, w = ink.shape
    scale = box / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    digit = np.asarray(Image.fromarray(ink.astype(np.float32), "F").resize(size, Image.Resampling.LANCZOS))
    digit = np.clip(digit, 0, 1)

    # Into 28x28, moved so that its centre of mass lands where MNIST's do (or its box in the middle).
    rows, cols = np.indices(digit.shape)
    mass = digit.sum(dtype=np.float64)  # as the numerators: in float32 a tie at .5 could round either way
    if by_mass:
        dy = int(np.clip(round(CENTRE[0] - (rows * digit).sum() / mass), 0, SIZE - digit.shape[0]))
        dx = int(np.clip(round(CENTRE[1] - (cols * digit).sum() / mass), 0, SIZE - digit.shape[1]))
    else:
        dy, dx = (SIZE - digit.shape[0]) // 2, (SIZE - digit.shape[1]) // 2
    out = np.zeros((SIZE, SIZE), np.float32)
    out[dy:dy + digit.shape[0], dx:dx + digit.shape[1]] = digit
    return out


def measure_convention(images):
    """How a data set's images (n, 28, 28) in [0, 1] were made, as to_mnist's box and by_mass: the median
    longer side of their ink's box (pixels over 0.5), and whether their centres of mass sit nearer the
    middle of the frame than their boxes' centres do. MNIST's 60,000 give 20 and True."""
    ink = images > 0.5
    rows, cols = ink.any(axis=2), ink.any(axis=1)
    has = rows.any(axis=1)
    first = lambda m: m.argmax(axis=1)  # noqa: E731
    last = lambda m: m.shape[1] - 1 - m[:, ::-1].argmax(axis=1)  # noqa: E731
    top, bottom, left, right = first(rows), last(rows), first(cols), last(cols)
    box = int(np.median(np.maximum(bottom - top, right - left)[has] + 1))
    mass = images.sum(axis=(1, 2)) + 1e-12
    r, c = np.indices((SIZE, SIZE))
    mass_off = np.hypot((images * r).sum(axis=(1, 2)) / mass - 13.5, (images * c).sum(axis=(1, 2)) / mass - 13.5)
    box_off = np.hypot((top + bottom) / 2 - 13.5, (left + right) / 2 - 13.5)
    return min(box, SIZE), bool(np.median(mass_off[has]) < np.median(box_off[has]))


def _ring(shape):
    """The outer 2% of the image on each side, where the paper is."""
    ring = np.zeros(shape, bool)
    k = max(1, round(0.02 * min(shape)))
    ring[:k, :] = ring[-k:, :] = ring[:, :k] = ring[:, -k:] = True
    return ring


def _ink_box(ink):
    """(top, bottom, left, right) of the ink, at full resolution, leaving out specks.

    On an image at least SPECKS_SIDE pixels on its longer side (a photo, a scan, a drawing on a
    screen), a speck is ink that a 3x3 opening removes from a copy SPECKS_SIDE pixels on its longer
    side, so smaller than about 1% of the image: the box is that of the ink within 2% of what survives.
    """
    mask = ink > 0.5
    if not mask.any():
        mask = ink > 0
    factor = max(mask.shape) / SPECKS_SIDE
    if factor >= 1:
        small = Image.fromarray(mask.astype(np.uint8) * 255).resize(
            (max(1, round(mask.shape[1] / factor)), max(1, round(mask.shape[0] / factor))), Image.Resampling.BOX)
        opened = np.asarray(small.filter(ImageFilter.MinFilter(3)).filter(ImageFilter.MaxFilter(3))) > 127
        if opened.any():
            rows, cols = np.flatnonzero(opened.any(axis=1)), np.flatnonzero(opened.any(axis=0))
            margin = 0.02 * SPECKS_SIDE
            keep = np.zeros(mask.shape, bool)
            keep[max(0, int((rows[0] - margin) * factor)):int(np.ceil((rows[-1] + 1 + margin) * factor)),
                 max(0, int((cols[0] - margin) * factor)):int(np.ceil((cols[-1] + 1 + margin) * factor))] = True
            mask &= keep
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
