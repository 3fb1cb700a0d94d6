"""Applies one Pillow operation to raw pixels, for FiltersAgainstPillowTest.

Usage: pillow_reference.py MODE WIDTH HEIGHT IN OUT OP [ARG]
MODE is a Pillow mode (L or RGB); IN and OUT are raw interleaved pixel files.
"""
import sys

from PIL import Image, ImageEnhance, ImageFilter, ImageOps

mode, width, height, source, target, op = sys.argv[1:7]
arg = sys.argv[7] if len(sys.argv) > 7 else None
with open(source, "rb") as f:
    image = Image.frombytes(mode, (int(width), int(height)), f.read())

if op == "invert":
    result = ImageOps.invert(image)
elif op == "brightness":
    result = ImageEnhance.Brightness(image).enhance(float(arg))
elif op == "contrast":
    result = ImageEnhance.Contrast(image).enhance(float(arg))
elif op == "blur":
    result = image.filter(ImageFilter.GaussianBlur(float(arg)))
elif op == "edges":
    result = image.filter(ImageFilter.FIND_EDGES)
elif op == "emboss":
    result = image.filter(ImageFilter.EMBOSS)
elif op == "posterize":
    result = ImageOps.posterize(image, int(arg))
else:
    sys.exit("unknown op " + op)

with open(target, "wb") as f:
    f.write(result.tobytes())
