/** JSON over HTTP/1.1 with node:http, so the benchmark controls connection reuse. */
import http from 'node:http';

/** Keeps connections open between requests, as any real client would. */
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: Infinity });

export async function requestJson(
  url: string,
  options: { method?: string; token?: string; body?: unknown; headers?: Record<string, string>; agent?: http.Agent | false } = {},
): Promise<Record<string, string>> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
  const method = options.method ?? (payload ? 'POST' : 'GET');
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: options.agent ?? keepAlive }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 300) reject(new Error(`${method} ${new URL(url).pathname}: HTTP ${res.statusCode} ${text}`));
        else resolve(text && res.headers['content-type']?.includes('json') ? (JSON.parse(text) as Record<string, string>) : {});
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
