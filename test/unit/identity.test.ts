import { describe, it, expect } from '@jest/globals';
import { ManualClock } from '../../src/core/runtime.js';
import { customerIdFor } from '../../src/conversation/conversation-id.js';
import type { Customer } from '../../src/commerce/types.js';
import { identityIdsOf, linkIdentity, profileIdFor, unlinkIdentity } from '../../src/identity/profiles.js';
import { checkCode, CODE_TTL_MS, pendingCode, typedCode } from '../../src/identity/one-time-code.js';
import { createWebTokenVerifier, signWebIdentityToken } from '../../src/identity/web-token.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { createStores } from '../../src/storage/stores.js';
import { SignJWT } from 'jose';

const ANA: Customer = { id: 'C9', name: 'Ana Test', email: 'ana@example.com', phone: '+34600000009', country: 'ES', locale: 'es', timeZone: 'Europe/Madrid', tier: 'vip' };
const BEA: Customer = { ...ANA, id: 'C10', name: 'Bea Test', email: 'bea@example.com', phone: '+34600000010' };

describe('profiles', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 27));

  it('links proven identities into one profile, audits each link, and undoes a link exactly', async () => {
    const stores = createStores(new MemoryBackend());
    await linkIdentity(stores, { address: 'whatsapp:+34600000009', shopCustomer: ANA, method: 'shop_contact', by: 'customer', clock });
    const profile = await linkIdentity(stores, { address: 'email:ana@example.com', shopCustomer: ANA, method: 'order_email', by: 'customer', clock });
    expect(profile.id).toBe(profileIdFor('C9'));
    expect(profile.shopCustomerId).toBe('C9');
    expect(profile.identities).toEqual(['whatsapp:+34600000009', 'email:ana@example.com']);
    expect(identityIdsOf(profile)).toEqual([customerIdFor('whatsapp:+34600000009'), customerIdFor('email:ana@example.com')]);
    expect((await stores.customers.linkedTo(profile.id)).map((r) => r.link?.method).sort()).toEqual(['order_email', 'shop_contact']);

    const events = await stores.events.byType('identity.linked');
    expect(events).toHaveLength(2);
    expect(JSON.stringify(events)).not.toMatch(/ana@example|600000009/);

    expect(await unlinkIdentity(stores, customerIdFor('email:ana@example.com'), 'ops', clock)).toBe(true);
    const after = await stores.customers.get(profile.id);
    expect(after?.identities).toEqual(['whatsapp:+34600000009']);
    const email = await stores.customers.get(customerIdFor('email:ana@example.com'));
    expect(email?.linkedProfileId).toBeNull();
    expect(identityIdsOf(email!)).toEqual([email!.id]);
    expect(await stores.events.byType('identity.unlinked')).toHaveLength(1);
    expect(await unlinkIdentity(stores, customerIdFor('email:ana@example.com'), 'ops', clock)).toBe(false);
  });

  it("refuses a customer's proof for a second account on an identity already linked; an admin may move it", async () => {
    const stores = createStores(new MemoryBackend());
    await linkIdentity(stores, { address: 'webchat:s1', shopCustomer: ANA, method: 'signed_token', by: 'customer', clock });
    await expect(linkIdentity(stores, { address: 'webchat:s1', shopCustomer: BEA, method: 'one_time_code', by: 'customer', clock })).rejects.toMatchObject({ code: 'identity_conflict' });
    expect((await stores.customers.get(profileIdFor('C9')))?.identities).toEqual(['webchat:s1']);
    await linkIdentity(stores, { address: 'webchat:s1', shopCustomer: BEA, method: 'admin', by: 'ops', clock });
    expect((await stores.customers.get(profileIdFor('C9')))?.identities).toEqual([]);
    expect((await stores.customers.get(profileIdFor('C10')))?.identities).toEqual(['webchat:s1']);
    const moved = (await stores.events.byType('identity.linked')).find((e) => e.data['by'] === 'ops');
    expect(moved?.data['previousProfileId']).toBe(profileIdFor('C9'));
  });
});

describe('one-time codes', () => {
  it('match once, in constant shape, until they expire or run out of tries', () => {
    const now = 1_000_000;
    const pending = pendingCode('123456', 'C9', 'email', now);
    expect(JSON.stringify(pending)).not.toContain('123456');
    expect(checkCode(pending, '123456', now + 1000)).toBe('ok');
    expect(checkCode(pending, '123 456', now)).toBe('ok');
    expect(checkCode(pending, '654321', now)).toBe('wrong');
    expect(checkCode(pending, '123456', now + CODE_TTL_MS + 1)).toBe('expired');
    expect(checkCode({ ...pending, attempts: 3 }, '123456', now)).toBe('locked');
    expect(typedCode('my code is 482 913, thanks')).toBe('482913');
    expect(typedCode('order A1043')).toBeUndefined();
    expect(typedCode('call +34 600 000 009')).toBeUndefined();
  });
});

describe('web-chat login tokens', () => {
  const secret = 'a-shop-secret-that-is-long-enough-123';
  const now = 1_800_000_000;
  const verify = createWebTokenVerifier({ secret, now: () => now });

  it('accept a fresh token signed with the shared secret and name its customer', async () => {
    const token = await signWebIdentityToken({ secret, shopCustomerId: 'C1003', now });
    await expect(verify(token)).resolves.toEqual({ shopCustomerId: 'C1003', expiresAt: new Date((now + 900) * 1000).toISOString() });
  });

  it('refuse forged, expired, stale, foreign-audience, unsigned and subject-less tokens', async () => {
    const forged = await signWebIdentityToken({ secret: 'another-secret-that-is-long-enough-456', shopCustomerId: 'C1003', now });
    await expect(verify(forged)).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    const expired = await signWebIdentityToken({ secret, shopCustomerId: 'C1003', now: now - 2000, ttlSeconds: 600 });
    await expect(verify(expired)).rejects.toThrow(/expired/);
    const stale = await signWebIdentityToken({ secret, shopCustomerId: 'C1003', now: now - 7200, ttlSeconds: 86_400 });
    await expect(verify(stale)).rejects.toThrow(/refused/);
    const otherAudience = await signWebIdentityToken({ secret, shopCustomerId: 'C1003', now, audience: 'another-app' });
    await expect(verify(otherAudience)).rejects.toThrow(/refused/);
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'C1003', aud: 'meridian', iat: now, exp: now + 60 })).toString('base64url')}.`;
    await expect(verify(unsigned)).rejects.toThrow(/refused/);
    const noSubject = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setAudience('meridian').setIssuedAt(now).setExpirationTime(now + 60).sign(new TextEncoder().encode(secret));
    await expect(verify(noSubject)).rejects.toThrow(/refused|no customer/);
    await expect(verify('x'.repeat(5000))).rejects.toThrow(/too long/);
  });

  it('refuses a secret too short to be one', () => {
    expect(() => createWebTokenVerifier({ secret: 'short' })).toThrow(/at least 32/);
  });
});
