import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './private-services';

export interface OidcAccount {
  email: string;
  emailVerified?: boolean;
}

/** A real OpenID Connect provider on a loopback port, in its own process (see oidc-provider.mjs for why). */
export class LocalOidcProvider {
  private child?: ChildProcess;
  private output = '';
  issuer = '';

  constructor(
    private readonly options: { clientId: string; clientSecret: string; redirectUri: string; accounts: Record<string, OidcAccount> },
  ) {}

  async start(): Promise<void> {
    const port = await freePort();
    this.issuer = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [join(__dirname, 'oidc-provider.mjs'), JSON.stringify({ port, ...this.options })], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the OIDC provider did not start: ${this.output}`)), 15000);
      child.stdout.on('data', (chunk: Buffer) => {
        this.output += chunk.toString();
        if (this.output.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the OIDC provider exited (${code}): ${this.output}`));
      });
    });
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child!.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/**
 * A browser, as far as a sign-in needs one: it follows redirects, keeps cookies (by host and path, as browsers
 * do, whatever the port), and submits the first form of an HTML page.
 */
export class CookieBrowser {
  private readonly jar = new Map<string, { value: string; host: string; path: string }>();

  async get(url: string): Promise<{ status: number; url: string; body: string; json: () => any }> {
    return this.follow(url, { method: 'GET' });
  }

  /** Fills the page's first form with `fields` (hidden inputs kept) and submits it. */
  async submitForm(page: { url: string; body: string }, fields: Record<string, string>) {
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.body);
    if (!form) throw new Error(`no form on ${page.url}: ${page.body.slice(0, 500)}`);
    const values = new URLSearchParams();
    for (const input of form[2].matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/gi))
      values.set(input[1], input[2]);
    for (const [name, value] of Object.entries(fields)) values.set(name, value);
    return this.follow(new URL(form[1].replace(/&amp;/g, '&'), page.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: values.toString(),
    });
  }

  cookie(name: string): string | undefined {
    return [...this.jar.entries()].find(([key]) => key.endsWith(`|${name}`))?.[1].value;
  }

  private async follow(url: string, init: { method: string; headers?: Record<string, string>; body?: string }) {
    let current = url;
    let request = init;
    for (let hops = 0; hops < 20; hops++) {
      const res = await fetch(current, {
        ...request,
        headers: { ...request.headers, cookie: this.cookiesFor(current) },
        redirect: 'manual',
      });
      this.store(current, res.headers.getSetCookie());
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        current = new URL(location, current).href;
        request = { method: 'GET' };
        continue;
      }
      const body = await res.text();
      return { status: res.status, url: current, body, json: () => JSON.parse(body) };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  private cookiesFor(url: string): string {
    const { hostname, pathname } = new URL(url);
    return [...this.jar.entries()]
      .filter(([, c]) => c.host === hostname && pathname.startsWith(c.path))
      .map(([key, c]) => `${key.split('|').pop()}=${c.value}`)
      .join('; ');
  }

  private store(url: string, headers: string[]): void {
    const { hostname, pathname } = new URL(url);
    for (const header of headers) {
      const [pair, ...attributes] = header.split(';').map((p) => p.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      const attr = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const path = attr('path') ?? pathname.replace(/\/[^/]*$/, '/');
      const key = `${hostname}|${path}|${name}`;
      const expires = attr('expires');
      const gone = attr('max-age') === '0' || (expires !== undefined && new Date(expires).getTime() <= Date.now()) || value === '';
      if (gone) this.jar.delete(key);
      else this.jar.set(key, { value, host: hostname, path });
    }
  }
}
