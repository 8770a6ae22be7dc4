// A real OpenID Connect provider (the `oidc-provider` package) for the single sign-on tests
// (tests/tests/single_sign_on/). Not a mock: discovery, JWKS, the authorization code flow
// with PKCE, signed ID tokens are the package's own.
//
// Usage: node provider.mjs [--clock-shift-secs N] [--token-issuer URL] [--alg ES256] [--claims-in-userinfo]
//
// 1. Listens on 127.0.0.1, port 0, and prints one JSON line: {"issuer": "http://127.0.0.1:PORT"}.
// 2. Reads one JSON line from stdin: {"redirect_uri": "..."} (the node under test is started
//    after the provider, so its callback is known only then).
// 3. Prints {"ready": true} once it answers requests.
//
// Options (each makes the provider misbehave in one honest way):
// --clock-shift-secs N   the provider's clock runs N seconds behind, so the ID tokens it
//                        issues are already expired (iat and exp are N seconds in the past).
// --token-issuer URL     the provider's own issuer identifier is URL (its tokens say
//                        `iss: URL`), while its discovery document announces the address it
//                        is reached at: as if a token of another provider were handed to the
//                        node by the one it trusts.
// --alg ES256            ID tokens signed with ECDSA P-256 instead of RSA (RS256).
// --claims-in-userinfo   the profile claims (preferred_username…) are given by the userinfo
//                        endpoint only, not in the ID token (the package's default).
//
// Interactions: the package's development login form (any password) and consent page, which
// the tests drive with plain HTTP.
import crypto from 'node:crypto';
import http from 'node:http';
import readline from 'node:readline';
import Provider from 'oidc-provider';

const args = process.argv.slice(2);
function option(name) {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

const shift = Number(option('--clock-shift-secs') ?? 0);
if (shift) {
  const realNow = Date.now;
  Date.now = () => realNow() - shift * 1000;
}

// The staff the provider knows: `sub` is the provider's own id of the person.
const ACCOUNTS = {
  'li.si': { sub: 'sub-li-si-0001', preferred_username: 'li.si', name: '李四', email: 'li.si@example.gov.cn' },
  'zhang.san': { sub: 'sub-zhang-san-0002', preferred_username: 'zhang.san', name: '张三' },
  'wang.wu': { sub: 'sub-wang-wu-0003', preferred_username: 'wang.wu', name: '王五' },
  // Grants for the node to map (scope `govnode`): platform-admin must never be taken.
  'zhao.liu': {
    sub: 'sub-zhao-liu-0004', preferred_username: 'zhao.liu', name: '赵六',
    govnode_grants: ['editor@gd', 'platform-admin'],
  },
};

const server = http.createServer((req, res) => {
  res.statusCode = 503;
  res.end('not ready');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const served = `http://127.0.0.1:${server.address().port}`;
console.log(JSON.stringify({ issuer: served }));

const lines = readline.createInterface({ input: process.stdin });
const first = await new Promise((resolve) => lines.once('line', resolve));
const { redirect_uri: redirectUri } = JSON.parse(first);

const issuer = option('--token-issuer') ?? served;
const alg = option('--alg') ?? 'RS256';
// Fresh signing keys per run: an RSA key, and a P-256 key for ES256.
const keys = [
  crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
].map((k, i) => ({ ...k.export({ format: 'jwk' }), kid: `key-${i}`, use: 'sig' }));
const provider = new Provider(issuer, {
  clients: [{
    client_id: 'govnode-test',
    client_secret: 'test-client-secret-not-for-production',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: alg,
  }],
  jwks: { keys },
  // ID tokens carry the profile claims (the node matches users by `preferred_username`),
  // unless --claims-in-userinfo.
  conformIdTokenClaims: args.includes('--claims-in-userinfo'),
  claims: {
    openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email'], govnode: ['govnode_grants'],
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: ['test-cookie-key-not-for-production'] },
  async findAccount(_ctx, id) {
    const claims = ACCOUNTS[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { ...claims }; } };
  },
});
provider.on('server_error', (_ctx, err) => console.error('provider error:', err));

if (option('--token-issuer')) {
  // The discovery document names the address the node reaches, not the provider's issuer.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/.well-known/openid-configuration' && ctx.body && typeof ctx.body === 'object') {
      ctx.body = { ...ctx.body, issuer: served };
    }
  });
}

server.removeAllListeners('request');
server.on('request', provider.callback());
console.log(JSON.stringify({ ready: true }));

process.stdin.on('end', () => process.exit(0));
