/**
 * The dashboard's files (dashboard/ at the repository's root, dist/dashboard/ in the package: the same
 * place relative to this module), served as they are: plain ES modules and CSS, no build step, so the
 * local front and `tickwork dashboard` serve exactly the files in the tree, offline.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

/** An asset's name: one path segment of lower-case letters, digits and dashes, `.js` or `.css`. */
const ASSET_NAME = /^[a-z0-9-]+\.(js|css)$/;

export interface DashboardFile {
  readonly body: Buffer;
  readonly contentType: string;
}

/** The page itself. */
export function dashboardPage(): Promise<DashboardFile> {
  return load('index.html', 'html');
}

/**
 * An asset by name (`app.js`), or undefined when the name is not one (a path with `/` or `..` never
 * matches the name rule, so nothing outside dashboard/assets/ is reachable).
 */
export async function dashboardAsset(name: string): Promise<DashboardFile | undefined> {
  const match = ASSET_NAME.exec(name);
  if (match === null) return undefined;
  try {
    return await load(`assets/${name}`, match[1] as string);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function load(relative: string, extension: string): Promise<DashboardFile> {
  // Read per request: a handful of small files, and an edited page shows on reload without a restart.
  const body = await readFile(`${DASHBOARD_DIR}${relative}`);
  return { body, contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream' };
}
