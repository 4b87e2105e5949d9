import { loadConfig } from './app-config';

const valid = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/vpppd',
  REDIS_URL: 'redis://127.0.0.1:6379',
  WEBFORM_SECRET: 'w'.repeat(32),
  JWT_SECRET: 'j'.repeat(32),
  DATA_ENCRYPTION_KEY: 'k'.repeat(43),
  ADMIN_EMAIL: 'admin@vpppd.example',
  ADMIN_PASSWORD: 'twelve chars!',
};
const oidc = {
  OIDC_ISSUER_URL: 'https://id.example.lv',
  OIDC_CLIENT_ID: 'vpppd',
  OIDC_CLIENT_SECRET: 's'.repeat(32),
  OIDC_REDIRECT_URI: 'https://vpppd.example.lv/v1/auth/oidc/callback',
};

describe('sign-in configuration', () => {
  it('takes TOTP_REQUIRED_ROLES as a list of known roles, none when unset', () => {
    expect(loadConfig(valid).TOTP_REQUIRED_ROLES).toEqual([]);
    expect(loadConfig({ ...valid, TOTP_REQUIRED_ROLES: 'admin, supervisor' }).TOTP_REQUIRED_ROLES).toEqual(['admin', 'supervisor']);
    expect(() => loadConfig({ ...valid, TOTP_REQUIRED_ROLES: 'admin,root' })).toThrow(/TOTP_REQUIRED_ROLES: is invalid/);
  });

  it('runs without single sign-on, or with all four OIDC settings', () => {
    expect(loadConfig(valid).OIDC_ISSUER_URL).toBeUndefined();
    expect(loadConfig({ ...valid, ...oidc })).toMatchObject(oidc);
  });

  it.each(Object.keys(oidc))('refuses single sign-on without %s', (name) => {
    expect(() => loadConfig({ ...valid, ...oidc, [name]: '' })).toThrow(new RegExp(`${name}: is missing`));
  });

  it.each([
    ['OIDC_ISSUER_URL', 'http://id.example.lv'],
    ['OIDC_ISSUER_URL', 'id.example.lv'],
    ['OIDC_REDIRECT_URI', 'http://vpppd.example.lv/v1/auth/oidc/callback'],
    ['OIDC_REDIRECT_URI', 'https://vpppd.example.lv/elsewhere'],
    ['OIDC_CLIENT_SECRET', 'short'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => loadConfig({ ...valid, ...oidc, [name]: value })).toThrow(new RegExp(`${name}: is invalid`));
  });

  it('allows plain http only for a provider and callback on this machine', () => {
    const local = { OIDC_ISSUER_URL: 'http://127.0.0.1:9000', OIDC_REDIRECT_URI: 'http://localhost:3000/v1/auth/oidc/callback' };
    expect(loadConfig({ ...valid, ...oidc, ...local })).toMatchObject(local);
  });
});
