/**
 * Prints a bearer token for trying the API by hand:
 *   npx tsx src/mint-token.ts <customerId> [--admin]
 * Signs with GATEWAY_JWT_SECRET, or the gateway's development default.
 */
import { devJwtSecret, mintToken } from '@oms/platform/tokens';

const args = process.argv.slice(2);
const sub = args.find((a) => !a.startsWith('--'));
if (!sub) {
  console.error('usage: npx tsx src/mint-token.ts <customerId> [--admin]');
  process.exit(2);
}
const token = await mintToken(process.env.GATEWAY_JWT_SECRET ?? devJwtSecret, {
  sub,
  roles: args.includes('--admin') ? ['admin'] : [],
  ttl: '24h',
});
console.log(token);
