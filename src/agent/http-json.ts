// One JSON request over http(s) with node's own client: the agent's calls to the Ironic API (lookup,
// heartbeat, inspection). node:https rather than fetch because TLS verification must follow the kernel
// command line (`ipa-insecure`, an extra CA) per request, which fetch cannot do without undici's dispatcher.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface TlsSettings {
  /** Skip verification of the server's certificate (`ipa-insecure=1`). */
  readonly insecure?: boolean;
  /** PEM bundle trusted in addition to the system's roots. */
  readonly ca?: string;
}

export interface JsonResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON, or the raw text when the body is not JSON (null when empty). */
  readonly body: unknown;
}

export function requestJson(method: string, url: string, opts: {
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly tls?: TlsSettings;
  readonly timeoutMs?: number;
} = {}): Promise<JsonResponse> {
  const u = new URL(url);
  const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (payload) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(payload.length);
  }
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(u, {
      method, headers, timeout: opts.timeoutMs ?? 60_000,
      ...(u.protocol === 'https:' ? { rejectUnauthorized: !opts.tls?.insecure, ...(opts.tls?.ca ? { ca: opts.tls.ca } : {}) } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text === '' ? null : text;
        try {
          if (text !== '') body = JSON.parse(text);
        } catch {
          // Not JSON: keep the text for the error message.
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${u.origin}${u.pathname} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Ironic's error text from a response: `faultstring` inside `error_message` (a JSON string), else the body. */
export function errorText(res: JsonResponse): string {
  let b = res.body;
  if (b && typeof b === 'object' && 'error_message' in b) {
    b = (b as { error_message: unknown }).error_message;
    if (typeof b === 'string') {
      try {
        b = JSON.parse(b);
      } catch {
        return `Error ${res.status}: ${b}`;
      }
    }
  }
  const fault = b && typeof b === 'object' ? (b as Record<string, unknown>).faultstring : undefined;
  return `Error ${res.status}: ${typeof fault === 'string' ? fault : typeof b === 'string' ? b : JSON.stringify(b)}`;
}
