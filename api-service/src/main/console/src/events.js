// Follows a job's Server-Sent Events. EventSource cannot send a bearer token, so the eventsource package (a
// WhatWG-compliant client over fetch) does the reading. What arrived is kept in sessionStorage with the last event's
// id: after a reload the page redraws from it and asks the API only for what followed (Last-Event-ID), and each
// event id is handled once, so curves go on without gap or duplicate.
import { EventSource } from 'eventsource';
import { accessToken } from './auth.js';

export const EVENT_TYPES = ['accepted', 'started', 'extraction-progress', 'feature-cache-hit', 'epoch-completed',
  'checkpointed', 'resumed', 'released', 'completed', 'failed', 'cancelled'];
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const RETRY_MS = 3000;

function load(jobId) {
  try {
    return JSON.parse(sessionStorage.getItem(`transferlab.events.${jobId}`)) || { lastEventId: null, events: [] };
  } catch {
    return { lastEventId: null, events: [] };
  }
}

/**
 * Calls onEvent({id, type, data}) for each of the job's events, those kept from before first; returns a function
 * that stops following.
 */
export function follow(jobId, onEvent) {
  const kept = load(jobId);
  const seen = new Set(kept.events.map((e) => e.id));
  let source = null;
  let stopped = false;
  let timer = null;

  const save = () => {
    try {
      sessionStorage.setItem(`transferlab.events.${jobId}`, JSON.stringify(kept));
    } catch {
      // Storage full: a reload then starts from the job's whole history, which the API replays.
    }
  };
  const take = (type, message) => {
    if (!message.lastEventId || seen.has(message.lastEventId)) {
      return;
    }
    seen.add(message.lastEventId);
    const event = { id: message.lastEventId, type, data: JSON.parse(message.data) };
    // Only the latest progress report matters; keeping them all would fill the storage on a long extraction.
    if (type === 'extraction-progress') {
      kept.events = kept.events.filter((e) => e.type !== 'extraction-progress');
    }
    kept.events.push(event);
    kept.lastEventId = event.id;
    save();
    onEvent(event);
    if (TERMINAL.has(type)) {
      stop();
    }
  };
  const connect = () => {
    source = new EventSource(`/v1/training-jobs/${encodeURIComponent(jobId)}/events`, {
      fetch: async (url, init) => {
        const token = await accessToken();
        const headers = { ...init.headers };
        if (token) {
          headers.Authorization = `Bearer ${token}`;
        }
        if (kept.lastEventId && !headers['Last-Event-ID']) {
          headers['Last-Event-ID'] = kept.lastEventId;
        }
        return fetch(url, { ...init, headers });
      },
    });
    EVENT_TYPES.forEach((type) => source.addEventListener(type, (message) => take(type, message)));
    // A refused connection (say, an expired token) is closed for good by the client: open a new one, which asks
    // for a fresh token and resumes after the last event kept.
    source.onerror = () => {
      if (!stopped && source.readyState === source.CLOSED) {
        timer = setTimeout(connect, RETRY_MS);
      }
    };
  };
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    if (source) {
      source.close();
    }
  };

  kept.events.forEach(onEvent);
  if (kept.events.some((e) => TERMINAL.has(e.type))) {
    stopped = true;
  } else {
    connect();
  }
  return stop;
}
