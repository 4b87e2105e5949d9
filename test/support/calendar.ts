import { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import { rigaDate } from '@lib/business-calendar';
import type { TestEnv } from './test-env';

const ALL_DAY: Array<[string, string]> = [['00:00', '24:00']];
const DAY_MS = 86_400_000;

/**
 * Every centre open round the clock, on whatever day the test runs: the week all day, and yesterday, today and
 * tomorrow (Riga) as special dates, since a public holiday closes the week's hours and the day before one ends an
 * hour early.
 */
export async function openAroundTheClock(env: TestEnv): Promise<void> {
  const week = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ALL_DAY]));
  const now = Date.now();
  const special = Object.fromEntries([-1, 0, 1].map((k) => [rigaDate(new Date(now + k * DAY_MS)), ALL_DAY]));
  await env.sql(`UPDATE business_hours SET hours = $1::jsonb, special_hours = $2::jsonb`, [JSON.stringify(week), JSON.stringify(special)]);
  await forgetCalendars(env);
}

/**
 * A change written straight into the table, as above, bypasses the service, so the running instances are told as the
 * service tells them (src/realtime/invalidations.ts): otherwise one that read the calendar while starting keeps the
 * closed hours in memory for up to 30 s.
 */
async function forgetCalendars(env: TestEnv): Promise<void> {
  const redis = new Redis(env.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.publish(`${env.name}:invalidate`, JSON.stringify({ topic: 'calendar', keys: ['*'] }));
  } finally {
    redis.disconnect();
  }
}

/** Shuts the centre for the rest of today (Riga) through the admin API; the returned function opens it again. */
export async function closeToday(app: INestApplication, adminToken: string, centre = 'VPPPD'): Promise<() => Promise<void>> {
  const url = `/v1/admin/calendar/hours/${centre}/special/${rigaDate(new Date())}`;
  const put = (hours: Array<[string, string]>) =>
    request(app.getHttpServer()).put(url).set('Authorization', `Bearer ${adminToken}`).send({ hours }).expect(200);
  await put([]);
  return async () => void (await put(ALL_DAY));
}
