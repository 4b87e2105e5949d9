import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { JwtService } from '@nestjs/jwt';
import * as oidc from 'openid-client';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ProblemException } from '../common/problem';
import { AppConfig } from '../config/app-config';
import type { RequestContext } from './totp.service';

/** The browser has this long between leaving for the provider and coming back. */
export const OIDC_LOGIN_TTL_SECONDS = 600;
const LOGIN_AUDIENCE = 'oidc-login';

const refused = (code: string, detail: string, status = HttpStatus.FORBIDDEN) =>
  new ProblemException(status, code, status === HttpStatus.FORBIDDEN ? 'Forbidden' : 'Unauthorized', detail);

/**
 * Single sign-on with the state's or an institution's OpenID Connect provider: authorization code with PKCE, a
 * state and a nonce that travel in a signed cookie bound to the browser that started, and an ID token whose
 * signature, issuer, audience, expiry and nonce are all checked. The identity only names an agent: roles and
 * institutions stay ours.
 */
@Injectable()
export class OidcService {
  private readonly logger = new Logger(OidcService.name);
  private configuration: Promise<oidc.Configuration> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
  ) {}

  get enabled(): boolean {
    return !!this.config.OIDC_ISSUER_URL;
  }

  /** Where to send the browser, and the signed cookie that lets the callback check it is the same browser. */
  async begin(): Promise<{ url: string; cookie: string }> {
    const provider = await this.provider();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(provider, {
      redirect_uri: this.config.OIDC_REDIRECT_URI!,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const cookie = await this.jwt.signAsync(
      { state, nonce, codeVerifier },
      { audience: LOGIN_AUDIENCE, expiresIn: OIDC_LOGIN_TTL_SECONDS, algorithm: 'HS256' },
    );
    return { url: url.href, cookie };
  }

  /** Checks the provider's answer and returns the active agent it names; every refusal is a problem with its own code. */
  async finish(cookie: string | undefined, query: string, context: RequestContext): Promise<string> {
    const provider = await this.provider();
    const login = cookie ? await this.readLoginCookie(cookie) : null;
    if (!login)
      throw refused(
        'oidc-state-invalid',
        'This sign-in was not started in this browser, or took too long; start again.',
        HttpStatus.UNAUTHORIZED,
      );
    const callback = new URL(this.config.OIDC_REDIRECT_URI!);
    callback.search = query;
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(provider, callback, {
        pkceCodeVerifier: login.codeVerifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw this.grantProblem(error);
    }
    const claims = tokens.claims()!;
    let email = typeof claims.email === 'string' ? claims.email : undefined;
    let verified = claims.email_verified;
    if (!email) {
      const info = await oidc.fetchUserInfo(provider, tokens.access_token, claims.sub).catch(() => null);
      email = typeof info?.email === 'string' ? info.email : undefined;
      verified = info?.email_verified;
    }
    return this.agentFor(claims.iss, claims.sub, verified === false ? undefined : email, context);
  }

  /**
   * The agent linked to this identity; failing that, the active agent with the provider's e-mail, who is then
   * linked. An agent already linked to another identity at this provider is not taken over by a new one.
   */
  private async agentFor(issuer: string, subject: string, email: string | undefined, context: RequestContext): Promise<string> {
    const [linked]: Array<{ agent_id: string; active: boolean }> = await this.dataSource.query(
      `SELECT s.agent_id, a.active FROM agent_oidc_subjects s JOIN agents a ON a.id = s.agent_id WHERE s.issuer = $1 AND s.subject = $2`,
      [issuer, subject],
    );
    if (linked) {
      if (!linked.active) throw refused('account-disabled', 'Your staff account is disabled.');
      await this.dataSource.query('UPDATE agent_oidc_subjects SET last_login_at = now() WHERE issuer = $1 AND subject = $2', [
        issuer,
        subject,
      ]);
      return linked.agent_id;
    }
    if (!email) throw refused('oidc-no-agent', 'The identity provider gave no verified e-mail address to find your staff account by.');
    const [agent]: Array<{ id: string; active: boolean; other_subject: boolean }> = await this.dataSource.query(
      `SELECT a.id, a.active, EXISTS (SELECT 1 FROM agent_oidc_subjects s WHERE s.agent_id = a.id AND s.issuer = $2) AS other_subject
       FROM agents a WHERE a.email = $1`,
      [email.trim().toLowerCase(), issuer],
    );
    if (!agent || agent.other_subject) throw refused('oidc-no-agent', 'No staff account belongs to this identity; ask an administrator.');
    if (!agent.active) throw refused('account-disabled', 'Your staff account is disabled.');
    await this.dataSource.query(
      `INSERT INTO agent_oidc_subjects (issuer, subject, agent_id, last_login_at) VALUES ($1, $2, $3, now()) ON CONFLICT DO NOTHING`,
      [issuer, subject, agent.id],
    );
    // The subject may be a personal code: it stays in its table, never in the audit detail.
    await this.audit.record([
      { actorAgentId: agent.id, action: 'auth.oidc_linked', subjectType: 'agent', subjectId: agent.id, detail: { issuer }, ...context },
    ]);
    return agent.id;
  }

  private async readLoginCookie(cookie: string): Promise<{ state: string; nonce: string; codeVerifier: string } | null> {
    try {
      const claims = await this.jwt.verifyAsync<Record<string, unknown>>(cookie, { audience: LOGIN_AUDIENCE, algorithms: ['HS256'] });
      const { state, nonce, codeVerifier } = claims;
      return typeof state === 'string' && typeof nonce === 'string' && typeof codeVerifier === 'string'
        ? { state, nonce, codeVerifier }
        : null;
    } catch {
      return null;
    }
  }

  /** The provider's metadata and keys, read once; a failed discovery is tried again on the next sign-in. */
  private provider(): Promise<oidc.Configuration> {
    if (!this.enabled)
      throw new ProblemException(HttpStatus.NOT_FOUND, 'oidc-not-configured', 'Not found', 'Single sign-on is not set up here.');
    this.configuration ??= oidc
      .discovery(new URL(this.config.OIDC_ISSUER_URL!), this.config.OIDC_CLIENT_ID!, this.config.OIDC_CLIENT_SECRET, undefined, {
        // Plain http passes the configuration's validation only for a provider on this machine.
        execute: [
          ...(this.config.OIDC_ISSUER_URL!.startsWith('http://') ? [oidc.allowInsecureRequests] : []),
          oidc.enableNonRepudiationChecks,
        ],
      })
      .catch((error: unknown) => {
        this.configuration = null;
        this.logger.warn(`OpenID Connect discovery failed: ${error instanceof Error ? error.message : String(error)}`);
        throw new ProblemException(
          HttpStatus.SERVICE_UNAVAILABLE,
          'oidc-unavailable',
          'Service unavailable',
          'The identity provider cannot be reached; try again shortly.',
        );
      });
    return this.configuration;
  }

  private grantProblem(error: unknown): ProblemException {
    if (error instanceof oidc.AuthorizationResponseError) {
      return refused('oidc-refused', `The identity provider did not sign you in (${error.error}).`, HttpStatus.UNAUTHORIZED);
    }
    const e = error as { message?: string; code?: string; cause?: { code?: string } };
    if (e?.message === 'fetch failed' || e?.cause?.code === 'ECONNREFUSED') {
      return new ProblemException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'oidc-unavailable',
        'Service unavailable',
        'The identity provider cannot be reached; try again shortly.',
      );
    }
    this.logger.warn(`OpenID Connect callback refused: ${e?.code ?? ''} ${e?.message ?? String(error)}`);
    return refused(
      'oidc-invalid-response',
      "The identity provider's answer did not pass the checks; start again.",
      HttpStatus.UNAUTHORIZED,
    );
  }
}
