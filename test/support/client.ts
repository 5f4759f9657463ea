/** A small HTTP client that keeps its session cookie, like a browser tab would. */
export class Client {
  private cookie = '';
  /** The session cookie header, for clients this one does not cover (tus). */
  get cookieHeader(): string {
    return this.cookie;
  }
  readonly baseUrl: string;
  readonly label: string;
  constructor(baseUrl: string, label = 'anonymous') {
    this.baseUrl = baseUrl;
    this.label = label;
  }

  /** The same browser session sent to another address: another instance behind one load balancer. */
  at(baseUrl: string): Client {
    const other = new Client(baseUrl, this.label);
    other.cookie = this.cookie;
    return other;
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.baseUrl}${path}`, init);
    const setCookie = res.headers.getSetCookie();
    for (const c of setCookie) {
      const [pair] = c.split(';');
      if (pair?.startsWith('consilium_session=')) this.cookie = pair.endsWith('=') ? '' : pair;
    }
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, body: json, text, setCookie };
  }

  get(path: string) {
    return this.request('GET', path);
  }
  post(path: string, body: unknown = {}) {
    return this.request('POST', path, body);
  }
  put(path: string, body: unknown) {
    return this.request('PUT', path, body);
  }
  patch(path: string, body: unknown) {
    return this.request('PATCH', path, body);
  }
  delete(path: string) {
    return this.request('DELETE', path);
  }
}
