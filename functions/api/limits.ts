/** The limit for job definitions: far above any real one (a prompt is at most 100 KB), far below Lambda's 6 MB. */
export const MAX_BODY_BYTES = 256 * 1024;
