import { getMetadataStorage } from 'class-validator';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { AppConfig, ConfigError, loadConfig, loadDatabaseConfig } from './app-config';
import { EXAMPLE_PLACEHOLDERS } from './placeholder-secrets';

const valid = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/vpppd',
  REDIS_URL: 'redis://127.0.0.1:6379',
  WEBFORM_SECRET: 'w'.repeat(32),
  JWT_SECRET: 'j'.repeat(32),
  DATA_ENCRYPTION_KEY: 'k'.repeat(43),
  ADMIN_EMAIL: 'admin@vpppd.example',
  ADMIN_PASSWORD: 'twelve chars!',
};

describe('loadConfig', () => {
  it('takes DATA_ENCRYPTION_KEY as 32 bytes (hex or base64), and a different previous key during a rotation', () => {
    expect(loadConfig({ ...valid, DATA_ENCRYPTION_KEY: 'ab'.repeat(32) }).DATA_ENCRYPTION_KEY).toBe('ab'.repeat(32));
    expect(loadConfig({ ...valid, DATA_ENCRYPTION_KEY_PREVIOUS: 'ab'.repeat(32) }).DATA_ENCRYPTION_KEY_PREVIOUS).toBe('ab'.repeat(32));
    for (const bad of ['short', 'ab'.repeat(16), 'k'.repeat(44)])
      expect(() => loadConfig({ ...valid, DATA_ENCRYPTION_KEY: bad })).toThrow(/DATA_ENCRYPTION_KEY: is invalid/);
    const { DATA_ENCRYPTION_KEY: _, ...without } = valid;
    expect(() => loadConfig(without)).toThrow(/DATA_ENCRYPTION_KEY: is missing/);
    expect(() => loadConfig({ ...valid, DATA_ENCRYPTION_KEY_PREVIOUS: valid.DATA_ENCRYPTION_KEY })).toThrow(
      /DATA_ENCRYPTION_KEY_PREVIOUS: is invalid/,
    );
  });

  it('fills defaults and converts types', () => {
    const config = loadConfig({ ...valid, PORT: '8080', RUN_MIGRATIONS: 'false' });
    expect(config).toMatchObject({ APP_ROLE: 'all', PORT: 8080, RUN_MIGRATIONS: false, DATABASE_SCHEMA: 'public', REDIS_PREFIX: 'vp' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('keeps a tenth of the outbound places from any one channel unless OUTBOUND_CHANNEL_MAX_IN_FLIGHT says otherwise', () => {
    expect(loadConfig(valid).outboundChannelMaxInFlight).toBe(180);
    expect(loadConfig({ ...valid, OUTBOUND_CONCURRENCY: '10' }).outboundChannelMaxInFlight).toBe(9);
    expect(loadConfig({ ...valid, OUTBOUND_CONCURRENCY: '1' }).outboundChannelMaxInFlight).toBe(1);
    expect(loadConfig({ ...valid, OUTBOUND_CHANNEL_MAX_IN_FLIGHT: '50' }).outboundChannelMaxInFlight).toBe(50);
    expect(() => loadConfig({ ...valid, OUTBOUND_CHANNEL_MAX_IN_FLIGHT: '0' })).toThrow(/OUTBOUND_CHANNEL_MAX_IN_FLIGHT/);
  });

  it('takes SOCIAL_MAX_MEDIA_BYTES as a size from 1 KiB to 100 MB, 20 MB when unset', () => {
    expect(loadConfig(valid).SOCIAL_MAX_MEDIA_BYTES).toBe(20 * 1024 * 1024);
    expect(loadConfig({ ...valid, SOCIAL_MAX_MEDIA_BYTES: '5000000' }).SOCIAL_MAX_MEDIA_BYTES).toBe(5_000_000);
    for (const bad of ['10', '200000000', 'lots'])
      expect(() => loadConfig({ ...valid, SOCIAL_MAX_MEDIA_BYTES: bad })).toThrow(/SOCIAL_MAX_MEDIA_BYTES/);
  });

  it('takes EMAIL_PARSE_THREADS from 1 to 32, two (one on a single core) when unset, and SMTP_MAX_CONNECTIONS from 1 to 50, 4 when unset', () => {
    expect(loadConfig(valid).EMAIL_PARSE_THREADS).toBe(Math.min(2, availableParallelism()));
    expect(loadConfig({ ...valid, EMAIL_PARSE_THREADS: '6' }).EMAIL_PARSE_THREADS).toBe(6);
    for (const bad of ['0', '33', '1.5', 'many'])
      expect(() => loadConfig({ ...valid, EMAIL_PARSE_THREADS: bad })).toThrow(/EMAIL_PARSE_THREADS/);
    expect(loadConfig(valid).SMTP_MAX_CONNECTIONS).toBe(4);
    expect(loadConfig({ ...valid, SMTP_MAX_CONNECTIONS: '10' }).SMTP_MAX_CONNECTIONS).toBe(10);
    for (const bad of ['0', '51', 'all']) expect(() => loadConfig({ ...valid, SMTP_MAX_CONNECTIONS: bad })).toThrow(/SMTP_MAX_CONNECTIONS/);
  });

  it('takes WEBHOOK_ALLOWED_NETWORKS as comma-separated addresses or networks, none when unset', () => {
    expect(loadConfig(valid).WEBHOOK_ALLOWED_NETWORKS).toEqual([]);
    expect(loadConfig({ ...valid, WEBHOOK_ALLOWED_NETWORKS: '10.20.0.0/16, 127.0.0.1,fd00::/8' }).WEBHOOK_ALLOWED_NETWORKS).toEqual([
      '10.20.0.0/16',
      '127.0.0.1',
      'fd00::/8',
    ]);
    for (const bad of ['intranet.vid.lv', '10.0.0.0/40', '10.0.0.0/8,*'])
      expect(() => loadConfig({ ...valid, WEBHOOK_ALLOWED_NETWORKS: bad })).toThrow(/WEBHOOK_ALLOWED_NETWORKS/);
  });

  it('takes METRICS_TOKEN as an optional long token, and API_DOCS as a switch that is on by default', () => {
    expect(loadConfig(valid)).toMatchObject({ METRICS_TOKEN: undefined, API_DOCS: true });
    expect(loadConfig({ ...valid, METRICS_TOKEN: 'm'.repeat(32), API_DOCS: 'false' })).toMatchObject({
      METRICS_TOKEN: 'm'.repeat(32),
      API_DOCS: false,
    });
    for (const bad of ['short', 'has spaces in it and is long enough 0123456789'])
      expect(() => loadConfig({ ...valid, METRICS_TOKEN: bad })).toThrow(/METRICS_TOKEN: is invalid/);
  });

  it("connects through Redis Sentinel instead of REDIS_URL: sentinels and the primary's name together, both checked", () => {
    const { REDIS_URL: _, ...noUrl } = valid;
    const config = loadConfig({
      ...noUrl,
      REDIS_SENTINELS: '10.0.0.1:26379,10.0.0.2:26379',
      REDIS_SENTINEL_NAME: 'vp-primary',
      REDIS_SENTINEL_PASSWORD: 's3cret',
    });
    expect(config).toMatchObject({
      REDIS_URL: undefined,
      REDIS_SENTINELS: '10.0.0.1:26379,10.0.0.2:26379',
      REDIS_SENTINEL_NAME: 'vp-primary',
    });
    expect(() => loadConfig(noUrl)).toThrow(/REDIS_URL: is missing/);
    expect(() => loadConfig({ ...noUrl, REDIS_SENTINELS: '10.0.0.1:26379' })).toThrow(/REDIS_SENTINEL_NAME: is missing/);
    expect(() => loadConfig({ ...noUrl, REDIS_SENTINELS: '10.0.0.1', REDIS_SENTINEL_NAME: 'vp' })).toThrow(
      /REDIS_SENTINELS: is invalid \(REDIS_SENTINELS must be comma-separated host:port pairs/,
    );
    expect(() => loadConfig({ ...noUrl, REDIS_SENTINELS: '10.0.0.1:26379', REDIS_SENTINEL_NAME: 'has space' })).toThrow(
      /REDIS_SENTINEL_NAME: is invalid/,
    );
  });

  it('connects to a Redis Cluster instead of REDIS_URL: REDIS_CLUSTER_NODES checked, never together with Sentinel', () => {
    const { REDIS_URL: _, ...noUrl } = valid;
    expect(loadConfig({ ...noUrl, REDIS_CLUSTER_NODES: '10.0.0.1:6379, 10.0.0.2:6379,[::1]:7000' })).toMatchObject({
      REDIS_URL: undefined,
      REDIS_CLUSTER_NODES: '10.0.0.1:6379, 10.0.0.2:6379,[::1]:7000',
    });
    expect(() => loadConfig({ ...noUrl, REDIS_CLUSTER_NODES: '10.0.0.1' })).toThrow(
      /REDIS_CLUSTER_NODES: is invalid \(REDIS_CLUSTER_NODES must be comma-separated host:port pairs/,
    );
    expect(() =>
      loadConfig({ ...noUrl, REDIS_CLUSTER_NODES: '10.0.0.1:6379', REDIS_SENTINELS: '10.0.0.1:26379', REDIS_SENTINEL_NAME: 'vp' }),
    ).toThrow(/REDIS_CLUSTER_NODES: is invalid \(REDIS_CLUSTER_NODES and REDIS_SENTINELS cannot both be set/);
  });

  it('takes DATABASE_REPLICA_URLS as comma-separated postgres URLs, none when unset', () => {
    expect(loadConfig(valid).DATABASE_REPLICA_URLS).toEqual([]);
    expect(loadConfig({ ...valid, DATABASE_REPLICA_URLS: 'postgres://r1:5432/vp, postgresql://r2/vp' }).DATABASE_REPLICA_URLS).toEqual([
      'postgres://r1:5432/vp',
      'postgresql://r2/vp',
    ]);
    expect(() => loadConfig({ ...valid, DATABASE_REPLICA_URLS: 'postgres://r1/vp,r2:5432' })).toThrow(/DATABASE_REPLICA_URLS: is invalid/);
  });

  it('sweeps lost outbound jobs every OUTBOUND_SWEEP_INTERVAL_MS, a minute by default', () => {
    expect(loadConfig(valid).OUTBOUND_SWEEP_INTERVAL_MS).toBe(60000);
    expect(loadConfig({ ...valid, OUTBOUND_SWEEP_INTERVAL_MS: '2000' }).OUTBOUND_SWEEP_INTERVAL_MS).toBe(2000);
    expect(() => loadConfig({ ...valid, OUTBOUND_SWEEP_INTERVAL_MS: '10' })).toThrow(/OUTBOUND_SWEEP_INTERVAL_MS/);
  });

  it('names every missing variable in one message', () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    try {
      loadConfig({});
    } catch (e) {
      const message = (e as Error).message;
      for (const name of Object.keys(valid)) expect(message).toContain(`${name}: is missing`);
    }
  });

  it.each([
    ['APP_ROLE', 'scheduler'],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'localhost:6379'],
    ['WEBFORM_SECRET', 'short'],
    ['JWT_SECRET', 'short'],
    ['ADMIN_EMAIL', 'admin'],
    ['ADMIN_PASSWORD', 'short'],
    ['ADMIN_PASSWORD', 'admin-is-my-password'],
    ['RUN_MIGRATIONS', 'perhaps'],
    ['DATABASE_SCHEMA', 'Robert"); DROP'],
    ['REDIS_PREFIX', 'a:b'],
  ])('refuses %s=%s and names it', (name, value) => {
    expect(() => loadConfig({ ...valid, [name]: value })).toThrow(new RegExp(`${name}: is invalid`));
  });

  it.each(Object.entries(EXAMPLE_PLACEHOLDERS))(
    'refuses the published placeholder %s in production, as it refuses a short one',
    (name, placeholder) => {
      expect(() => loadConfig({ ...valid, [name]: placeholder })).toThrow(new RegExp(`${name}: is invalid \\(.*placeholder`));
      expect(() => loadConfig({ ...valid, APP_ENV: 'production', [name]: 'change-me-please-0123456789-abcdefghij' })).toThrow(
        new RegExp(`${name}: is invalid`),
      );
      expect(loadConfig({ ...valid, APP_ENV: 'development', [name]: placeholder })).toMatchObject({
        APP_ENV: 'development',
        [name]: placeholder,
      });
    },
  );

  it('takes TRUST_PROXY as Express does: none when unset, a hop count, or addresses and subnets; never "trust all"', () => {
    expect(loadConfig(valid).TRUST_PROXY).toBe(false);
    expect(loadConfig({ ...valid, TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ ...valid, TRUST_PROXY: 'loopback, 10.0.0.0/8,2001:db8::/32' }).TRUST_PROXY).toEqual([
      'loopback',
      '10.0.0.0/8',
      '2001:db8::/32',
    ]);
    for (const bad of ['true', '10.0.0.0/99', 'proxy.example', '11'])
      expect(() => loadConfig({ ...valid, TRUST_PROXY: bad })).toThrow(/TRUST_PROXY: is invalid/);
  });

  it('takes APP_ENV production or development only, production when unset', () => {
    expect(loadConfig(valid).APP_ENV).toBe('production');
    expect(() => loadConfig({ ...valid, APP_ENV: 'test' })).toThrow(/APP_ENV: is invalid/);
  });

  it('lets the migration CLI run with only the database variables', () => {
    expect(loadDatabaseConfig({ DATABASE_URL: valid.DATABASE_URL })).toMatchObject({ DATABASE_SCHEMA: 'public' });
    expect(() => loadDatabaseConfig({})).toThrow(/DATABASE_URL/);
  });
});

describe('.env.example', () => {
  const lines = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8').split('\n');
  const env = Object.fromEntries(
    lines.filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

  it('is a configuration the service starts with on a developer machine', () => {
    expect(() => loadConfig({ ...env, APP_ENV: 'development' })).not.toThrow();
  });

  it('is refused in production until every placeholder secret is replaced, each named', () => {
    expect(env.APP_ENV).toBe('production');
    expect(() => loadConfig(env)).toThrow(ConfigError);
    const message = (() => {
      try {
        loadConfig(env);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    for (const name of ['WEBFORM_SECRET', 'JWT_SECRET', 'ADMIN_PASSWORD', 'DATA_ENCRYPTION_KEY'])
      expect(message).toMatch(new RegExp(`${name}: is invalid \\(.*placeholder`));
    const replaced = {
      ...env,
      WEBFORM_SECRET: 'w'.repeat(32),
      JWT_SECRET: 'j'.repeat(32),
      ADMIN_PASSWORD: 'a passphrase of our own',
      DATA_ENCRYPTION_KEY: 'k'.repeat(43),
    };
    expect(() => loadConfig(replaced)).not.toThrow();
  });

  it('lists every placeholder secret it ships in the refusal list', () => {
    // A secret is any variable whose example value is a "change-me" placeholder (or, for a key that must have
    // the form of a key, all zeros).
    const shipped = Object.fromEntries(Object.entries(env).filter(([, v]) => /^change-me/i.test(v) || /^0{64}$/.test(v)));
    expect(shipped).toEqual(EXAMPLE_PLACEHOLDERS);
  });

  const variables = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(AppConfig, '', true, false)
      .map((m) => m.propertyName),
  );

  it('documents every variable the service reads', () => {
    expect([...variables].filter((v) => !(v in env))).toEqual([]);
  });

  it('names no variable the service ignores, commented out or not', () => {
    // loadConfig reads only AppConfig's properties, so a misspelt or retired name here would be silently ignored.
    const named = lines.map((l) => /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(l)?.[1]).filter((name): name is string => name !== undefined);
    expect(named.length).toBeGreaterThanOrEqual(variables.size);
    expect(named.filter((name) => !variables.has(name))).toEqual([]);
  });
});
