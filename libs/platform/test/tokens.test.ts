import { describe, expect, it } from 'vitest';
import { devJwtSecret, mintToken, verifyToken } from '../src/tokens';

describe('bearer tokens', () => {
  it('verify to the subject and roles they were minted with', async () => {
    const token = await mintToken(devJwtSecret, { sub: 'customer-1', roles: ['admin'] });
    expect(await verifyToken(devJwtSecret, token)).toEqual({ sub: 'customer-1', roles: ['admin'] });
  });

  it('are refused when signed with another secret', async () => {
    const forged = await mintToken('some-other-secret-that-is-long-enough', { sub: 'customer-1' });
    await expect(verifyToken(devJwtSecret, forged)).rejects.toThrow();
  });

  it('are refused once expired', async () => {
    const expired = await mintToken(devJwtSecret, { sub: 'customer-1', ttl: '-1s' });
    await expect(verifyToken(devJwtSecret, expired)).rejects.toThrow(/exp/);
  });
});
