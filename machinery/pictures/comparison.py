# -*- coding: utf-8 -*-
"""7.py's pictures of two runs side by side: CKA as heat maps with their numbers, the matched channels'
patterns and top patches in pairs, and each layer's settling as lines. Each returns an RGB array that
drawing.save_sheet writes."""

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from machinery.pictures.drawing import PAD, enlarge

LINES = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189)]  # a colour a layer
POOR = 0.5  # a pair correlated under this has no good partner: each run learned it on its own


def font(size=12):
    return ImageFont.load_default(size=size)


def cka_sheet(matrices, titles, names_a, names_b):
    """Heat maps of CKA matrices side by side (rows: run A's layers, columns: run B's), white 0 to dark
    blue 1, each cell with its value. Returns RGB uint8."""
    cell, label = 56, 64
    size = label + cell * len(names_b)
    sheet = Image.new("RGB", (PAD + len(matrices) * (size + 3 * PAD), PAD + 44 + label + cell * len(names_a) + PAD), "white")
    draw = ImageDraw.Draw(sheet)
    for k, (matrix, title) in enumerate(zip(matrices, titles)):
        x0 = PAD + k * (size + 3 * PAD)
        draw.text((x0, PAD), title, fill="black", font=font(13))
        top = PAD + 44 + label
        for j, name in enumerate(names_b):
            draw.text((x0 + label + j * cell + 4, top - 18), name, fill="black", font=font(11))
        draw.text((x0 + label, top - 36), "run B", fill="black", font=font(11))
        for i, name in enumerate(names_a):
            draw.text((x0, top + i * cell + cell // 2 - 7), name, fill="black", font=font(11))
            for j in range(len(names_b)):
                v = float(np.clip(matrix[i][j], 0, 1))
                colour = tuple(int(round(255 + v * (c - 255))) for c in (8, 48, 107))
                box = [x0 + label + j * cell, top + i * cell, x0 + label + (j + 1) * cell - 2, top + (i + 1) * cell - 2]
                draw.rectangle(box, fill=colour)
                draw.text((box[0] + 12, box[1] + cell // 2 - 8), "%.2f" % matrix[i][j], fill="white" if v > 0.55 else "black",
                          font=font(13))
        draw.text((x0, top - 36), "run A", fill="black", font=font(11))
    return np.asarray(sheet)


def pairs_sheet(pairs, a, b, patches=3):
    """The matched channels, a row a pair, largest r first: run A's channel (number, pattern, its first
    top patches), run B's partner likewise, and r; a pair under POOR marked, as each run's own. a and b:
    (patterns (C, s, s), top patches (C, 9, s, s)), in [0, 1]. Returns RGB uint8."""
    zoom = max(1, 40 // a[0].shape[1])
    side = a[0].shape[1] * zoom
    half = 40 + (side + 4) * (1 + patches) + 2 * PAD
    height = side + 6
    sheet = Image.new("RGB", (PAD + 2 * half + 90, PAD + 22 + len(pairs) * height + PAD), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((PAD, PAD), "run A: pattern, top patches", fill="black", font=font())
    draw.text((PAD + half, PAD), "run B: its partner", fill="black", font=font())
    draw.text((PAD + 2 * half, PAD), "r", fill="black", font=font())
    gray = lambda image: Image.fromarray(enlarge(np.rint(255 * np.clip(image, 0, 1)).astype(np.uint8), zoom))
    for k, (i, j, r) in enumerate(pairs):
        y = PAD + 22 + k * height
        if r < POOR:
            draw.rectangle([PAD // 2, y - 2, PAD + 2 * half + 84, y + height - 4], fill=(255, 236, 200))
        for x0, channel, (patterns, top) in ((PAD, i, a), (PAD + half, j, b)):
            draw.text((x0, y + side // 2 - 7), "#%d" % channel, fill="black", font=font())
            pictures = [patterns[channel]] + list(top[channel][:patches])
            for n, picture in enumerate(pictures):
                sheet.paste(gray(picture), (x0 + 40 + n * (side + 4), y))
        draw.text((PAD + 2 * half, y + side // 2 - 7), "%.2f" % r + ("  own" if r < POOR else ""), fill="black", font=font())
    return np.asarray(sheet)


def settling_chart(runs, names):
    """Per run, a chart of each layer's CKA against its own last step at every snapshot step (x: the
    snapshot steps, evenly spaced; y: from the tenth under the lowest value to 1, the same for both), a
    coloured line a layer. runs: [(title, steps, values (len(steps), len(names)))]. Returns RGB uint8."""
    width, height, left, bottom = 420, 260, 44, 40
    low = min(0.9, np.floor(10 * min(float(np.min(values)) for _, _, values in runs)) / 10)
    sheet = Image.new("RGB", (PAD + len(runs) * (width + 2 * PAD), PAD + 24 + height + bottom + 24 + PAD), "white")
    draw = ImageDraw.Draw(sheet)
    for k, (title, steps, values) in enumerate(runs):
        x0, y0 = PAD + k * (width + 2 * PAD), PAD + 24
        draw.text((x0, PAD), title, fill="black", font=font(13))
        plot_w = width - left - 8
        xs = [x0 + left + (plot_w * n / max(len(steps) - 1, 1)) for n in range(len(steps))]
        y_of = lambda v: y0 + height - height * (float(np.clip(v, low, 1)) - low) / (1 - low)
        for v in np.linspace(low, 1, 5):
            draw.line([x0 + left, y_of(v), x0 + left + plot_w, y_of(v)], fill=(225, 225, 225))
            draw.text((x0, y_of(v) - 7), "%.2f" % v, fill="black", font=font(11))
        for n, step in enumerate(steps):
            draw.text((xs[n] - 12, y0 + height + 6), format(step, ","), fill="black", font=font(10))
        draw.text((x0 + left, y0 + height + 22), "snapshot step (CKA against the last step)", fill="black", font=font(11))
        for layer, colour in zip(range(len(names)), LINES):
            points = [(xs[n], y_of(values[n][layer])) for n in range(len(steps))]
            draw.line(points, fill=colour, width=2)
            for point in points:
                draw.ellipse([point[0] - 3, point[1] - 3, point[0] + 3, point[1] + 3], fill=colour)
    # the legend, under the charts
    y = PAD + 24 + height + bottom
    for n, (name, colour) in enumerate(zip(names, LINES)):
        draw.line([PAD + n * 90, y + 8, PAD + n * 90 + 20, y + 8], fill=colour, width=3)
        draw.text((PAD + n * 90 + 24, y + 1), name, fill="black", font=font(11))
    return np.asarray(sheet)
