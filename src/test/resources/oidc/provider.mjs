// A real OpenID provider for the single sign-on tests: panva's certified oidc-provider (target/clients), configured
// from a JSON file: node provider.mjs CONFIG.json PORT ISSUER
//   { "clients": [ { client_id, client_secret, redirect_uris } ], "users": { "alice": { claims… } } }
// Sign-in uses the package's own development interaction (a login form: any password for a configured user); a
// configured user's "amr" / "acr" are what the ID token says about how they signed in. Consent is implied for the
// configured clients (first-party, as a company's registry is). Prints "listening" once it serves.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const [configFile, port, issuer] = process.argv.slice(2);
const setup = JSON.parse(readFileSync(configFile, 'utf8'));

const configuration = {
  clients: setup.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: c.redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  claims: {
    // how the person signed in (amr, acr) goes into every ID token, as Okta, Entra ID and Keycloak send it
    auth_time: null,
    sid: null,
    openid: ['sub', 'amr', 'acr'],
    profile: ['preferred_username', 'name', 'groups'],
    email: ['email', 'email_verified'],
  },
  // the claims of the granted scopes go into the ID token too, as Keycloak, Okta and Entra ID put them there
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) => {
    const user = setup.users[id];
    if (!user) {
      return undefined;
    }
    return {
      accountId: id,
      claims: async () => ({ sub: id, ...user.claims }),
    };
  },
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email');
    await grant.save();
    return grant;
  },
  features: {
    devInteractions: { enabled: true },
  },
  pkce: { required: () => true },
  cookies: { keys: ['airlock-test-cookie-key-0123456789'] },
  ttl: { IdToken: 600, AccessToken: 600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
};

const provider = new Provider(issuer, configuration);
// How an account's next sign-ins happened, as the test says (how "strongly", and how long ago): set with
// GET /test/login?account=alice&amr=hwk,pwd&acr=...&age=SECONDS (amr comma-separated; all optional; "age" makes
// auth_time that many seconds old). Without a setting, a sign-in carries no amr or acr, as before.
// GET /test/groups changes an account's groups, as a directory administrator would.
const logins = new Map();
provider.use(async (ctx, next) => {
  if (ctx.path === '/test/login') {
    const q = ctx.query;
    logins.set(String(q.account), {
      amr: q.amr ? String(q.amr).split(',') : undefined,
      acr: q.acr ? String(q.acr) : undefined,
      age: q.age ? Number(q.age) : 0,
    });
    ctx.body = 'ok';
    return;
  }
  // GET /test/groups?account=hana&groups=eng,release: the account's groups claim from now on (empty: none)
  if (ctx.path === '/test/groups') {
    const user = setup.users[String(ctx.query.account)];
    if (!user) {
      ctx.status = 404;
      return;
    }
    user.claims = { ...user.claims, groups: ctx.query.groups ? String(ctx.query.groups).split(',') : [] };
    ctx.body = 'ok';
    return;
  }
  await next();
});
const loginAccount = provider.Session.prototype.loginAccount;
provider.Session.prototype.loginAccount = function login(details) {
  const set = logins.get(details.accountId);
  if (!set) {
    return loginAccount.call(this, details);
  }
  return loginAccount.call(this, {
    ...details,
    amr: set.amr,
    acr: set.acr,
    loginTs: Math.floor(Date.now() / 1000) - set.age,
  });
};
const server = provider.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write('listening\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
