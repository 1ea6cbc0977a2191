// The webhook form's checks, before asking the API (which checks again).

/** Kinds and families offered while typing (any other kind may be typed). */
export const eventSuggestions = [
  '*',
  'reservation.*',
  'reservation.created',
  'reservation.changed',
  'reservation.state_changed',
  'reservation.canceled',
  'client.*',
  'unit.*',
  'block.*',
  'calendar.imported',
  'policy.*',
];

export interface WebhookFormProblems {
  /** `urlRequired` or `urlInvalid` (keys of `webhooks.*`). */
  url?: 'urlRequired' | 'urlInvalid';
  events?: 'eventsRequired';
}

/** What is wrong with the form's values, if anything. */
export function webhookFormProblems(url: string, events: readonly string[]): WebhookFormProblems {
  const problems: WebhookFormProblems = {};
  const trimmed = url.trim();
  if (!trimmed) problems.url = 'urlRequired';
  else {
    try {
      const parsed = new URL(trimmed);
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') problems.url = 'urlInvalid';
    } catch {
      problems.url = 'urlInvalid';
    }
  }
  if (events.length === 0) problems.events = 'eventsRequired';
  return problems;
}
