"""Applies Pillow operations to raw pixels, for FiltersAgainstPillowTest.

Reads one job a line from stdin, "MODE WIDTH HEIGHT IN OUT OP [ARG]": MODE is a Pillow mode (L or RGB), IN and
OUT are raw interleaved pixel files. Answers each job with a line "ok" once OUT is written, or "error: ..." so
one Python start serves every comparison of a test run.
"""
import sys

from PIL import Image, ImageEnhance, ImageFilter, ImageOps


def apply(image, op, arg):
    if op == "invert":
        return ImageOps.invert(image)
    if op == "brightness":
        return ImageEnhance.Brightness(image).enhance(float(arg))
    if op == "contrast":
        return ImageEnhance.Contrast(image).enhance(float(arg))
    if op == "blur":
        return image.filter(ImageFilter.GaussianBlur(float(arg)))
    if op == "edges":
        return image.filter(ImageFilter.FIND_EDGES)
    if op == "emboss":
        return image.filter(ImageFilter.EMBOSS)
    if op == "posterize":
        return ImageOps.posterize(image, int(arg))
    raise ValueError("unknown op " + op)


for line in sys.stdin:
    try:
        mode, width, height, source, target, op, *rest = line.split()
        with open(source, "rb") as f:
            image = Image.frombytes(mode, (int(width), int(height)), f.read())
        result = apply(image, op, rest[0] if rest else None)
        with open(target, "wb") as f:
            f.write(result.tobytes())
        print("ok", flush=True)
    except Exception as e:  # report and go on: the test fails with this message
        print("error: " + repr(e), flush=True)
