// The console's only way to the API: every request carries the access token, and every problem+json answer becomes
// an Error whose message is the problem's detail.
import { accessToken } from './auth.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function headers(extra = {}) {
  const token = await accessToken();
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

async function fail(response) {
  let problem = {};
  try {
    problem = await response.json();
  } catch {
    problem = { title: response.statusText };
  }
  throw new ApiError(response.status, problem);
}

export async function request(method, path, { body, type } = {}) {
  const response = await fetch(path, {
    method,
    body,
    headers: await headers(type ? { 'Content-Type': type, Accept: 'application/json' } : { Accept: 'application/json' }),
  });
  if (!response.ok) {
    await fail(response);
  }
  return response.status === 204 ? null : response.json();
}

export const get = (path) => request('GET', path);
export const postJson = (path, value) => request('POST', path, { body: JSON.stringify(value), type: 'application/json' });
export const remove = (path) => request('DELETE', path);

/** The body as a Blob, e.g. a thumbnail or an export; images in pages cannot send a bearer token themselves. */
export async function blob(path) {
  const response = await fetch(path, { headers: await headers() });
  if (!response.ok) {
    await fail(response);
  }
  return response.blob();
}

/** An object URL of an image the API serves, for an img element's src. */
export async function imageUrl(path) {
  return URL.createObjectURL(await blob(path));
}

/**
 * Posts a file as the raw body, reporting the bytes sent: fetch cannot tell upload progress, XMLHttpRequest can.
 */
export async function upload(path, file, type, onProgress) {
  const auth = await headers({ 'Content-Type': type, Accept: 'application/json' });
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    Object.entries(auth).forEach(([name, value]) => xhr.setRequestHeader(name, value));
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded, e.total);
    xhr.onerror = () => reject(new Error('the upload was interrupted'));
    xhr.onload = () => {
      let value = {};
      try {
        value = JSON.parse(xhr.responseText);
      } catch {
        value = { title: xhr.statusText };
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(value);
      } else {
        reject(new ApiError(xhr.status, value));
      }
    };
    xhr.send(file);
  });
}
