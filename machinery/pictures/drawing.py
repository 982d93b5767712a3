# -*- coding: utf-8 -*-
"""The pictures the scripts compose from the article's tiles (tools.save_image's layout): 3.py's
comparison sheets, filter tiles and timelines, 4.py's channel rows and heat maps, 5.py's sheet.

Each function returns an array (2-D uint8, or RGB) that save_sheet writes, or writes a file itself.
"""

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from tools import save_atomically, tile_images


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


def class_label(classes, label):
    """A class's name as the sheets write it: the name where their font (Pillow's, Latin) has its letters,
    else "class N" (a Japanese name stays on the pages, whose captions say it)."""
    name = classes[label]
    return name if all(" " <= c <= "\u024f" for c in name) else "class %d" % label


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


def kernel_colours(kernel, scale):
    """A kernel (k, k) as RGB: red where positive, blue where negative, white at zero, full at +-scale."""
    v = np.clip(kernel / (scale or 1.0), -1, 1)[..., None]
    red, blue = np.array([215, 48, 39]), np.array([49, 54, 149])
    return np.rint(255 + np.where(v > 0, v * (red - 255), -v * (blue - 255))).astype(np.uint8)


def circuit_rows(patterns, inputs, W, order, shares, exciting=4, inhibiting=2):
    """4.py's circuits sheet: per h_conv2 channel j, its pattern, then its most exciting and most
    inhibiting h_pool1 inputs i, each as h_conv1 channel i's pattern beside the kernel W[:, :, i, j]
    (one colour scale per row) over its share of the channel's positive input. Returns RGB uint8.

    patterns (J, s, s) and inputs (I, t, t) in [0, 1]; order and shares (J, I), as circuits.ranked_inputs.
    """
    k = W.shape[0]  # the kernels' side (the article's 5), each drawn 40 pixels a side as the inputs' patterns
    zoom, big = max(1, 40 // k), ROW_ZOOM * 2
    font = ImageFont.load_default(size=11)
    side, cell = patterns.shape[1] * big, 2 * k * zoom + 2
    height = max(side, k * zoom + 14)
    x0 = PAD + 28 + side + 3 * PAD
    xs = [x0 + k * (cell + PAD) + (2 * PAD if k >= exciting else 0) for k in range(exciting + inhibiting)]
    top = PAD + TITLE_HEIGHT + 4
    sheet = Image.new("RGB", (xs[-1] + cell + PAD, top + len(patterns) * (height + 6) + PAD), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((PAD + 28, PAD), "pattern", fill="black", font=font)
    draw.text((x0, PAD), "most exciting h_pool1 inputs: h_conv1 pattern, kernel, share", fill="black", font=font)
    draw.text((xs[exciting], PAD), "most inhibiting", fill="black", font=font)
    gray = lambda image, factor: Image.fromarray(enlarge(np.rint(255 * np.clip(image, 0, 1)).astype(np.uint8), factor))
    for j, pattern in enumerate(patterns):
        y = top + j * (height + 6)
        draw.text((PAD, y + side // 2 - 6), str(j), fill="black", font=font)
        sheet.paste(gray(pattern, big), (PAD + 28, y))
        shown = list(order[j, :exciting]) + list(order[j, ::-1][:inhibiting][::-1])
        scale = max(np.abs(W[:, :, i, j]).max() for i in shown)
        for x, i in zip(xs, shown):
            sheet.paste(gray(inputs[i], max(1, zoom * k // inputs.shape[1])), (x, y))
            kernel = Image.fromarray(enlarge(kernel_colours(W[:, :, i, j], scale).transpose(2, 0, 1), zoom).transpose(1, 2, 0))
            sheet.paste(kernel, (x + k * zoom + 2, y))
            draw.rectangle([x + k * zoom + 1, y - 1, x + cell, y + k * zoom], outline=(160, 160, 160))  # zero is white
            share = shares[j, list(order[j]).index(i)]
            draw.text((x, y + k * zoom + 1), "#%d %+.0f%%" % (i, 100 * share), fill="black", font=font)
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
    """The probabilities (ten for MNIST's digits) as bars labelled 0, 1, ..., the highest black, the
    others gray: an L image."""
    bar, gap = 12, 4
    image = Image.new("L", (len(probabilities) * (bar + gap), height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=11)
    top = height - 14
    for d, p in enumerate(probabilities):
        x = d * (bar + gap)
        draw.rectangle([x, top - round(p * (top - 14)), x + bar - 1, top], fill=0 if d == np.argmax(probabilities) else 160)
        draw.text((x + 3, top + 1), str(d), fill=0, font=font)
        if p >= 0.01:  # the percentage over its bar, inside the image (100 over the 9 is wider than a bar)
            label = "%d" % round(100 * p)
            left = min(x + (bar - draw.textlength(label, font=font)) / 2, image.width - draw.textlength(label, font=font))
            draw.text((left, top - round(p * (top - 14)) - 12), label, fill=0, font=font)
    return image


def digit_sheet(title, original, digit, rows, note, layers):
    """5.py's sheet for one image: its title; the original, scaled down; per row (the trained network,
    then the untrained one) the input, the ten probabilities, the saliency map and HiResCAM on h_pool1
    and on h_conv2; a note; and below, the layers' comparison sheet (compare_sheet). Returns an RGB
    uint8 array.

    rows: [(label, probabilities, saliency, strokes, places)]; digit and the three maps are (28, 28).
    """
    side = 28 * DIGIT_ZOOM
    font = ImageFont.load_default(size=12)
    shown = original.convert("RGB")
    zoom = max(1, side // max(shown.size))  # a small image (a MNIST digit) is enlarged, pixels crisp
    shown = shown.resize((shown.width * zoom, shown.height * zoom), Image.Resampling.NEAREST)
    shown.thumbnail((side, side))
    xs = PAD + np.cumsum([0, side + 2 * PAD, LABEL_WIDTH + PAD, side + PAD, 160 + PAD, side + PAD, side + PAD])
    top = PAD + 2 * TITLE_HEIGHT
    lines = note.count("\n") + 1
    height = top + len(rows) * (side + TITLE_HEIGHT + PAD) + lines * TITLE_HEIGHT + PAD
    sheet = Image.new("RGB", (int(max(xs[-1] + side, layers.shape[1])) + PAD, height + layers.shape[0]), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((PAD, PAD), title, fill="black", font=font)
    draw.text((int(xs[0]), top - TITLE_HEIGHT), "your image", fill="black", font=font)
    sheet.paste(shown, (int(xs[0]), top))
    for x, column in zip(xs[2:], ["input (28x28)", "probabilities (%)", "saliency |d logit/d x|",
                                  "HiResCAM on h_pool1", "HiResCAM on h_conv2"]):
        draw.text((int(x), top - TITLE_HEIGHT), column, fill="black", font=font)
    gray = lambda image: Image.fromarray(enlarge(np.rint(255 * np.clip(image, 0, 1)).astype(np.uint8), DIGIT_ZOOM))
    for k, (label, probabilities, saliency, *cams) in enumerate(rows):
        y = top + k * (side + TITLE_HEIGHT + PAD)
        draw.text((int(xs[1]), y + side // 2 - 6), label, fill="black", font=font)
        sheet.paste(gray(digit), (int(xs[2]), y))
        sheet.paste(probability_bars(probabilities, side), (int(xs[3]), y))
        # White from the 99th percentile up, as SmoothGrad shows its maps: a few extreme pixels
        # would otherwise leave the rest black.
        sheet.paste(gray(saliency / max(np.percentile(saliency, 99), 1e-12)), (int(xs[4]), y))
        for x, cam in zip(xs[5:], cams):
            sheet.paste(Image.fromarray(enlarge(heat_overlay(digit, cam).transpose(2, 0, 1), DIGIT_ZOOM)
                                        .transpose(1, 2, 0)), (int(x), y))
    draw.multiline_text((PAD, height - lines * TITLE_HEIGHT - PAD), note, fill="black", font=font, spacing=4)
    sheet.paste(Image.fromarray(layers), (0, height))
    return np.asarray(sheet)
