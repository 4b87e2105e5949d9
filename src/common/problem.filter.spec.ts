import { ArgumentsHost, Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { ProblemFilter } from './problem.filter';

function answer(exception: unknown) {
  const sent: { status?: number; body?: Record<string, unknown> } = {};
  const res = {
    status: (s: number) => ((sent.status = s), res),
    type: () => res,
    header: () => res,
    send: (text: string) => ((sent.body = JSON.parse(text)), res),
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => ({ originalUrl: '/v1/x', id: 'r-1' }), getResponse: () => res }),
  } as unknown as ArgumentsHost;
  new ProblemFilter().catch(exception, host);
  return sent;
}

describe('ProblemFilter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('answers text PostgreSQL refused (a NUL, half a surrogate pair) with 422, not 500', () => {
    for (const code of ['22021', '22P05']) {
      const error = new QueryFailedError(
        'INSERT INTO notes (text) VALUES ($1)',
        ['a\u0000b'],
        Object.assign(new Error('invalid byte sequence'), { code }),
      );
      expect(answer(error)).toMatchObject({
        status: 422,
        body: { type: 'urn:vpppd:problem:unstorable-text', status: 422, instance: '/v1/x', requestId: 'r-1' },
      });
    }
    expect(answer(new Error('boom'))).toMatchObject({ status: 500, body: { type: 'urn:vpppd:problem:internal' } });
  });
});
