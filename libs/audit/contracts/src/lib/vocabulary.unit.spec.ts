import { parseActorRef } from './vocabulary';

describe('parseActorRef', () => {
  it('accepts a user, an API key or a rule, keeping only kind and id', () => {
    expect(parseActorRef({ kind: 'user', id: 'u-1' })).toEqual({ kind: 'user', id: 'u-1' });
    expect(parseActorRef({ kind: 'user', id: 'apikey:5f6a7b8c' })).toEqual({ kind: 'user', id: 'apikey:5f6a7b8c' });
    expect(parseActorRef({ kind: 'rule', id: 'failed-logins-per-ip', ip: '10.0.0.1' })).toEqual({ kind: 'rule', id: 'failed-logins-per-ip' });
    expect(parseActorRef({ kind: 'rule', id: 'r'.repeat(200) })).toEqual({ kind: 'rule', id: 'r'.repeat(200) });
  });

  it('refuses an unknown kind, a blank or over-long id, and anything that is not an object', () => {
    for (const value of [{ kind: 'system', id: 'x' }, { kind: 'user', id: '' }, { kind: 'user', id: 'r'.repeat(201) }, { kind: 'user' }, { id: 'u-1' }, { kind: 'user', id: 7 }, 'u-1', null, undefined]) {
      expect(parseActorRef(value)).toBeUndefined();
    }
  });
});
