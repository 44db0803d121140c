/**
 * Building the page without HTML strings: every value the API returns (job names, errors, results) is
 * user data, so it only ever becomes a text node or an attribute value, never markup (no innerHTML).
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * An element: `attrs` are attributes (`on…` functions become listeners, `false`/`null`/`undefined` are
 * left out), `children` are nodes or strings (as text).
 * @param {string} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/**
 * An SVG element, as `el`.
 * @param {string} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

/**
 * @template {Element} E
 * @param {E} node
 * @param {Record<string, unknown>} attrs
 * @param {Array<Node | string | number | null | undefined | false>} children
 * @returns {E}
 */
function fill(node, attrs, children) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
  return node;
}

/**
 * Replaces a node's children.
 * @param {Element} node
 * @param {...(Node | string | null | undefined | false)} children
 */
export function replace(node, ...children) {
  node.replaceChildren(
    ...children.filter((child) => child !== undefined && child !== null && child !== false),
  );
}

/** A class-name-safe word for a value from the API (a status or health we may not know yet). */
export function token(value) {
  return String(value)
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '-');
}
