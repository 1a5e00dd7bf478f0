// The throughput reference: a worker that only writes each PUT body to R2 (with the same SHA-256
// check the relay asks R2 for), so the benchmark can compare the relay against R2 itself behind
// the same `wrangler dev`. POST /digest streams every object through SHA-256 (what the relay's
// verification does to R2); POST /heads reads the first 16 KiB of each; POST /stow sends stored
// files to a PACS with STOW-RS, the plainest way (the forwarding floor in this runtime); DELETE /
// empties the bucket. Not part of the app.
/* global FixedLengthStream -- a Workers runtime global */
export default {
  async fetch(request, env) {
    const key = decodeURIComponent(new URL(request.url).pathname.slice(1));
    if (request.method === "PUT" && key) {
      const sha256 = request.headers.get("x-chunk-sha256");
      await env.BUCKET.put(key, request.body, sha256 ? { sha256 } : undefined);
      return Response.json({ stored: true }, { status: 201 });
    }
    if (request.method === "POST" && key === "digest") {
      let objects = 0;
      let cursor;
      do {
        const page = await env.BUCKET.list({ limit: 1000, cursor });
        for (const { key: name } of page.objects) {
          const object = await env.BUCKET.get(name);
          const digest = new crypto.DigestStream("SHA-256");
          await object.body.pipeTo(digest);
          await digest.digest;
          objects++;
        }
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return Response.json({ objects });
    }
    if (request.method === "POST" && key === "heads") {
      // The first 16 KiB of each listed object, four at a time: the R2 reads of the relay's
      // header check at complete (its one-chunk files skip the re-hash).
      const page = await env.BUCKET.list({ limit: 1000 });
      const names = page.objects.map((o) => o.key);
      let next = 0;
      const lane = async () => {
        for (let i = next++; i < names.length; i = next++) {
          const object = await env.BUCKET.get(names[i], { range: { offset: 0, length: 16384 } });
          await object.arrayBuffer();
        }
      };
      await Promise.all([lane(), lane(), lane(), lane()]);
      return Response.json({ objects: names.length });
    }
    if (request.method === "POST" && key === "stow") {
      const { url, authorization, batches } = await request.json();
      let status = 200;
      for (const files of batches)
        status = Math.max(status, await stow(env, url, authorization, files));
      return Response.json({ status });
    }
    if (request.method === "DELETE") {
      let deleted = 0;
      let page;
      do {
        page = await env.BUCKET.list({ limit: 1000 });
        const keys = page.objects.map((o) => o.key);
        if (keys.length) await env.BUCKET.delete(keys);
        deleted += keys.length;
      } while (page.truncated);
      return Response.json({ deleted });
    }
    return new Response("ok");
  },
};

/** One multipart/related request; each file is its objects' bodies in order. */
async function stow(env, url, authorization, files) {
  const encoder = new TextEncoder();
  const boundary = `reference-${crypto.randomUUID()}`;
  const head = encoder.encode(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
  const crlf = encoder.encode("\r\n");
  const closing = encoder.encode(`--${boundary}--\r\n`);
  const length = files.reduce((n, f) => n + head.length + f.size + crlf.length, closing.length);
  const { readable, writable } = new FixedLengthStream(length);
  const pump = (async () => {
    const writer = writable.getWriter();
    for (const file of files) {
      await writer.write(head);
      for (const key of file.keys) {
        const object = await env.BUCKET.get(key);
        for await (const piece of object.body) await writer.write(piece);
      }
      await writer.write(crlf);
    }
    await writer.write(closing);
    await writer.close();
  })();
  const response = await fetch(`${url}/studies`, {
    method: "POST",
    headers: {
      authorization,
      accept: "application/dicom+json",
      "content-type": `multipart/related; type="application/dicom"; boundary=${boundary}`,
    },
    body: readable,
  });
  await response.text();
  await pump;
  return response.status;
}
