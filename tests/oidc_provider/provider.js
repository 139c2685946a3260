// A real OpenID Connect provider for the tracker's single sign-on tests: panva/oidc-provider
// (OpenID Certified), pinned in package.json, with its development sign-in form.
//
//   node provider.js PORT REDIRECT_URI [REDIRECT_URI...]
//
// Issuer: http://127.0.0.1:PORT (plain http is allowed for a development provider). One client,
// "tracker", with the secret "tracker-test-secret", the given redirect URIs and PKCE required.
//
// Sign in on the development form with any password and one of these logins:
//   invited, invited@council.example                -> that address, verified
//   unverified:someone@council.example              -> that address, not verified
//   noemail                                         -> no email claim at all
//   anything-else-with-an-@                         -> that address, verified
// The subject (sub) is the login as typed, so a login keeps its subject across sign-ins.
//
// POST /test/redirect-uris with a JSON list replaces the client's redirect URIs (a test's live
// server has a new port each time).
// POST /test/rotate-keys swaps the signing key for a new one (with a new kid): the old key is no
// longer published, as when a provider rotates its keys. Sessions and grants are kept.
// GET /test/kid answers the kid now in use.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || process.env.PORT);
let redirectUris = process.argv.slice(3);
if (!port || redirectUris.length === 0) {
  console.error('usage: node provider.js PORT REDIRECT_URI [REDIRECT_URI...]');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const cookieKeys = [randomUUID(), randomUUID()];

function claimsFor(login) {
  if (login === 'noemail') return {};
  if (login.startsWith('unverified:')) {
    return { email: login.slice('unverified:'.length), email_verified: false };
  }
  const email = login.includes('@') ? login : `${login}@council.example`;
  return { email, email_verified: true };
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

function newProvider(key) {
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'tracker',
      client_secret: 'tracker-test-secret',
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    pkce: { required: () => true },
    jwks: { keys: [key] },
    cookies: { keys: cookieKeys },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: true } },
    async findAccount(ctx, sub) {
      return {
        accountId: sub,
        async claims() { return { sub, name: `Test person ${sub}`, ...claimsFor(sub) }; },
      };
    },
  });
  provider.proxy = false;
  return provider;
}

let key = signingKey();
let handler = newProvider(key).callback();

function readJson(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => { try { resolve(JSON.parse(body)); } catch (error) { reject(error); } });
  });
}

const server = createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/test/redirect-uris') {
    redirectUris = await readJson(req);
    handler = newProvider(key).callback();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(redirectUris));
    return;
  }
  if (req.method === 'POST' && req.url === '/test/rotate-keys') {
    key = signingKey();
    handler = newProvider(key).callback();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kid: key.kid }));
    return;
  }
  if (req.method === 'GET' && req.url === '/test/kid') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kid: key.kid }));
    return;
  }
  handler(req, res);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
