# -*- coding: utf-8 -*-
"""The article's helpers: the layer builders of 0.py, save_image and channels_to_images, and what
3.py composes from them (comparison sheets, filter tiles, timelines, the index page).

Importing this module builds no graph and reads no data.
"""

import argparse
import html
import os
import tempfile

import numpy as np
import tensorflow as tf
from PIL import Image, ImageDraw, ImageFont

ROOT = os.path.dirname(os.path.abspath(__file__))
IMAGES_DIR = os.path.join(ROOT, "images")  # where every script writes, whatever the current directory
GAP_COLOR = 0x80  # the gray between tiles


def parse_args(description, steps=False, seed=True, images=False, ascent=False):
    """The scripts' flags; a --seed seeds the graph's random ops and numpy's batch shuffling.

    Call it before `from cnn import *`: a graph-level seed applies only to ops created after it.
    """
    # Raw: --help shows the docstring's lines as written (3.py's list of outputs, one per line).
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    if images:
        parser.add_argument("image", nargs="*", metavar="IMAGE", help="an image of a digit (default: 10 test digits)")
    if steps:
        parser.add_argument("--steps", type=int, default=20000, metavar="N",
                            help="training steps of batch 50 (default: %(default)s, the article's)")
        parser.add_argument("--logdir", metavar="DIR",
                            help="also log the training for TensorBoard, in a new sub-folder of DIR "
                                 "(default: no log)")
    if ascent:
        parser.add_argument("--ascent-steps", type=int, default=200, metavar="N",
                            help="steps of gradient ascent for the patterns and class models (default: %(default)s)")
    if seed:
        parser.add_argument("--seed", type=int, metavar="N",
                            help="seed for the initial weights, dropout and batches; two runs with "
                                 "one seed write identical images (default: unseeded, as the article)")
    args = parser.parse_args()
    if steps and args.steps < 0:
        parser.error("--steps must be 0 or more, not %d" % args.steps)
    if ascent and args.ascent_steps < 1:
        parser.error("--ascent-steps must be 1 or more, not %d" % args.ascent_steps)
    if seed and args.seed is not None:
        if not 0 <= args.seed < 2**32:
            parser.error("--seed must be between 0 and 2**32 - 1, not %d" % args.seed)
        tf.compat.v1.disable_eager_execution()  # so that the seed goes to the graph, not to eager mode
        tf.compat.v1.set_random_seed(args.seed)
        np.random.seed(args.seed)
    return args


"""
0.py のヘルパー (the layer builders from the article's 0.py)
"""

def weight_variable(shape):
    initial = tf.compat.v1.truncated_normal(shape, stddev=0.1)
    return tf.Variable(initial)


def bias_variable(shape):
    initial = tf.constant(0.1, shape=shape)
    return tf.Variable(initial)


def conv2d(x, W):
    return tf.nn.conv2d(x, W, strides=[1, 1, 1, 1], padding='SAME')


def max_pool_2x2(x):
    return tf.nn.max_pool(x, ksize=[1, 2, 2, 1],
                          strides=[1, 2, 2, 1], padding='SAME')


"""
画像の作り方 (making the images)
"""

def save_image(file_name, image_ndarray, cols=8):
    """Tile images (count, h, w) of values 0..255, cols to a row with 1-pixel gray gaps, as images/file_name."""
    canvas = Image.fromarray(tile_images(image_ndarray, cols)).convert("RGB")
    save_atomically(file_name, lambda path: canvas.save(path, "PNG"))


def tile_images(image_ndarray, cols=8):
    """The canvas of save_image as a 2-D uint8 array."""
    # 画像数, 高さ, 幅 (count, height, width)
    count, h, w = image_ndarray.shape
    # 縦に画像を配置する数 (rows of tiles)
    rows = (count - 1) // cols + 1
    # 復数の画像を大きな画像に配置し直す (place the images on one canvas): give each a gray cell of
    # (h + 1) x (w + 1), lay the cells out rows x cols, and cut the gap after the last row and column.
    cells = np.full((rows * cols, h + 1, w + 1), GAP_COLOR, np.uint8)
    # The article's np.uint8(image) wraps values above 255 around; clip them first.
    cells[:count, :h, :w] = np.clip(image_ndarray, 0, 255)
    canvas = cells.reshape(rows, cols, h + 1, w + 1).swapaxes(1, 2).reshape(rows * (h + 1), cols * (w + 1))
    return canvas[:-1, :-1]


def channels_to_images(channels):
    """One layer's output for one input, (h, w, channels), as channels images (channels, h, w) x 255."""
    # The article's loop: images[i][y][x] = channels[y][x][i]
    return np.transpose(channels, (2, 0, 1)) * 255


"""
比較してみる (comparing: the article's comparison as sheets, the learned filters, a timeline, a page)
"""

