import { policyFor } from './rate-limit.middleware';

describe('policyFor', () => {
  it.each([
    ['POST', '/v1/auth/login', 'login'],
    // Express routes these to the same handler, so they must not slip past the limit.
    ['POST', '/V1/Auth/Login/', 'login'],
    ['POST', '/v1/channels/webform/submissions', 'webform'],
    ['GET', '/v1/channels/social/meta/webhook', 'webhooks'],
    ['POST', '/v1/channels/social/telegram/webhook', 'webhooks'],
    ['POST', '/v1/channels/voice/twilio/incoming', 'webhooks'],
    ['GET', '/v1/csat/some-token', 'csat'],
    ['POST', '/v1/csat/some-token', 'csat'],
    ['GET', '/v1/public/cases/VP-2026-000001', 'cases'],
    ['GET', '/case', 'cases'],
    ['POST', '/Case/', 'cases'],
  ])('%s %s counts against %s', (method, path, policy) => {
    expect(policyFor(method, path)).toBe(policy);
  });

  it.each([
    ['POST', '/v1/auth/refresh'],
    ['GET', '/v1/auth/login'],
    ['GET', '/v1/tickets'],
    ['POST', '/v1/auth/loginx'],
    ['GET', '/health'],
    ['GET', '/cases'],
  ])('%s %s is not limited per source', (method, path) => {
    expect(policyFor(method, path)).toBeNull();
  });
});
