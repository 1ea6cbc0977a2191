// @ts-check
// berth's public sites: progressive enhancement only. Every page works
// without this script; with it, the estimator answers while the visitor
// types (debounced, announced through the answer's aria-live region, keeping
// what they typed in its request form), and a booking request form cannot be
// sent twice by a double click. A tenant that names a map tile server gets an
// interactive map: Leaflet, served by berth, loaded only when the map comes
// near the view (never for other tenants).

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
  /** The query whose answer is shown or on its way. @type {string | undefined} */
  let wanted;

  const refresh = async () => {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (typeof value === 'string') params.append(name, value);
    }
    const query = params.toString();
    // A `change` after the `input` that already asked (the field losing
    // focus) asks nothing new: the answer, and what the visitor is typing
    // in its request form, stay as they are.
    if (query === wanted) return;
    wanted = query;
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    answer.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch(`${endpoint}?${query}`, {
        signal: controller.signal,
        headers: { Accept: 'text/html' },
      });
      if (!response.ok) {
        if (wanted === query) wanted = undefined;
        return;
      }
      const html = await response.text();
      if (controller.signal.aborted) return;
      const next = document.createElement('div');
      next.innerHTML = html;
      updateSlots(form, next);
      const typed = typedByGuest(answer);
      answer.replaceChildren(...next.childNodes);
      typed.restore(answer);
      answer.querySelectorAll('form.request').forEach((f) => {
        if (f instanceof HTMLFormElement) guardDoubleSubmit(f);
      });
      history.replaceState(null, '', `?${query}#estimator`);
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'AbortError')) {
        // Offline or the server is away: the form still works as a plain GET.
        console.warn('estimate', error);
        if (wanted === query) wanted = undefined;
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

/** The request form's fields the visitor fills in. */
const GUEST_FIELDS = ['name', 'email', 'phone', 'message'];

/**
 * What the visitor typed in the answer's request form, and where the caret
 * was: a new answer (another date, more guests) keeps both.
 * @param {HTMLElement} answer
 */
function typedByGuest(answer) {
  /** @type {Map<string, string>} */
  const values = new Map();
  const old = answer.querySelector('form.request');
  for (const name of GUEST_FIELDS) {
    const field = old?.querySelector(`[name="${name}"]`);
    if ((field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) && field.value !== '') {
      values.set(name, field.value);
    }
  }
  const active = document.activeElement;
  const focused =
    (active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement) && old?.contains(active) ? active : undefined;
  const caret = focused ? { name: focused.name, start: focused.selectionStart, end: focused.selectionEnd } : undefined;
  return {
    /** @param {HTMLElement} fresh */
    restore(fresh) {
      const form = fresh.querySelector('form.request');
      if (!form) return;
      for (const [name, value] of values) {
        const field = form.querySelector(`[name="${name}"]`);
        if ((field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) && field.value === '') {
          field.value = value;
        }
      }
      if (!caret) return;
      const field = form.querySelector(`[name="${caret.name}"]`);
      if (!(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) return;
      field.focus();
      // An e-mail field has no selection API; the caret goes where the browser puts it.
      try {
        if (caret.start !== null && caret.end !== null) field.setSelectionRange(caret.start, caret.end);
      } catch {
        /* not a text field */
      }
    },
  };
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

/**
 * Loads Leaflet's script (once) and resolves when it has run.
 * @param {string} src
 * @returns {Promise<void>}
 */
function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.addEventListener('load', () => resolve());
    script.addEventListener('error', () => reject(new Error(`cannot load ${src}`)));
    document.head.append(script);
  });
}

/**
 * Loads a stylesheet and resolves when it applies.
 * @param {string} href
 * @returns {Promise<void>}
 */
function loadStyle(href) {
  return new Promise((resolve, reject) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.addEventListener('load', () => resolve());
    link.addEventListener('error', () => reject(new Error(`cannot load ${href}`)));
    document.head.append(link);
  });
}

/**
 * Text for Leaflet's attribution, which it writes as HTML.
 * @param {string} text
 */
function escapeHtml(text) {
  const span = document.createElement('span');
  span.textContent = text;
  return span.innerHTML;
}

/**
 * Draws the map of a `.map-canvas`: Leaflet from berth's assets, tiles from
 * the tenant's server, a marker at the business. The address, coordinates
 * and map link stay beside it.
 * @param {HTMLElement} canvas
 */
async function showMap(canvas) {
  const d = canvas.dataset;
  const lat = Number(d['lat']);
  const lng = Number(d['lng']);
  const tiles = d['tiles'];
  const js = d['leafletJs'];
  const css = d['leafletCss'];
  if (!tiles || !js || !css || !Number.isFinite(lat) || !Number.isFinite(lng)) return;
  try {
    await Promise.all([loadStyle(css), loadScript(js)]);
  } catch (error) {
    console.warn('map', error);
    return;
  }
  /** @type {any} */
  const L = Reflect.get(window, 'L');
  if (!L) return;
  canvas.hidden = false;
  // The page scrolls under a wheel or one finger; two fingers or the buttons
  // move the map.
  const map = L.map(canvas, { scrollWheelZoom: false, dragging: !L.Browser.mobile }).setView([lat, lng], 15);
  L.tileLayer(tiles, { attribution: escapeHtml(d['attribution'] ?? ''), maxZoom: 19 }).addTo(map);
  const icon = L.icon({
    iconUrl: d['marker'],
    iconRetinaUrl: d['markerRetina'],
    shadowUrl: d['markerShadow'],
    iconSize: [25, 41],
    iconAnchor: [12, 41],
    shadowSize: [41, 41],
  });
  const label = d['label'] ?? '';
  L.marker([lat, lng], { icon, title: label, alt: label }).addTo(map);
}

/**
 * Shows the map once its section comes near the view.
 * @param {HTMLElement} canvas
 */
function enhanceMap(canvas) {
  const section = canvas.closest('section') ?? canvas;
  if (!('IntersectionObserver' in window)) {
    void showMap(canvas);
    return;
  }
  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      void showMap(canvas);
    },
    { rootMargin: '300px 0px' },
  );
  observer.observe(section);
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
document.querySelectorAll('.map-canvas').forEach((canvas) => {
  if (canvas instanceof HTMLElement) enhanceMap(canvas);
});
