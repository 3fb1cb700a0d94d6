// Benchmark peer only, not part of graypipe: what a user might run instead, a sharp (libvips) server with
// graypipe's POST /process contract (raw image body or multipart field "image"; ?scale=0.5&format=jpeg&quality=85;
// answers a gray JPEG, PNG, WebP or AVIF scaled to max(1, floor(n·scale)) of the upright image). sharp's defaults
// otherwise: shrink-on-load, lanczos3 reduction, one libvips thread pool over all cores. WebP and AVIF use the
// effort graypipe's encoders use: libwebp's method 4 (WebPEncodeRGB's default, sharp's effort 4) and libaom's
// speed 8 (sharp's AVIF effort counts the other way: speed = 9 - effort, so effort 1).
// Usage: node server.js [port]   (port 0 picks a free one; prints "peer listening on http://127.0.0.1:PORT")
'use strict';
const http = require('http');
const sharp = require('sharp');

sharp.cache(false);

function imageFromBody(contentType, body) {
  const match = /multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType || '');
  if (!match) {
    return body;
  }
  const delimiter = Buffer.from('--' + match[1]);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) {
      break;
    }
    const part = body.subarray(start + delimiter.length, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0 && /name="image"/.test(part.subarray(0, headerEnd).toString('latin1'))) {
      return part.subarray(headerEnd + 4, part.length - 2); // the part ends with CRLF before the delimiter
    }
    start = next;
  }
  return null;
}

function fail(res, status, code, message) {
  res.writeHead(status, {'Content-Type': 'application/json'});
  res.end(JSON.stringify({error: {code, message}}));
}

async function scaleImage(url, image) {
  const scale = Number(url.searchParams.get('scale') || '0.5');
  const format = url.searchParams.get('format') || 'jpeg';
  const quality = Number(url.searchParams.get('quality') || '85');
  const meta = await sharp(image).metadata();
  const swap = (meta.orientation || 1) >= 5;
  const width = swap ? meta.height : meta.width;
  const height = swap ? meta.width : meta.height;
  const target = (n) => Math.max(1, Math.min(n, Math.floor(n * scale + 1e-9)));
  let pipeline = sharp(image).rotate().grayscale().resize(target(width), target(height), {fit: 'fill'})
      .toColourspace('b-w');
  if (format === 'png') {
    pipeline = pipeline.png();
  } else if (format === 'webp') {
    pipeline = pipeline.webp({quality, effort: 4});
  } else if (format === 'avif') {
    pipeline = pipeline.avif({quality, effort: 1});
  } else {
    pipeline = pipeline.jpeg({quality});
  }
  return pipeline.toBuffer();
}

const MEDIA_TYPES = {png: 'image/png', webp: 'image/webp', avif: 'image/avif'};

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (req.method !== 'POST' || url.pathname !== '/process') {
    fail(res, 404, 'not_found', 'POST /process only');
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const image = imageFromBody(req.headers['content-type'], Buffer.concat(chunks));
    if (!image || image.length === 0) {
      fail(res, 400, 'empty_image', 'send the image as the body or as multipart field "image"');
      return;
    }
    scaleImage(url, image).then((out) => {
      res.writeHead(200, {'Content-Type': MEDIA_TYPES[url.searchParams.get('format')] || 'image/jpeg'});
      res.end(out);
    }, (error) => fail(res, 422, 'undecodable_image', String(error.message || error)));
  });
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[2] || '0'), '127.0.0.1', () => {
  console.log(`peer listening on http://127.0.0.1:${server.address().port}`);
});
