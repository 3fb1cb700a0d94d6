#!/usr/bin/python3
"""Benchmark peer only, not part of graypipe: a well-made aiohttp + Pillow service with graypipe's POST /process
contract (raw image body or multipart field "image"; ?scale=0.5&format=jpeg&quality=85; answers a gray JPEG or PNG
scaled to max(1, floor(n*scale)) of the upright image).

"Well-made": the event loop only does I/O; decoding, scaling and encoding run on a thread pool with one thread per
core (Pillow releases the GIL in its codecs and resampling); JPEGs are decoded with Image.draft, Pillow's
shrink-on-load through libjpeg's DCT scaling, and finished with a box (area-average) filter.

Usage: /usr/bin/python3 pillow_server.py [port]   (Debian's python3-aiohttp and python3-pil; port 0 picks one)
"""
import asyncio
import io
import math
import os
import sys
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web
from PIL import Image, ImageOps

POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)


def target(n, scale):
    return max(1, min(n, math.floor(n * scale + 1e-9)))


def convert(data, scale, fmt, quality):
    image = Image.open(io.BytesIO(data))
    orientation = image.getexif().get(0x0112, 1)
    swap = orientation in (5, 6, 7, 8)
    stored_w, stored_h = image.size
    upright_w, upright_h = (stored_h, stored_w) if swap else (stored_w, stored_h)
    out_w, out_h = target(upright_w, scale), target(upright_h, scale)
    if image.format == "JPEG":
        image.draft("L", (out_h, out_w) if swap else (out_w, out_h))
    image = ImageOps.exif_transpose(image).convert("L")
    if image.size != (out_w, out_h):
        image = image.resize((out_w, out_h), Image.Resampling.BOX)
    out = io.BytesIO()
    if fmt == "png":
        image.save(out, "PNG")
    else:
        image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def error(status, code, message):
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


async def process(request):
    try:
        scale = float(request.query.get("scale", "0.5"))
        quality = int(request.query.get("quality", "85"))
    except ValueError:
        return error(400, "bad_parameter", "scale and quality must be numbers")
    fmt = request.query.get("format", "jpeg")
    if request.content_type.startswith("multipart/"):
        data = b""
        reader = await request.multipart()
        async for part in reader:
            if part.name == "image":
                data = await part.read()
    else:
        data = await request.read()
    if not data:
        return error(400, "empty_image", 'send the image as the body or as multipart field "image"')
    try:
        body = await asyncio.get_running_loop().run_in_executor(POOL, convert, data, scale, fmt, quality)
    except Exception as e:  # noqa: BLE001 - a benchmark peer answers every bad image with 422
        return error(422, "undecodable_image", str(e))
    return web.Response(body=body, content_type="image/png" if fmt == "png" else "image/jpeg")


async def main(port):
    app = web.Application(client_max_size=64 << 20)
    app.router.add_post("/process", process)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]
    print(f"peer listening on http://127.0.0.1:{bound}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