CHANNEL_SIZE = 28   # every layer's channels are enlarged by a whole factor to about this size
FILTER_ZOOM = 5     # each 5x5 filter of W_conv1 is drawn as 25x25 pixels
PAD = 8             # white space around everything on a sheet
LABEL_WIDTH = 64    # the column of layer names
TITLE_HEIGHT = 16   # the row of column titles
FRAME_MS, LAST_FRAME_MS = 800, 2500


def enlarge(image, factor):
    """An image (or a stack of them) with each pixel repeated factor x factor times."""
    return image.repeat(factor, axis=-2).repeat(factor, axis=-1)


def layer_tile(images):
    """One layer's channel images (count, h, w) as its article tile, enlarged so a channel is ~28 px."""
    return enlarge(tile_images(images), max(1, CHANNEL_SIZE // images.shape[1]))


def compare_sheet(digit, label, names, columns):
    """A sheet with a row per layer: its name, the input digit, then one tile per column.

    digit: the input (28, 28) of 0..255; label: its digit; names: the layers, top to bottom;
    columns: [(title, [channel images (count, h, w) per layer])]. Returns a 2-D uint8 array.
    """
    tiles = [[layer_tile(images) for images in layers] for _, layers in columns]
    row_heights = [max(column[k].shape[0] for column in tiles) for k in range(len(names))]
    digits = [enlarge(np.clip(digit, 0, 255).astype(np.uint8), max(1, h // digit.shape[0])) for h in row_heights]
    widths = [max(d.shape[1] for d in digits)] + [max(t.shape[1] for t in column) for column in tiles]
    x0 = PAD + LABEL_WIDTH + PAD
    xs = x0 + np.cumsum([0] + [w + PAD for w in widths])  # left edge of each column
    ys = PAD + TITLE_HEIGHT + PAD + np.cumsum([0] + [h + PAD for h in row_heights])
    sheet = Image.new("L", (int(xs[-1]), int(ys[-1])), 255)
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=12)
    for x, title in zip(xs, ["input: %s" % label] + [title for title, _ in columns]):
        draw.text((int(x), PAD), title, fill=0, font=font)
    for k, name in enumerate(names):
        draw.text((PAD, int(ys[k])), name, fill=0, font=font)
        for x, image in zip(xs, [digits[k]] + [column[k] for column in tiles]):
            sheet.paste(Image.fromarray(image), (int(x), int(ys[k])))
    return np.asarray(sheet)


def save_sheet(file_name, sheet):
    save_atomically(file_name, lambda path: Image.fromarray(sheet).save(path, "PNG"))


def save_timeline(file_name, frames):
    """An animated GIF of sheets (2-D uint8 arrays of one size), the last frame held longer.

    optimize=False keeps every gray level: Pillow's palette optimisation shifts some by a few steps.
    """
    images = [Image.fromarray(frame) for frame in frames]
    durations = [FRAME_MS] * (len(images) - 1) + [LAST_FRAME_MS]
    save_atomically(file_name, lambda path: images[0].save(
        path, "GIF", save_all=True, append_images=images[1:], duration=durations, loop=0, optimize=False))


def filters_to_images(W):
    """W_conv1 (5, 5, 1, 32) as 32 images of 0..255, enlarged: 0 is mid-gray, +-max|W| white and black.

    One scale for all the filters, so that they compare with each other.
    """
    filters = np.transpose(W[:, :, 0, :], (2, 0, 1))
    scale = np.abs(filters).max() or 1.0
    return enlarge(np.rint(128 + 127 * filters / scale), FILTER_ZOOM)


PAGES = [("index.html", "3.py: the layers before and after"), ("4.html", "4.py: what each channel learned"),
         ("5.html", "5.py: your own digit")]
NAV_START = '<p class="nav">'  # the line of links between the pages


def write_page(file_name, summary, sections):
    """A static page in images/: the summary at the top, then per section its images, with captions.

    sections: [(heading, [file name or (file name, caption)])]; a bare name is its own caption. Small
    images are shown enlarged, pixels crisp. The pages of 3.py, 4.py and 5.py that exist link to each
    other: the others' lines of links are brought up to date too.
    """
    title = dict(PAGES)[file_name]
    parts = ["<!DOCTYPE html>", '<html lang="en">', '<head><meta charset="utf-8">',
             "<title>tf-cnn-image: %s</title>" % html.escape(title), "<style>",
             "body { font-family: sans-serif; margin: 2em; }",
             "figure { display: inline-block; margin: 0 1.5em 1.5em 0; vertical-align: top; }",
             "figcaption { font-family: monospace; font-size: 90%; max-width: 40em; }",
             "img { image-rendering: pixelated; border: 1px solid #ccc; }",
             "</style></head>", "<body>", "<h1>tf-cnn-image: %s</h1>" % html.escape(title),
             NAV_START, "<p>%s</p>" % html.escape(summary)]
    for heading, items in sections:
        parts.append("<h2>%s</h2>" % html.escape(heading))
        for item in items:
            name, caption = (item, item) if isinstance(item, str) else item
            with Image.open(os.path.join(IMAGES_DIR, name)) as image:
                width = image.width * max(1, 480 // image.width)
            parts.append('<figure><img src="{0}" width="{1}" alt="{0}"><figcaption>{2}</figcaption></figure>'
                         .format(html.escape(name), width, html.escape(caption)))
    parts += ["</body>", "</html>", ""]
    save_text(file_name, "\n".join(parts))
    # Link this page and the others that exist, from each of them.
    for page, _ in PAGES:
        if os.path.exists(os.path.join(IMAGES_DIR, page)):
            with open(os.path.join(IMAGES_DIR, page), encoding="utf-8") as f:
                lines = f.read().split("\n")
            links = ['<a href="{0}">{1}</a>'.format(name, html.escape(text)) for name, text in PAGES
                     if name != page and os.path.exists(os.path.join(IMAGES_DIR, name))]
            nav = NAV_START + ("See also: %s</p>" % ", ".join(links) if links else "</p>")
            lines = [nav if line.startswith(NAV_START) else line for line in lines]
            save_text(page, "\n".join(lines))


def save_text(file_name, text):
    def write(path):
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    save_atomically(file_name, write)


"""
各チャンネルが見ているもの (what each channel looks for: 4.py's sheets)
"""

ROW_ZOOM = 2  # 4.py's sheets draw every picture twice as large again, so a 5x5 patch is easy to see


def channel_rows(rows, titles):
    """A sheet with one row per channel: its number, then its pictures, each enlarged to about 28 px.

    rows: per channel, a list of 2-D images of 0..255 (a pattern, patches, a filter); titles: the
    columns' titles. Returns a 2-D uint8 array.
    """
    cells = [[enlarge(np.clip(image, 0, 255).astype(np.uint8), ROW_ZOOM * max(1, CHANNEL_SIZE // image.shape[0]))
              for image in row] for row in rows]
    widths = [max(row[k].shape[1] for row in cells) for k in range(len(cells[0]))]
    height = max(cell.shape[0] for row in cells for cell in row)
    xs = PAD + 32 + np.cumsum([0] + [w + 4 for w in widths])
    top = PAD + TITLE_HEIGHT + 4
    sheet = Image.new("L", (int(xs[-1] + PAD), top + len(rows) * (height + 4) + PAD), 255)
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=12)
    for x, title in zip(xs, titles):
        if title:
            draw.text((int(x), PAD), title, fill=0, font=font)
    for c, row in enumerate(cells):
        y = top + c * (height + 4)
        draw.text((PAD, y + height // 2 - 6), str(c), fill=0, font=font)
        for x, cell in zip(xs, row):
            sheet.paste(Image.fromarray(cell), (int(x), y))
    return np.asarray(sheet)


def heat_maps(maps, names, columns):
    """Labelled heat maps side by side, one per layer: rows channels, columns digits (or classes).

    maps: per layer, an array (channels, len(columns)) of values in 0..1, white = 1. Returns a 2-D
    uint8 array.
    """
    cell = 14
    font = ImageFont.load_default(size=11)
    width = 28 + cell * len(columns)
    height = max(len(m) for m in maps) * cell
    sheet = Image.new("L", (PAD + len(maps) * (width + 2 * PAD), PAD + 2 * TITLE_HEIGHT + height + PAD), 255)
    draw = ImageDraw.Draw(sheet)
    for k, (values, name) in enumerate(zip(maps, names)):
        x0 = PAD + k * (width + 2 * PAD)
        y0 = PAD + 2 * TITLE_HEIGHT
        draw.text((x0, PAD), name, fill=0, font=font)
        for j, column in enumerate(columns):
            draw.text((x0 + 28 + j * cell + 3, PAD + TITLE_HEIGHT), str(column), fill=0, font=font)
        for c in range(len(values)):
            draw.text((x0, y0 + c * cell + 1), "%2d" % c, fill=0, font=font)
        tile = enlarge(np.rint(255 * np.clip(values, 0, 1)).astype(np.uint8), cell)
        sheet.paste(Image.fromarray(tile), (x0 + 28, y0))
    return np.asarray(sheet)


"""
自分の数字を入れてみる (your own digit: 5.py's sheet)
"""

DIGIT_ZOOM = 6  # 5.py draws the 28x28 input and its maps 168x168


def heat_overlay(digit, heat):
    """A heat map in [0, 1] over a digit in [0, 1], both (28, 28), as an RGB uint8 array: black and
    the digit's gray where the heat is 0, through red to yellow where it is 1."""
    base = 0.6 * digit[..., None] * np.ones(3)
    hot = np.stack([np.clip(2 * heat, 0, 1), np.clip(2 * heat - 1, 0, 1), np.zeros_like(heat)], axis=-1)
    return np.rint(255 * np.clip(base * (1 - heat[..., None]) + hot * heat[..., None], 0, 1)).astype(np.uint8)


def probability_bars(probabilities, height):
    """The ten probabilities as labelled bars, the highest black, the others gray: an L image."""
    bar, gap = 12, 4
    image = Image.new("L", (10 * (bar + gap), height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=11)
    top = height - 14
    for d, p in enumerate(probabilities):
        x = d * (bar + gap)
        draw.rectangle([x, top - round(p * (top - 14)), x + bar - 1, top], fill=0 if d == np.argmax(probabilities) else 160)
        draw.text((x + 3, top + 1), str(d), fill=0, font=font)
        if p >= 0.01:
            draw.text((x, top - round(p * (top - 14)) - 12), "%d" % round(100 * p), fill=0, font=font)
    return image


def digit_sheet(title, original, digit, rows, note, layers):
    """5.py's sheet for one image: its title; the original, scaled down; per row (the trained network,
    then the untrained one) the input, the ten probabilities, the saliency map and Grad-CAM; a note;
    and below, the layers' comparison sheet (compare_sheet). Returns an RGB uint8 array.

    rows: [(label, probabilities, saliency, grad_cam)]; digit, saliency and grad_cam are (28, 28).
    """
    side = 28 * DIGIT_ZOOM
    font = ImageFont.load_default(size=12)
    shown = original.convert("RGB")
    zoom = max(1, side // max(shown.size))  # a small image (a MNIST digit) is enlarged, pixels crisp
    shown = shown.resize((shown.width * zoom, shown.height * zoom), Image.Resampling.NEAREST)
    shown.thumbnail((side, side))
    xs = PAD + np.cumsum([0, side + 2 * PAD, LABEL_WIDTH + PAD, side + PAD, 160 + PAD, side + PAD])
    top = PAD + 2 * TITLE_HEIGHT
    height = top + len(rows) * (side + TITLE_HEIGHT + PAD) + TITLE_HEIGHT + PAD
    sheet = Image.new("RGB", (int(max(xs[-1] + side, layers.shape[1])) + PAD, height + layers.shape[0]), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((PAD, PAD), title, fill="black", font=font)
    draw.text((int(xs[0]), top - TITLE_HEIGHT), "your image", fill="black", font=font)
    sheet.paste(shown, (int(xs[0]), top))
    for x, column in zip(xs[2:], ["input (28x28)", "probabilities (%)", "saliency |d logit/d x|", "Grad-CAM on h_conv2"]):
        draw.text((int(x), top - TITLE_HEIGHT), column, fill="black", font=font)
    gray = lambda image: Image.fromarray(enlarge(np.rint(255 * np.clip(image, 0, 1)).astype(np.uint8), DIGIT_ZOOM))
    for k, (label, probabilities, saliency, grad_cam) in enumerate(rows):
        y = top + k * (side + TITLE_HEIGHT + PAD)
        draw.text((int(xs[1]), y + side // 2 - 6), label, fill="black", font=font)
        sheet.paste(gray(digit), (int(xs[2]), y))
        sheet.paste(probability_bars(probabilities, side), (int(xs[3]), y))
        # White from the 99th percentile up, as SmoothGrad shows its maps: a few extreme pixels
        # would otherwise leave the rest black.
        sheet.paste(gray(saliency / max(np.percentile(saliency, 99), 1e-12)), (int(xs[4]), y))
        sheet.paste(Image.fromarray(enlarge(heat_overlay(digit, grad_cam).transpose(2, 0, 1), DIGIT_ZOOM)
                                    .transpose(1, 2, 0)), (int(xs[5]), y))
    draw.text((PAD, height - TITLE_HEIGHT - PAD), note, fill="black", font=font)
    sheet.paste(Image.fromarray(layers), (0, height))
    return np.asarray(sheet)


def save_atomically(file_name, save):
    """Write images/file_name by save(temporary path), then rename: no half-written file is ever left.

    The temporary name is this process's own, so that two scripts writing one file at once each
    rename a whole file of their own (the last one stays).
    """
    os.makedirs(IMAGES_DIR, exist_ok=True)
    path = os.path.join(IMAGES_DIR, file_name)
    fd, tmp = tempfile.mkstemp(prefix="." + file_name + ".", suffix=".tmp", dir=IMAGES_DIR)
    os.close(fd)
    try:
        save(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; an image is an ordinary file
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
