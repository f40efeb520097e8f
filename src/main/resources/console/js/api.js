// Every call of the console goes through the documented /api with the admin token, which is kept
// for this browser session only (sessionStorage: gone when the tab or browser closes).

const TOKEN_KEY = 'relay.adminToken';

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A refusal of the API: its status and its {"error": ...} text. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function api(method, path, body, token = session.token()) {
  const response = await fetch('/api' + path, {
    method,
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { error: text };
    }
  }
  if (!response.ok) {
    if (response.status === 401 && token === session.token()) {
      session.signOut();
      window.dispatchEvent(new Event('relay:signed-out'));
    }
    throw new ApiError(response.status, (data && data.error) || response.statusText);
  }
  return data;
}

/** A query string of the non-empty values of {@code params}. */
export function query(params) {
  const q = new URLSearchParams();
  Object.entries(params).forEach(([k, v]) => {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  });
  const s = q.toString();
  return s ? '?' + s : '';
}

const enc = encodeURIComponent;
export const paths = {
  destination: (id) => '/destinations/' + enc(id),
  journal: (id, params) => '/destinations/' + enc(id) + '/journal' + query(params),
  journalItem: (id, itemId) => '/destinations/' + enc(id) + '/journal/' + enc(itemId),
};
