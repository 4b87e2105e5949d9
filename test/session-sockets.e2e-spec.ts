import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { AgentSocket } from './support/agent-socket';
import { login, TestEnv } from './support/test-env';

const PASSWORD = 'a long enough passphrase';

/**
 * A revoked session's sockets are disconnected by the server at once, on every instance: the socket here is held
 * by instance B and the session is ended through instance A. The client sends no heartbeats, so nothing but the
 * revocation itself can close it.
 */
describe('ending a session closes its realtime sockets on every instance', () => {
  const env = new TestEnv();
  let a: INestApplication;
  let b: INestApplication;
  let adminToken: string;
  const sockets: AgentSocket[] = [];

  beforeAll(async () => {
    a = await env.startApi({ APP_ROLE: 'api' });
    b = await env.startApi({ APP_ROLE: 'api' });
    adminToken = await login(a);
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(() => env.teardown());

  const person = async (name: string) => {
    const id = await a
      .get(AgentsService)
      .upsert({ email: `${name}@sockets.test`, displayName: name, password: PASSWORD, roles: ['operator'] });
    return { id, login: () => login(a, `${name}@sockets.test`, PASSWORD) };
  };
  const connectToB = async (token: string) => {
    const s = await AgentSocket.connect(b, token);
    sockets.push(s);
    return s;
  };
  /** Milliseconds until the server closes the socket, or a failure after `withinMs`. */
  const closedWithin = (s: AgentSocket, withinMs: number, started: number) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`still connected after ${withinMs} ms`)), withinMs);
      s.socket.once('disconnect', (reason) => {
        clearTimeout(timer);
        // The server's doing, not the client's or the network's.
        if (reason !== 'io server disconnect') return reject(new Error(`disconnected by ${reason}`));
        resolve(Date.now() - started);
      });
    });
  const stillConnected = async (s: AgentSocket) => {
    await new Promise((r) => setTimeout(r, 200));
    return s.socket.connected;
  };

  it('logout: the socket of that session closes within a second, another session of the same person stays', async () => {
    const rita = await person('rita');
    const ended = await rita.login();
    const kept = await rita.login();
    const doomed = await connectToB(ended);
    const other = await connectToB(kept);
    const started = Date.now();
    const closed = closedWithin(doomed, 1000, started);
    await request(a.getHttpServer()).post('/v1/auth/logout').set('Authorization', `Bearer ${ended}`).expect(204);
    await closed;
    expect(doomed.events.map((e) => e.event)).toContain('unauthorized');
    expect(await stillConnected(other)).toBe(true);
    await expect(other.request('heartbeat', {})).resolves.toMatchObject({ ok: true });
  });

  it('a replayed refresh token ends the session, and its socket with it', async () => {
    await person('maris');
    const first = (
      await request(a.getHttpServer()).post('/v1/auth/login').send({ email: 'maris@sockets.test', password: PASSWORD }).expect(200)
    ).body;
    const second = (await request(a.getHttpServer()).post('/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body;
    const s = await connectToB(second.accessToken);
    const closed = closedWithin(s, 1000, Date.now());
    await request(a.getHttpServer()).post('/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    await closed;
  });

  it('an admin disabling the account closes every socket of it within a second', async () => {
    const juris = await person('juris');
    const first = await connectToB(await juris.login());
    const second = await connectToB(await juris.login());
    const started = Date.now();
    const closed = Promise.all([closedWithin(first, 1000, started), closedWithin(second, 1000, started)]);
    await request(a.getHttpServer())
      .patch(`/v1/admin/agents/${juris.id}`)
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ active: false })
      .expect(200);
    await closed;
  });

  it('a new password closes every socket of the account within a second, and the old token cannot connect again', async () => {
    const ieva = await person('ieva');
    const token = await ieva.login();
    const s = await connectToB(token);
    const started = Date.now();
    const closed = closedWithin(s, 1000, started);
    await request(a.getHttpServer())
      .patch(`/v1/admin/agents/${ieva.id}`)
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ password: 'a completely new passphrase' })
      .expect(200);
    await closed;
    await expect(AgentSocket.connect(b, token)).rejects.toMatchObject({ message: 'unauthorized' });
  });

  it('a narrowed scope closes the sockets so that they connect again with the right rooms; the session goes on', async () => {
    const anna = await person('anna');
    const token = await anna.login();
    const s = await connectToB(token);
    const started = Date.now();
    const closed = closedWithin(s, 1000, started);
    await request(a.getHttpServer())
      .patch(`/v1/admin/agents/${anna.id}`)
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ roles: ['specialist'], institutions: ['VID'] })
      .expect(200);
    await closed;
    expect(s.events.map((e) => e.event)).toContain('scope-changed');
    await connectToB(token);
  });
});
