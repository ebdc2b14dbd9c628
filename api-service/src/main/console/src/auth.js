// Who the console acts for: a user logged in at the OpenID provider (authorization code with PKCE, by
// oidc-client-ts), or a bearer token pasted by hand. With authentication off (the laptop mode) there is no token.
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { jwtDecode } from 'jwt-decode';

const PASTED = 'transferlab.pasted-token';
let settings;
let users;

export async function startAuth() {
  const answer = await fetch('/console/config');
  settings = await answer.json();
  if (!settings.authEnabled) {
    return;
  }
  const home = `${location.origin}/console/`;
  users = new UserManager({
    authority: settings.issuer,
    client_id: settings.clientId,
    redirect_uri: home,
    post_logout_redirect_uri: home,
    response_type: 'code',
    scope: 'openid',
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: true,
  });
  const query = new URLSearchParams(location.search);
  if (query.has('code') && query.has('state')) {
    const user = await users.signinRedirectCallback();
    history.replaceState(null, '', `/console/${user.state || '#/datasets'}`);
  }
}

export function authEnabled() {
  return settings.authEnabled;
}

export function providerName() {
  return settings.issuer;
}

/** Sends the browser to the provider's login page; it comes back to the same page of the console. */
export function logIn() {
  return users.signinRedirect({ state: location.hash });
}

export function useToken(token) {
  const claims = decode(token.trim());
  if (!claims) {
    throw new Error('that is not a JWT access token');
  }
  sessionStorage.setItem(PASTED, token.trim());
}

export async function logOut() {
  sessionStorage.removeItem(PASTED);
  if (await users.getUser()) {
    await users.signoutRedirect();
  }
}

/** The current access token, renewed when the provider's session allows; null when nobody is logged in. */
export async function accessToken() {
  if (!settings.authEnabled) {
    return null;
  }
  const pasted = sessionStorage.getItem(PASTED);
  if (pasted) {
    return pasted;
  }
  let user = await users.getUser();
  if (user && user.expired) {
    user = await users.signinSilent().catch(() => null);
  }
  return user ? user.access_token : null;
}

/** The token's user, tenant and roles, for the header. */
export async function who() {
  if (!settings.authEnabled) {
    return { user: 'laptop mode', tenant: 'default', roles: ['admin'] };
  }
  const token = await accessToken();
  const claims = token ? decode(token) : null;
  if (!claims) {
    return null;
  }
  return {
    user: claims.preferred_username || claims.sub,
    tenant: claims[settings.tenantClaim] || '(none)',
    roles: [].concat(claims[settings.rolesClaim] || []),
    expires: claims.exp ? new Date(claims.exp * 1000) : null,
  };
}

function decode(token) {
  try {
    return jwtDecode(token);
  } catch {
    return null;
  }
}
