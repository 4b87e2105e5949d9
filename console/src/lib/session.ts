/**
 * The signed-in session. The access token lives only in memory; the refresh token (which the API takes in the
 * body of POST /v1/auth/refresh) is kept in sessionStorage, so a reload of a console page — or opening a ticket's
 * address in the same tab — does not sign the person out, while closing the tab does. A new access token is fetched
 * shortly before the old one expires, and once more when the API answers 401.
 */
export interface Profile {
  id: string;
  email: string;
  displayName: string;
  roles: string[];
  institutions: string[];
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: Array<{ field: string; code: string; message: string }>;
}

/** An API refusal, with its problem+json body; `code` is the last part of its type (invalid-credentials, ...). */
export class ApiError extends Error {
  readonly code: string;
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.code = problem.type?.replace(/^urn:vpppd:problem:/, '') ?? `http-${problem.status}`;
  }
  get status(): number {
    return this.problem.status;
  }
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

const REFRESH_KEY = 'console.refresh';
type Listener = () => void;

class Session {
  private accessToken: string | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<boolean> | null = null;
  private readonly listeners = new Set<Listener>();
  profile: Profile | null = null;
  /** Set when the session ended by itself (refresh refused), so the sign-in page can say so. */
  ended = false;
  /** Set when the person signed out: the next person to sign in here starts where their own work is. */
  signedOut = false;

  get token(): string | null {
    return this.accessToken;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }

  async signIn(email: string, password: string): Promise<void> {
    const tokens = await request<Tokens>('POST', '/v1/auth/login', { email, password }, null);
    await this.start(tokens);
  }

  /** On start: a refresh token from this tab's earlier page renews the session without asking again. */
  async resume(): Promise<boolean> {
    if (!sessionStorage.getItem(REFRESH_KEY)) return false;
    return this.refresh();
  }

  async signOut(): Promise<void> {
    const token = this.accessToken;
    this.signedOut = true;
    this.clear();
    if (token) await request('POST', '/v1/auth/logout', undefined, token).catch(() => undefined);
    this.emit();
  }

  /** One refresh at a time: parallel requests that met a 401 all wait for the same new token. */
  refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const refreshToken = sessionStorage.getItem(REFRESH_KEY);
      if (!refreshToken) return false;
      try {
        const tokens = await request<Tokens>('POST', '/v1/auth/refresh', { refreshToken }, null);
        await this.start(tokens);
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          const wasSignedIn = this.profile !== null;
          this.clear();
          this.ended = wasSignedIn;
          this.emit();
        }
        return false;
      }
    })().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async start(tokens: Tokens): Promise<void> {
    this.accessToken = tokens.accessToken;
    sessionStorage.setItem(REFRESH_KEY, tokens.refreshToken);
    clearTimeout(this.refreshTimer);
    // Renew at 80 % of the token's life, so a request never carries an expired token in normal use.
    this.refreshTimer = setTimeout(() => void this.refresh(), Math.max(5, tokens.expiresIn * 0.8) * 1000);
    if (!this.profile) this.profile = await request<Profile>('GET', '/v1/auth/me', undefined, tokens.accessToken);
    this.ended = false;
    this.signedOut = false;
    this.emit();
  }

  private clear(): void {
    clearTimeout(this.refreshTimer);
    this.accessToken = null;
    this.profile = null;
    sessionStorage.removeItem(REFRESH_KEY);
  }
}

export const session = new Session();

async function request<T>(method: string, path: string, body: unknown, token: string | null): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError({ type: 'urn:vpppd:problem:network', status: 0, detail: 'network' });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiError({ status: res.status, ...(json ?? {}) });
  return json as T;
}

/** A call of the staff API as the signed-in person; a 401 renews the token once and tries again. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  try {
    return await request<T>(method, path, body, session.token);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && (await session.refresh()))
      return request<T>(method, path, body, session.token);
    throw error;
  }
}
