import { ContactIdentifier, identifierKey, KnownIdentifier, matchCustomer, MatchFacts } from './customer-matching';

const CODE = '32123456789';
const known = (...rows: KnownIdentifier[]) => new Map(rows.map((r) => [identifierKey(r), r]));
const facts = (rows: KnownIdentifier[], verifiedStrong: string[] = [], linkable?: (id: string) => boolean): MatchFacts => ({
  known: known(...rows),
  verifiedStrong: new Set(verifiedStrong),
  linkable,
});
const id = (kind: ContactIdentifier['kind'], value: string, provenance: ContactIdentifier['provenance']): ContactIdentifier => ({
  kind,
  value,
  provenance,
});

describe('matchCustomer', () => {
  it('never joins a record on details the person merely typed (the redirected-reply attack)', () => {
    // Form A made the victim's record; form B gives the same phone and the attacker's address.
    const victim = [
      { ...id('phone', '+37126227000', 'citizen'), customerId: 'victim' },
      { ...id('email', 'liga@example.lv', 'citizen'), customerId: 'victim' },
    ];
    const d = matchCustomer([id('phone', '+37126227000', 'citizen'), id('email', 'eve@attacker.example', 'citizen')], facts(victim));
    expect(d.customerId).toBeNull();
    // The attacker's address goes to the attacker's new record, never to the victim's; the phone stays hers.
    expect(d.add).toEqual([id('email', 'eve@attacker.example', 'citizen')]);
    expect(d.claim).toEqual([]);
  });

  it('does not join on a weak identifier when the contact brings its own new personas kods', () => {
    const victim = [{ ...id('phone', '+37126227000', 'channel'), customerId: 'victim' }];
    const d = matchCustomer([id('personal_code', CODE, 'portal'), id('phone', '+37126227000', 'channel')], facts(victim));
    expect(d.customerId).toBeNull();
    expect(d.add).toEqual([id('personal_code', CODE, 'portal')]);
  });

  it('joins the record of a verified personas kods and gives it the contact’s new identifiers', () => {
    const liga = [{ ...id('personal_code', CODE, 'portal'), customerId: 'liga' }];
    const d = matchCustomer([id('personal_code', CODE, 'portal'), id('email', 'liga@example.lv', 'citizen')], facts(liga, ['liga']));
    expect(d).toMatchObject({
      customerId: 'liga',
      matchedBy: id('personal_code', CODE, 'portal'),
      add: [id('email', 'liga@example.lv', 'citizen')],
    });
  });

  it('a personas kods typed by staff proves the person as the portal does', () => {
    const liga = [{ ...id('personal_code', CODE, 'portal'), customerId: 'liga' }];
    expect(matchCustomer([id('personal_code', CODE, 'staff')], facts(liga, ['liga'])).customerId).toBe('liga');
  });

  it('a typed, unverified personas kods joins nothing', () => {
    const liga = [{ ...id('personal_code', CODE, 'portal'), customerId: 'liga' }];
    const d = matchCustomer([id('personal_code', CODE, 'citizen'), id('email', 'x@example.lv', 'citizen')], facts(liga, ['liga']));
    expect(d.customerId).toBeNull();
    expect(d.add).toEqual([id('email', 'x@example.lv', 'citizen')]);
  });

  it('the verified person takes their personas kods from a record where someone only typed it', () => {
    const squatter = [{ ...id('personal_code', CODE, 'citizen'), customerId: 'squatter' }];
    const d = matchCustomer([id('personal_code', CODE, 'portal')], facts(squatter));
    expect(d.customerId).toBeNull();
    expect(d.claim).toEqual([id('personal_code', CODE, 'portal')]);
  });

  it('joins on the sender’s own address when the record holds no verified personas kods', () => {
    const rows = [{ ...id('telegram_chat', '42', 'channel'), customerId: 'tg' }];
    const d = matchCustomer([id('telegram_chat', '42', 'channel'), id('phone', '+37120000001', 'citizen')], facts(rows));
    expect(d).toMatchObject({ customerId: 'tg', add: [id('phone', '+37120000001', 'citizen')] });
  });

  it('never joins a record with a verified personas kods on a phone number or a social id', () => {
    const liga = [
      { ...id('personal_code', CODE, 'portal'), customerId: 'liga' },
      { ...id('phone', '+37126227000', 'citizen'), customerId: 'liga' },
    ];
    const d = matchCustomer([id('phone', '+37126227000', 'channel')], facts(liga, ['liga']));
    expect(d.customerId).toBeNull();
    expect(d.add).toEqual([]);
  });

  it('a chat visitor who types a citizen’s e-mail is not joined to her record', () => {
    const rows = [{ ...id('email', 'liga@example.lv', 'channel'), customerId: 'liga' }];
    const d = matchCustomer([id('chat_session', 's1', 'channel'), id('email', 'liga@example.lv', 'citizen')], facts(rows));
    expect(d.customerId).toBeNull();
    expect(d.add).toEqual([id('chat_session', 's1', 'channel')]);
  });

  it('raises the provenance of an identifier the record already holds when the same record is proved', () => {
    const rows = [
      { ...id('personal_code', CODE, 'portal'), customerId: 'liga' },
      { ...id('email', 'liga@example.lv', 'citizen'), customerId: 'liga' },
    ];
    const d = matchCustomer([id('personal_code', CODE, 'portal'), id('email', 'liga@example.lv', 'channel')], facts(rows, ['liga']));
    expect(d.upgrade).toEqual([id('email', 'liga@example.lv', 'channel')]);
  });

  it('a member of staff with a limited scope joins only records they may see', () => {
    const rows = [{ ...id('personal_code', CODE, 'portal'), customerId: 'elsewhere' }];
    const d = matchCustomer(
      [id('personal_code', CODE, 'staff'), id('email', 'a@example.lv', 'staff')],
      facts(rows, ['elsewhere'], () => false),
    );
    expect(d.customerId).toBeNull();
    expect(d.claim).toEqual([]);
    expect(d.add).toEqual([id('email', 'a@example.lv', 'staff')]);
  });

  it('counts an identifier given twice once, with its strongest provenance', () => {
    const d = matchCustomer([id('email', 'a@example.lv', 'citizen'), id('email', 'a@example.lv', 'channel')], facts([]));
    expect(d.add).toEqual([id('email', 'a@example.lv', 'channel')]);
  });
});
