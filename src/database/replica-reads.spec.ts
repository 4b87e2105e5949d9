import { replicaCannotServe } from './replica-reads';

describe('replicaCannotServe', () => {
  it('moves a read to the primary when the replica is away or replay cancelled it', () => {
    expect(replicaCannotServe(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(replicaCannotServe(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(
      true,
    );
    expect(replicaCannotServe(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(replicaCannotServe(Object.assign(new Error('canceling statement due to conflict with recovery'), { code: '40001' }))).toBe(true);
  });

  it('leaves a wrong query wrong: the primary would refuse it too', () => {
    expect(replicaCannotServe(Object.assign(new Error('relation "nope" does not exist'), { code: '42P01' }))).toBe(false);
    expect(replicaCannotServe(Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' }))).toBe(
      false,
    );
    expect(replicaCannotServe(null)).toBe(false);
  });
});
