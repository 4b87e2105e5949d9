import http from 'node:http';

export interface JsonResponse {
  status: number;
  body: any;
}

/**
 * JSON over HTTP to the service on loopback, through one keep-alive agent of `maxSockets` connections (1 when a
 * benchmark times requests one after another, so no connection set-up is measured).
 */
export function jsonClient(maxSockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });

  function request(
    port: number,
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<JsonResponse> {
    return new Promise((resolve, reject) => {
      const raw = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          agent,
          headers: {
            ...(raw === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(raw) }),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.once('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              // not JSON: kept as text for the error message
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.once('error', reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: timeout`)));
      req.once('error', reject);
      req.end(raw);
    });
  }

  async function expectOk(port: number, method: string, path: string, token: string | null, body?: unknown): Promise<any> {
    const res = await request(port, method, path, token, body);
    if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  return { agent, request, expectOk };
}
