# Makes the InfoEndpointTest's images with Pillow, in the directory given: one per case /info must read.
import sys
from PIL import Image, ImageCms

out = sys.argv[1]


def photo(size):
    w, h = size
    r = Image.linear_gradient("L").resize(size)
    g = Image.radial_gradient("L").resize(size)
    b = Image.linear_gradient("L").rotate(90).resize(size)
    return Image.merge("RGB", (r, g, b))


rgb = photo((120, 80))
rgb.save(f"{out}/camera.jpg", quality=90)
rgb.save(f"{out}/orient3.jpg", quality=90)
rgb.save(f"{out}/orient8.jpg", quality=90)
rgb.save(f"{out}/rgb.png")
rgb.rotate(180).save(f"{out}/frame2.png")
Image.new("L", (8000, 6250), 128).save(f"{out}/50mp.jpg", quality=50)
rgb.convert("L").resize((90, 60)).save(f"{out}/gray.jpg")
rgb.convert("CMYK").save(f"{out}/cmyk.jpg")
srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
rgb.save(f"{out}/icc.jpg", icc_profile=srgb)
alpha = rgb.convert("RGBA")
alpha.putalpha(Image.linear_gradient("L").resize(rgb.size))
alpha.save(f"{out}/alpha.png")
Image.linear_gradient("L").resize((64, 40)).convert("I").point(lambda v: v * 256).convert("I;16").save(f"{out}/gray16.png")
palette = rgb.convert("P", palette=Image.ADAPTIVE, colors=16)
palette.save(f"{out}/palette.png", transparency=0)
rgb.save(f"{out}/orient6.png")
frames = [rgb.convert("P"), rgb.rotate(180).convert("P"), rgb.transpose(Image.FLIP_LEFT_RIGHT).convert("P")]
frames[0].save(f"{out}/anim.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
