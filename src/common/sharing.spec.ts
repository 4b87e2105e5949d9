import type { AuthUser } from '../auth/auth-user';
import { isVisible, mayManage, mayUse, sharingOf } from './sharing';

const VID = '11111111-1111-4111-8111-111111111111';
const VSAA = '22222222-2222-4222-8222-222222222222';
const user = (id: string, roles: AuthUser['roles'], institutionIds: string[] = []): AuthUser => ({
  id,
  email: `${id}@x.test`,
  roles,
  institutionIds,
});
const operator = user('op', ['operator']);
const supervisor = user('sup', ['supervisor']);
const vidSpecialist = user('vid', ['specialist'], [VID]);
const mine = { owner_agent_id: 'op', institution_id: null };
const centre = { owner_agent_id: null, institution_id: null };
const ofVid = { owner_agent_id: null, institution_id: VID };
const ofVsaa = { owner_agent_id: null, institution_id: VSAA };

describe('who sees and who writes canned answers and macros', () => {
  it('names the sharing from the columns', () => {
    expect([mine, centre, ofVid].map(sharingOf)).toEqual(['personal', 'centre', 'institution']);
  });

  it("shows a person's own, the centre's and their institutions' (centre-wide roles: every institution's)", () => {
    expect([mine, centre, ofVid, ofVsaa].map((r) => isVisible(operator, r))).toEqual([true, true, true, true]);
    expect([mine, centre, ofVid, ofVsaa].map((r) => isVisible(vidSpecialist, r))).toEqual([false, true, true, false]);
  });

  it("lets operators write only their own; supervisors any shared; specialists their institution's", () => {
    expect([mine, centre, ofVid].map((r) => mayManage(operator, r))).toEqual([true, false, false]);
    expect([mine, centre, ofVid].map((r) => mayManage(supervisor, r))).toEqual([false, true, true]);
    expect([centre, ofVid, ofVsaa].map((r) => mayManage(vidSpecialist, r))).toEqual([false, true, false]);
  });

  it('lets a shared macro use only an answer everyone who sees the macro also sees', () => {
    expect(mayUse(mine, mine)).toBe(true);
    expect(mayUse(mine, ofVsaa)).toBe(true);
    expect(mayUse(centre, mine)).toBe(false);
    expect(mayUse(centre, ofVid)).toBe(false);
    expect(mayUse(ofVid, centre)).toBe(true);
    expect(mayUse(ofVid, ofVsaa)).toBe(false);
  });
});
