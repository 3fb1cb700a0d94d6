# What Pillow says of each file given: size, mode, frames, animation, ICC profile, transparency, EXIF orientation.
import json
import sys
from PIL import Image

answer = {}
for path in sys.argv[1:]:
    try:
        with Image.open(path) as im:
            answer[path] = {
                "width": im.size[0], "height": im.size[1], "mode": im.mode,
                "frames": getattr(im, "n_frames", 1), "animated": bool(getattr(im, "is_animated", False)),
                "icc": bool(im.info.get("icc_profile")), "transparency": "transparency" in im.info,
                "orientation": im.getexif().get(0x0112, 1),
            }
    except Exception as e:  # Pillow without a plugin for the format (AVIF): exiftool is the reference there
        answer[path] = None
print(json.dumps(answer))
