// An in-memory stand-in for the bare metal API, injected into the CLI as its fetch: scripted
// responses per request, and a log of what the CLI sent.

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export interface FakeResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export type Handler = (req: RecordedRequest) => FakeResponse | undefined;

export const VERSION_HEADERS = {
  'x-openstack-ironic-api-minimum-version': '1.1',
  'x-openstack-ironic-api-maximum-version': '1.82',
};

/** Ironic's error body: `error_message` is a JSON string. */
export function ironicError(status: number, faultstring: string): FakeResponse {
  return {
    status,
    body: { error_message: JSON.stringify({ faultcode: status < 500 ? 'Client' : 'Server', faultstring, debuginfo: null }) },
  };
}

export class FakeApi {
  readonly requests: RecordedRequest[] = [];
  readonly #handlers: Handler[] = [];

  /** Adds a handler; the first one returning a response wins. */
  on(method: string, path: string | RegExp, respond: FakeResponse | ((req: RecordedRequest) => FakeResponse)): this {
    this.#handlers.push((req) => {
      const match = typeof path === 'string' ? req.path === path : path.test(req.path);
      if (req.method !== method || !match) return undefined;
      return typeof respond === 'function' ? respond(req) : respond;
    });
    return this;
  }

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const raw = init?.body;
    const req: RecordedRequest = {
      method: init?.method ?? 'GET',
      url: url.toString(),
      path: url.pathname + url.search,
      headers,
      body: typeof raw === 'string' ? JSON.parse(raw) : undefined,
    };
    this.requests.push(req);
    for (const handler of this.#handlers) {
      const res = handler(req);
      if (!res) continue;
      const hasBody = res.body !== undefined;
      return new Response(hasBody ? JSON.stringify(res.body) : null, {
        status: res.status,
        headers: { ...VERSION_HEADERS, ...(hasBody ? { 'content-type': 'application/json' } : {}), ...res.headers },
      });
    }
    return new Response(JSON.stringify(ironicError(404, 'The resource could not be found.').body), {
      status: 404,
      headers: { ...VERSION_HEADERS, 'content-type': 'application/json' },
    });
  };
}

/** A fetch that fails like an unreachable server does in Node. */
export function refusedFetch(): typeof fetch {
  return async () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6399'), { code: 'ECONNREFUSED' });
    throw new TypeError('fetch failed', { cause });
  };
}
