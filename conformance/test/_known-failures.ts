/**
 * Cases the real adapters fail today because of @tsgi/core, each with its reason, in the
 * manner of Node's WPT status files: reported to the core owner; remove an entry once fixed
 * (the tests then fail, so the list cannot go stale). Empty: SR-13 was fixed in core.
 */
export const KNOWN_CORE_FAILURES: Readonly<Record<string, string>> = {};
