// @ts-check
// berth's public sites: progressive enhancement only. Every page works
// without this script; with it, the estimator answers while the visitor
// types (debounced, announced through the answer's aria-live region), and a
// booking request form cannot be sent twice by a double click.

const DEBOUNCE_MS = 300;

/**
 * Keeps the estimator's answer in step with its form.
 * @param {HTMLFormElement} form
 */
function enhanceEstimator(form) {
  const endpoint = form.dataset['estimate'];
  const answer = document.getElementById('answer');
  if (!endpoint || !answer) return;
  /** @type {number | undefined} */
  let timer;
  /** @type {AbortController | undefined} */
  let inFlight;

  const refresh = async () => {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (typeof value === 'string') params.append(name, value);
    }
    answer.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch(`${endpoint}?${params.toString()}`, {
        signal: controller.signal,
        headers: { Accept: 'text/html' },
      });
      if (!response.ok) return;
      const html = await response.text();
      if (controller.signal.aborted) return;
      const next = document.createElement('div');
      next.innerHTML = html;
      updateSlots(form, next);
      answer.replaceChildren(...next.childNodes);
      answer.querySelectorAll('form.request').forEach((f) => {
        if (f instanceof HTMLFormElement) guardDoubleSubmit(f);
      });
      history.replaceState(null, '', `?${params.toString()}#estimator`);
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'AbortError')) {
        // Offline or the server is away: the form still works as a plain GET.
        console.warn('estimate', error);
      }
    } finally {
      if (inFlight === controller) answer.removeAttribute('aria-busy');
    }
  };

  const schedule = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void refresh(), DEBOUNCE_MS);
  };
  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);
}

/**
 * A timeslot answer carries the date's departures: the slot list follows it.
 * @param {HTMLFormElement} form
 * @param {HTMLElement} fragment
 */
function updateSlots(form, fragment) {
  const offered = fragment.querySelector('select[data-slot-options]');
  const select = form.querySelector('select[name="slot"]');
  if (!(offered instanceof HTMLSelectElement) || !(select instanceof HTMLSelectElement)) return;
  offered.remove();
  const current = select.value;
  const options = [...offered.options];
  if (options.length === 0) return;
  const same =
    options.length === select.options.length &&
    options.every((o, i) => o.value === select.options[i]?.value && o.text === select.options[i]?.text);
  if (same) return;
  select.replaceChildren(...options);
  const keep = options.find((o) => o.value === current && !o.disabled) ?? options.find((o) => !o.disabled);
  if (keep) select.value = keep.value;
}

/**
 * A double click sends one request: the button is disabled once the form
 * goes (the server is idempotent by the form's request key anyway).
 * @param {HTMLFormElement} form
 */
function guardDoubleSubmit(form) {
  form.addEventListener('submit', (event) => {
    if (form.dataset['sent'] === 'true') {
      event.preventDefault();
      return;
    }
    form.dataset['sent'] = 'true';
    form.querySelectorAll('button[type="submit"]').forEach((b) => b.setAttribute('aria-disabled', 'true'));
  });
}

// Coming back to a page from the browser's history (a request that failed
// to leave, a visitor going back to change it): its forms can be sent again.
window.addEventListener('pageshow', () => {
  document.querySelectorAll('form.request').forEach((form) => {
    if (!(form instanceof HTMLFormElement)) return;
    delete form.dataset['sent'];
    form.querySelectorAll('button[type="submit"]').forEach((b) => b.removeAttribute('aria-disabled'));
  });
});

document.querySelectorAll('form[data-estimate]').forEach((form) => {
  if (form instanceof HTMLFormElement) enhanceEstimator(form);
});
document.querySelectorAll('form.request').forEach((form) => {
  if (form instanceof HTMLFormElement) guardDoubleSubmit(form);
});
